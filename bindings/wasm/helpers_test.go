package wasm

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/runtime/eventloop"
)

// room is a VM with WebAssembly installed, run by a real event loop, as a
// room's is.
type room struct {
	t    *testing.T
	loop *eventloop.Loop
	vm   *goja.Runtime
	host host.Env
}

func (r *room) env() host.Env { return r.host }

func newRoom(t *testing.T, e *Engine) *room {
	t.Helper()
	loop := eventloop.New(eventloop.Options{})
	go loop.Run()
	t.Cleanup(loop.Stop)
	r := &room{t: t, loop: loop}
	r.do(func() {
		r.vm = goja.New()
		r.host = host.Env{Loop: loop, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := e.Install(r.vm, r.host); err != nil {
			t.Fatal(err)
		}
	})
	return r
}

// do runs fn on the loop and waits for it.
func (r *room) do(fn func()) {
	r.t.Helper()
	done := make(chan struct{})
	if !r.loop.Post(func() { defer close(done); fn() }) {
		r.t.Fatal("loop stopped")
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		r.t.Fatal("the loop did not run the job")
	}
}

// setBytes makes a global ArrayBuffer holding b.
func (r *room) setBytes(name string, b []byte) {
	r.do(func() { _ = r.vm.Set(name, r.vm.NewArrayBuffer(append([]byte(nil), b...))) })
}

// eval runs script (the body of an async function) and returns what it
// resolved to as JSON (BigInts as "<n>n"), or the error it threw as
// "throws <name>: <message>".
func (r *room) eval(script string) string {
	r.t.Helper()
	out := make(chan string, 1)
	r.do(func() {
		fnv, err := r.vm.RunString("(async () => {\n" + script + "\n})")
		if err != nil {
			out <- "compile error: " + err.Error()
			return
		}
		fn, _ := goja.AssertFunction(fnv)
		p, err := fn(goja.Undefined())
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		settle, err := r.vm.RunString(`(p, done) => p.then(
			(v) => done(JSON.stringify(v, (k, x) => typeof x === "bigint" ? x + "n" : x === undefined ? "undefined" : x)),
			(e) => done("throws " + (e && e.name) + ": " + (e && e.message)))`)
		if err != nil {
			out <- "harness: " + err.Error()
			return
		}
		s, _ := goja.AssertFunction(settle)
		if _, err := s(goja.Undefined(), p, r.vm.ToValue(func(v string) { out <- v })); err != nil {
			out <- "harness: " + err.Error()
		}
	})
	select {
	case v := <-out:
		return v
	case <-time.After(30 * time.Second):
		r.t.Fatal("the script did not settle")
		return ""
	}
}

// expect runs cases of script → JSON, each in the same room.
func (r *room) expect(cases []jsCase) {
	r.t.Helper()
	for _, c := range cases {
		if got := r.eval(c.script); got != c.want {
			r.t.Errorf("%s\n  got  %s\n  want %s", c.name, got, c.want)
		}
	}
}

type jsCase struct{ name, script, want string }

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return v
}
