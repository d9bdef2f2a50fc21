package devserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopk/runtime/assets"
	"gopk/runtime/config"
	"gopk/runtime/platform"
)

// syncBuffer is the dev server's Out, read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func startDev(t *testing.T, files map[string]string, live bool) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	persist := "false"
	s, err := Start(Options{
		Load:     config.LoadOptions{Cwd: dir, Persist: &persist},
		Out:      &syncBuffer{},
		Platform: platform.New(platform.Options{}),
		Storage:  platform.Storage{},
		Listen:   "127.0.0.1:0",
		Live:     live,
	})
	if err != nil {
		t.Fatalf("starting the dev server: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s, dir
}

func get(t *testing.T, s *Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + s.Addr().String() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

type event struct{ id, name, data string }

// subscribe opens the live-reload stream and returns its events.
func subscribe(t *testing.T, s *Server) <-chan event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.Addr().String()+assets.LivePath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("live-reload stream: status %d", resp.StatusCode)
	}
	events := make(chan event, 16)
	go func() {
		defer resp.Body.Close()
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			field, value, _ := strings.Cut(sc.Text(), ": ")
			switch field {
			case "":
				events <- ev
				ev = event{}
			case "id":
				ev.id = value
			case "event":
				ev.name = value
			case "data":
				ev.data = value
			}
		}
	}()
	return events
}

// nextChange waits for a change event, ignoring id-only ones.
func nextChange(t *testing.T, events <-chan event, within time.Duration) (event, bool) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the live-reload stream ended")
			}
			if ev.name == "change" {
				return ev, true
			}
		case <-deadline:
			return event{}, false
		}
	}
}

var clientProject = map[string]string{
	"partykit.json": `{"name": "client", "main": "party/index.ts",
		"serve": {"path": "public", "build": {"entry": "app/main.ts", "live": true}}}`,
	"party/index.ts":    `export default class { onConnect(c) { c.send("hi") } }`,
	"app/main.ts":       `import { word } from "./word"; declare const PARTYKIT_HOST: string; console.log(PARTYKIT_HOST, word);`,
	"app/word.ts":       `export const word = "first";`,
	"public/index.html": `<script type="module" src="/dist/main.js"></script>`,
}

func TestClientBuildIsServedRebuiltAndAnnounced(t *testing.T) {
	s, dir := startDev(t, clientProject, false)
	status, js := get(t, s, "/dist/main.js")
	if status != http.StatusOK {
		t.Fatalf("GET /dist/main.js: %d", status)
	}
	for _, want := range []string{
		fmt.Sprintf(`"127.0.0.1:%s"`, portOf(s)), // PARTYKIT_HOST, as PartyKit defines it for the client
		`"first"`,
		`new EventSource("` + assets.LivePath + `")`, // serve.build.live
	} {
		if !strings.Contains(js, want) {
			t.Errorf("the served bundle lacks %s:\n%s", want, js)
		}
	}
	events := subscribe(t, s)

	// A change to a file only the client imports, picked up by the watcher.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Watch(ctx) }()
	time.Sleep(100 * time.Millisecond) // let the watcher add its directories
	writeFiles(t, dir, map[string]string{"app/word.ts": `export const word = "second";`})
	ev, ok := nextChange(t, events, 10*time.Second)
	if !ok {
		t.Fatal("no change event after editing app/word.ts")
	}
	if !strings.Contains(ev.data, `"/dist/main.js"`) || !strings.Contains(ev.data, `"updated"`) {
		t.Errorf("change event %q does not list /dist/main.js as updated", ev.data)
	}
	if _, js := get(t, s, "/dist/main.js"); !strings.Contains(js, `"second"`) {
		t.Errorf("the rebuilt bundle is not served:\n%s", js)
	}

	// A broken edit: reported, nothing announced, the last bundle still served.
	cancel()
	writeFiles(t, dir, map[string]string{"app/word.ts": `export const word = ;`})
	if err := s.Rebuild(); err == nil || !strings.Contains(err.Error(), "app/word.ts:1:") {
		t.Errorf("Rebuild of a broken client = %v, want an error at app/word.ts", err)
	}
	if _, js := get(t, s, "/dist/main.js"); !strings.Contains(js, `"second"`) {
		t.Errorf("a failed build replaced the served bundle:\n%s", js)
	}
	if ev, ok := nextChange(t, events, 200*time.Millisecond); ok {
		t.Errorf("a failed build told pages to reload: %+v", ev)
	}
	if files := s.watchedFiles(); !slices.Contains(files, filepath.Join(dir, "app/word.ts")) {
		t.Errorf("the broken file is not watched after the failure: %v", files)
	}

	// Rebuilding with nothing changed does not reload pages.
	writeFiles(t, dir, map[string]string{"app/word.ts": `export const word = "second";`})
	if err := s.Rebuild(); err != nil {
		t.Fatal(err)
	}
	if ev, ok := nextChange(t, events, 200*time.Millisecond); ok {
		t.Errorf("an identical rebuild told pages to reload: %+v", ev)
	}
}

func portOf(s *Server) string {
	_, port, _ := strings.Cut(s.Addr().String(), ":")
	return port
}

func TestLiveFlagAddsTheBanner(t *testing.T) {
	files := maps.Clone(clientProject)
	files["partykit.json"] = `{"name": "client", "main": "party/index.ts", "serve": {"path": "public", "build": "app/main.ts"}}`
	for _, live := range []bool{false, true} {
		s, _ := startDev(t, files, live)
		_, js := get(t, s, "/dist/main.js")
		if got := strings.Contains(js, "EventSource"); got != live {
			t.Errorf("Options.Live=%v: banner present = %v", live, got)
		}
	}
}

func TestShutdownEndsLiveStreams(t *testing.T) {
	s, _ := startDev(t, clientProject, false)
	events := subscribe(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		t.Fatalf("http shutdown with a live-reload page open: %v", err)
	}
	for range events {
	}
}
