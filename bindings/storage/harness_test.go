package storage

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"
	"github.com/dop251/goja"

	"gopk/bindings/clone"
	"gopk/bindings/host"
	"gopk/bindings/jsutil"
	"gopk/runtime/eventloop"
	"gopk/store"
)

// harness is one room as the runtime builds it: a goja VM on a real event
// loop whose every job ends with a storage flush (the end of a turn), over a
// real Pebble store.
type harness struct {
	t    testing.TB
	db   *store.DB
	room *store.Room
	loop *eventloop.Loop
	vm   *goja.Runtime
	// flushErr is set if an end-of-turn flush failed.
	flushErr error
	// afterTurn, if set, runs on the loop after each turn's flush with the
	// ticket that turn's output waits for (the runtime's output gate).
	afterTurn func(store.Ticket)
}

var testRoom = store.RoomKey{Project: "p", Party: "main", Room: "r"}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openStore(t testing.TB, fs vfs.FS, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(dir, store.Options{FS: fs, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// newHarness opens a store in a temp dir and a room on it.
func newHarness(t testing.TB) *harness {
	t.Helper()
	db := openStore(t, nil, filepath.Join(t.TempDir(), "data"))
	t.Cleanup(func() { _ = db.Close() })
	return newRoomHarness(t, db, testRoom)
}

// newRoomHarness starts a loop and a VM for room k of db.
func newRoomHarness(t testing.TB, db *store.DB, k store.RoomKey) *harness {
	t.Helper()
	h := &harness{t: t, db: db, room: db.Room(k)}
	h.loop = eventloop.New(eventloop.Options{RunJob: func(fn func()) {
		fn()
		t, err := h.room.Flush()
		if err != nil && h.flushErr == nil {
			h.flushErr = err
		}
		if h.afterTurn != nil {
			h.afterTurn(t)
		}
	}})
	go h.loop.Run()
	t.Cleanup(func() { h.loop.Stop(); <-h.loop.Done() })
	h.on(func() {
		h.vm = goja.New()
		clone.Install(h.vm)
		env := host.Env{Loop: h.loop, Logger: quiet()}
		_ = h.vm.Set("storage", New(h.vm, env, h.room))
		// later(ms) resolves after ms on the loop, like setTimeout.
		_ = h.vm.Set("later", func(ms int64) goja.Value {
			p, resolve, _ := h.vm.NewPromise()
			h.loop.AfterFunc(time.Duration(ms)*time.Millisecond, func() { _ = resolve(goja.Undefined()) })
			return h.vm.ToValue(p)
		})
		if _, err := h.vm.RunString(prelude); err != nil {
			t.Fatal(err)
		}
	})
	return h
}

// prelude gives test scripts small assertion helpers.
const prelude = `
function show(v) {
  if (v instanceof Map) return "Map" + show([...v]);
  if (Array.isArray(v)) return "[" + v.map(show).join(",") + "]";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return v + "n";
  if (v === undefined) return "undefined";
  if (v instanceof Date) return "Date(" + v.getTime() + ")";
  if (v && typeof v === "object") return "{" + Object.keys(v).map(k => k + ":" + show(v[k])).join(",") + "}";
  return String(v);
}
function eq(got, want, what) {
  if (show(got) !== show(want)) throw new Error((what || "value") + ": got " + show(got) + ", want " + show(want));
}
async function rejects(p, name, message) {
  try { await p; } catch (e) {
    if (e.name !== name) throw new Error("rejected with " + e.name + ": " + e.message + "; want " + name);
    if (message !== undefined && e.message !== message) throw new Error("message " + JSON.stringify(e.message) + ", want " + JSON.stringify(message));
    return e;
  }
  throw new Error("did not reject; want " + name);
}
`

// on runs fn as one job (one turn) on the loop and waits until the turn
// has ended, its writes flushed.
func (h *harness) on(fn func()) {
	h.t.Helper()
	done := make(chan struct{})
	// The second job runs after the first one's end-of-turn flush.
	if !h.loop.Post(fn) || !h.loop.Post(func() { close(done) }) {
		h.t.Fatal("loop stopped")
	}
	<-done
}

// run evaluates src as the body of an async function in one job and waits
// for its promise, failing the test if it rejects. It returns the result as
// a string.
func (h *harness) run(src string) string {
	h.t.Helper()
	res, err := h.try(src, 10*time.Second)
	if err != nil {
		h.t.Fatalf("script failed: %v\n%s", err, src)
	}
	return res
}

type outcome struct {
	val string
	err error
}

// start begins src and returns a channel with its outcome.
func (h *harness) start(src string) <-chan outcome {
	ch := make(chan outcome, 1)
	h.loop.Post(func() {
		v, err := h.vm.RunString("(async () => {\n" + src + "\n})()")
		if err != nil {
			ch <- outcome{err: err}
			return
		}
		jsutil.Await(h.vm, v, func(res goja.Value, err error) {
			if err != nil {
				ch <- outcome{err: err}
				return
			}
			s := "undefined"
			if res != nil && !goja.IsUndefined(res) {
				s = res.String()
			}
			ch <- outcome{val: s}
		})
	})
	return ch
}

func (h *harness) try(src string, timeout time.Duration) (string, error) {
	h.t.Helper()
	select {
	case o := <-h.start(src):
		h.on(func() {}) // past the end of the turn that settled it
		return o.val, o.err
	case <-time.After(timeout):
		h.t.Fatalf("script did not settle in %v:\n%s", timeout, src)
		return "", nil
	}
}
