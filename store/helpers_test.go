package store

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openDisk opens a DB in a fresh temp dir on the real file system.
func openDisk(t testing.TB) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, dir
}

// openFS opens a DB at dir on fs; the caller closes it.
func openFS(t testing.TB, fs vfs.FS, dir string) *DB {
	t.Helper()
	db, err := Open(dir, Options{FS: fs, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mustGet(t testing.TB, g interface {
	Get(string) ([]byte, bool, error)
}, key string) (string, bool) {
	t.Helper()
	v, ok, err := g.Get(key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	return string(v), ok
}

func mustFlush(t testing.TB, r *Room) Ticket {
	t.Helper()
	tk, err := r.Flush()
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// waitDurable blocks until t is durable, failing after a while.
func waitDurable(t testing.TB, db *DB, tk Ticket) {
	t.Helper()
	done := make(chan error, 1)
	db.WhenDurable(tk, func(err error) { done <- err })
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("flush never became durable")
	}
}

type kv struct{ k, v string }

func listAll(t testing.TB, l interface {
	List(ListOptions, func(string, []byte) bool) error
}, o ListOptions) []kv {
	t.Helper()
	var out []kv
	if err := l.List(o, func(k string, v []byte) bool {
		out = append(out, kv{k, string(v)})
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
