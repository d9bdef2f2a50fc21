// Package roomtest runs a PartyKit project in process for tests of the
// runtime: the real config loader, bundler, rooms, router, storage and
// platform, behind an httptest server. (End-to-end tests of the binary live
// in e2e/.)
package roomtest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"
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

	closeOnce sync.Once
	stop      func()
}

// Options tune Start.
type Options struct {
	Rooms             room.Options // Store, Platform, Storage and Logger are filled in
	ReadHeaderTimeout time.Duration
	// StoreFS, if set, holds the store (at /state) instead of the real
	// disk: a storetest.SyncGate to hold WAL fsyncs back, or a
	// vfs.NewStrictMem() that a test "crashes" between two Starts.
	StoreFS vfs.FS
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
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	db := openStore(t, dir, o.StoreFS)
	logs := &LogBuffer{}
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
	// Alarms fire as in gopk dev, so they survive a restart of the Env.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = db.RunAlarms(ctx, func(k store.RoomKey, at time.Time) { fireAlarm(rooms, k, at) }) }()
	e := &Env{t: t, Dir: dir, Rooms: rooms, Router: rt, Server: srv, DB: db, Logs: logs}
	e.stop = func() {
		cancel()
		srv.CloseClientConnections()
		srv.Close()
		rooms.Close(1001, "test over", 2*time.Second)
		db.Close()
	}
	t.Cleanup(func() {
		e.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return e
}

// Close stops the server, the rooms and the store now instead of at the end
// of the test (to restart on the same StoreFS); later calls do nothing.
func (e *Env) Close() { e.closeOnce.Do(e.stop) }

func openStore(t testing.TB, dir string, fs vfs.FS) *store.DB {
	t.Helper()
	path := filepath.Join(dir, ".state")
	if fs != nil {
		// A real data dir's entry is durable before the server starts; make
		// it so on a strict in-memory FS too, or a "crash" loses the dir.
		path = "/state"
		if err := fs.MkdirAll(path, 0o755); err != nil {
			t.Fatalf("store: %v", err)
		}
		if root, err := fs.OpenDir("/"); err == nil {
			_ = root.Sync()
			_ = root.Close()
		}
	}
	db, err := store.Open(path, store.Options{FS: fs})
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	return db
}

// fireAlarm hands a due alarm to its room, as gopk dev does.
func fireAlarm(rooms *room.Rooms, k store.RoomKey, at time.Time) {
	if !rooms.HasParty(k.Party) {
		return
	}
	go rooms.Alarm(k.Party, k.Room, at)
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
