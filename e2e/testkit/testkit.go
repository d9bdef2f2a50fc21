// Package testkit runs real servers and real clients for gopk's end-to-end
// tests: it builds the gopk binary, starts `gopk dev` (or, for comparison, the
// reference `partykit dev`) on a free port for a fixture project, runs Node
// client scripts from e2e/js, and offers small WebSocket and HTTP helpers.
//
// The target server is chosen with the environment variable GOPK_E2E_TARGET:
// "gopk" (the default) or "partykit". Tests that check behaviour where gopk
// deliberately differs from PartyKit (documented PartyKit bugs) call
// SkipOnPartyKit.
//
// Every process testkit starts runs in its own process group and is stopped by
// PID in t.Cleanup, so a failing test never leaves a server behind.
package testkit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Target names the server implementation a test runs against.
type Target string

const (
	// TargetGopk runs the gopk binary built from ./cmd/gopk.
	TargetGopk Target = "gopk"
	// TargetPartyKit runs `partykit dev` from e2e/node_modules (the reference).
	TargetPartyKit Target = "partykit"
)

// TargetEnv is the environment variable that selects the target.
const TargetEnv = "GOPK_E2E_TARGET"

// CurrentTarget reports the target selected by GOPK_E2E_TARGET (default gopk).
func CurrentTarget(t testing.TB) Target {
	t.Helper()
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv(TargetEnv))); v {
	case "", string(TargetGopk):
		return TargetGopk
	case string(TargetPartyKit):
		return TargetPartyKit
	default:
		t.Fatalf("%s=%q: want %q or %q", TargetEnv, v, TargetGopk, TargetPartyKit)
		return ""
	}
}

// StrictEnv, when set to 1, runs gopk-only checks against PartyKit too, to
// show that they catch the PartyKit bugs they are about (they should fail).
const StrictEnv = "GOPK_E2E_STRICT"

// SkipOnPartyKit skips a check of behaviour where gopk deliberately differs
// from PartyKit (a documented PartyKit bug that gopk fixes); why names it.
func SkipOnPartyKit(t testing.TB, why string) {
	t.Helper()
	if CurrentTarget(t) == TargetPartyKit && os.Getenv(StrictEnv) != "1" {
		t.Skipf("gopk-only behaviour, PartyKit differs: %s", why)
	}
}

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// ModuleRoot returns the directory of the gopk module (the one whose go.mod
// says `module gopk`), found by walking up from the test's working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() { rootDir, rootErr = findModuleRoot() })
	if rootErr != nil {
		t.Fatalf("testkit: %v", rootErr)
	}
	return rootDir
}

func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the gopk module root: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePath(string(data)) == "gopk" {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod declaring `module gopk` above the working directory")
		}
		dir = parent
	}
}

func modulePath(gomod string) string {
	for _, line := range strings.Split(gomod, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// E2EDir returns the e2e directory of the module (package.json, js/, testdata/).
func E2EDir(t testing.TB) string {
	return filepath.Join(ModuleRoot(t), "e2e")
}

// NodeModules returns e2e/node_modules, or skips the test with a message
// saying how to install it when it is missing (`go test ./...` must work on a
// machine without npm; .ci/run installs it, so CI never skips).
func NodeModules(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(E2EDir(t), "node_modules")
	for _, pkg := range []string{"partykit", "partysocket", "ws"} {
		if _, err := os.Stat(filepath.Join(dir, pkg, "package.json")); err != nil {
			t.Skipf("e2e Node packages are not installed (%s missing); run `npm ci --prefix e2e` (or .ci/run)", filepath.Join(dir, pkg))
		}
	}
	return dir
}
