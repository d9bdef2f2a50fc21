// Package browser runs the React examples in a real browser: Debian's
// headless Chromium, driven by playwright-core from Node scripts in js/,
// against the real gopk binary (or, with GOPK_E2E_TARGET=partykit, the
// reference `partykit dev`, which checks that the examples and these tests
// hold on PartyKit too).
//
// Each test copies an example to a temp dir, starts the server there with
// e2e/testkit, and runs one scenario script. The script asks the test to
// restart the server through a line on its stdout (see js/lib.mjs).
package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopk/e2e/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.Run(m)) }

// TestReactChat: two users in two browser contexts see each other online,
// chat with Enter, a third page gets the history, a closed page leaves the
// presence list, and after a server restart the pages reconnect on their own.
func TestReactChat(t *testing.T) {
	s := startExample(t, "react-chat")
	runScenario(t, s, "react-chat.mjs", nil)
}

// TestReactCollab: typing in one editor shows in the other, presence comes
// and goes, and after a restart with nobody connected the text comes back
// from storage for a new page.
func TestReactCollab(t *testing.T) {
	s := startExample(t, "react-collab")
	runScenario(t, s, "react-collab.mjs", nil)
}

// TestLiveReload: with serve.build.live, an open page reloads by itself
// when a client source changes, and runs the rebuilt bundle.
func TestLiveReload(t *testing.T) {
	s := startExample(t, "react-chat", func(dir string) {
		config := `{"name": "live", "main": "party/index.ts",
			"serve": {"path": "public", "build": {"entry": "app/index.tsx", "live": true}}}`
		if err := os.WriteFile(filepath.Join(dir, "partykit.json"), []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	runScenario(t, s, "live-reload.mjs", map[string]string{"PROJECT_DIR": s.Dir()})
}

// TestSinglePageApp: with serve.singlePageApp, a browser navigation to an
// unknown path gets index.html (the app boots), and a script's fetch of a
// missing file still gets 404.html with status 404.
func TestSinglePageApp(t *testing.T) {
	s := startExample(t, "react-chat", func(dir string) {
		config := `{"name": "spa", "main": "party/index.ts",
			"serve": {"path": "public", "singlePageApp": true, "build": "app/index.tsx"}}`
		notFound := `<!doctype html><title>Not found</title><p>custom not found page</p>`
		for name, content := range map[string]string{"partykit.json": config, "public/404.html": notFound} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
	runScenario(t, s, "spa.mjs", nil)
}

// TestReactChatUsesTheChatServer keeps the React chat's server the same as
// examples/chat's: the React client speaks exactly that protocol.
func TestReactChatUsesTheChatServer(t *testing.T) {
	root := testkit.ModuleRoot(t)
	chat, err := os.ReadFile(filepath.Join(root, "examples", "chat", "party", "index.ts"))
	if err != nil {
		t.Fatal(err)
	}
	react, err := os.ReadFile(filepath.Join(root, "examples", "react-chat", "party", "index.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if string(chat) != string(react) {
		t.Error("examples/react-chat/party/index.ts differs from examples/chat/party/index.ts; copy the chat server over")
	}
}

// ScenarioTimeout bounds one scenario, restarts included.
var ScenarioTimeout = 4 * time.Minute

// ScreenshotsEnv names the directory screenshots go to; by default
// e2e/browser/out/. Point it at docs/screenshots to refresh the README's.
const ScreenshotsEnv = "GOPK_E2E_SCREENSHOTS"

// ChromiumEnv overrides where Chromium is (default /usr/bin/chromium).
const ChromiumEnv = "GOPK_E2E_CHROMIUM"

func chromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv(ChromiumEnv)
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no Chromium at %s: install Debian's chromium (apt-get install chromium; .ci/run does) or set %s", path, ChromiumEnv)
	}
	return path
}

// browserDir is e2e/browser, where the scenarios and playwright-core live.
func browserDir(t *testing.T) string {
	return filepath.Join(testkit.E2EDir(t), "browser")
}

// requireInstalled skips with the command to run when an npm install is missing.
func requireInstalled(t *testing.T, dir string, packages ...string) {
	t.Helper()
	for _, pkg := range packages {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			rel, _ := filepath.Rel(testkit.ModuleRoot(t), dir)
			t.Skipf("%s is not installed in %s; run `npm ci --prefix %s` (or .ci/run)", pkg, rel, rel)
		}
	}
}

// startExample copies examples/<name> (its sources, not its build output or
// state) to a temp dir, links the example's own node_modules into it, and
// starts the server there. edit, if given, may change the copy first.
func startExample(t *testing.T, name string, edit ...func(dir string)) *testkit.Server {
	t.Helper()
	chromium(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	requireInstalled(t, browserDir(t), "playwright-core")
	src := filepath.Join(testkit.ModuleRoot(t), "examples", name)
	requireInstalled(t, src, "react", "react-dom")
	if testkit.CurrentTarget(t) == testkit.TargetPartyKit {
		testkit.NodeModules(t)
	}
	dir := copyExample(t, src)
	for _, e := range edit {
		e(dir)
	}
	return testkit.Start(t, dir)
}

func copyExample(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	skip := map[string]bool{"node_modules": true, ".partykit": true, "dist": true}
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && skip[d.Name()] {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	if err := os.Symlink(filepath.Join(src, "node_modules"), filepath.Join(dst, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return dst
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		dir = filepath.Join(browserDir(t), "out")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(testkit.ModuleRoot(t), dir)
	}
	return dir
}

// runScenario runs js/<script> against s, restarting s whenever the script
// asks, and fails the test with the script's log if it fails.
func runScenario(t *testing.T, s *testkit.Server, script string, env map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ScenarioTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("js", script))
	cmd.Dir = browserDir(t)
	cmd.Env = append(os.Environ(),
		"BASE_URL="+s.URL(),
		"SCREENSHOT_DIR="+screenshotDir(t),
		"CHROMIUM="+chromium(t),
	)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	cmd.Stderr = &logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting node %s: %v", script, err)
	}
	restarts := 0
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var req struct{ Op string }
		if err := json.Unmarshal(lines.Bytes(), &req); err != nil || req.Op != "restart" {
			t.Errorf("unexpected line from %s: %q", script, lines.Text())
			continue
		}
		restarts++
		s.Restart()
		if _, err := io.WriteString(stdin, "ok\n"); err != nil {
			t.Fatalf("answering %s: %v", script, err)
		}
	}
	err = cmd.Wait()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %v; its log:\n%s", script, ScenarioTimeout, logs.String())
	}
	if err != nil {
		t.Fatalf("%s failed (%v) after %v; its log:\n%s", script, err, took.Round(time.Millisecond), logs.String())
	}
	t.Logf("%s passed in %v with %d server restart(s)", script, took.Round(time.Millisecond), restarts)
	if testing.Verbose() {
		t.Logf("its log:\n%s", logs.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
