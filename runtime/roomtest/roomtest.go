// Package roomtest runs a PartyKit project in process for tests of the
// runtime: the real config loader, bundler, rooms, router, storage and
// platform, behind an httptest server. (End-to-end tests of the binary live
// in e2e/.)
package roomtest

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/runtime/config"
	"gopk/runtime/platform"
	"gopk/runtime/project"
	"gopk/runtime/room"
	"gopk/runtime/router"
	"gopk/store"
)

// Env is a running project.
type Env struct {
	t      testing.TB
	Dir    string
	Rooms  *room.Rooms
	Router *router.Router
	Server *httptest.Server
	DB     *store.DB
	Logs   *LogBuffer
}

// Options tune Start.
type Options struct {
	Rooms             room.Options // Store, Platform, Storage and Logger are filled in
	ReadHeaderTimeout time.Duration
}

// Start writes files (path → content; partykit.json defaults to a main party
// at party/index.ts) into a temp dir and serves the project.
func Start(t testing.TB, files map[string]string, opts ...Options) *Env {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["partykit.json"]; !ok {
		files["partykit.json"] = `{"name": "test", "main": "party/index.ts"}`
	}
	write(t, dir, files)
	p, err := config.Load(config.LoadOptions{Cwd: dir})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	b, err := project.Build(p, project.Options{Host: "localhost", Namespace: "test"})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	db, err := store.Open(filepath.Join(dir, ".state"), store.Options{})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	logs := &LogBuffer{}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	ro := o.Rooms
	ro.Store = db
	ro.Platform = platform.New(platform.Options{})
	ro.Storage = platform.Storage{}
	ro.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rooms := room.New(b.Code, ro)
	rt := router.New(&router.Site{Rooms: rooms, Assets: b.Assets}, ro.Logger)
	srv := httptest.NewUnstartedServer(rt)
	hs := router.HTTPServer(rt)
	if o.ReadHeaderTimeout > 0 {
		hs.ReadHeaderTimeout = o.ReadHeaderTimeout
	}
	srv.Config = hs
	srv.Start()
	e := &Env{t: t, Dir: dir, Rooms: rooms, Router: rt, Server: srv, DB: db, Logs: logs}
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		rooms.Close(1001, "test over", 2*time.Second)
		db.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return e
}

// Build rebuilds the project after writing files over the old ones and
// returns the new code (not yet active).
func (e *Env) Build(files map[string]string) *room.Code {
	e.t.Helper()
	write(e.t, e.Dir, files)
	p, err := config.Load(config.LoadOptions{Cwd: e.Dir})
	if err != nil {
		e.t.Fatalf("config: %v", err)
	}
	b, err := project.Build(p, project.Options{Host: "localhost", Namespace: "test"})
	if err != nil {
		e.t.Fatalf("build: %v", err)
	}
	return b.Code
}

// WS dials path (e.g. "/parties/main/r1?_pk=a") and fails the test on error.
func (e *Env) WS(path string) *Client {
	e.t.Helper()
	url := "ws" + strings.TrimPrefix(e.Server.URL, "http") + path
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		e.t.Fatalf("dial %s: %v", path, err)
	}
	e.t.Cleanup(func() { c.Close() })
	return &Client{t: e.t, Conn: c}
}

// Client is a test WebSocket client.
type Client struct {
	t testing.TB
	*websocket.Conn
}

// Send sends a text frame.
func (c *Client) Send(s string) {
	c.t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// Next reads the next text frame within timeout.
func (c *Client) Next(timeout time.Duration) string {
	c.t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	_, b, err := c.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return string(b)
}

// LogBuffer collects log output safely.
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func write(t testing.TB, dir string, files map[string]string) {
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
