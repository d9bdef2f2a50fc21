package web

import (
	"io"
	"log/slog"
	"runtime"
	"testing"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/runtime/eventloop"
)

// Per-room cost of the globals: time to set up a runtime, and heap kept
// per live room (reported as bytes/room), for a bare runtime, for Install
// alone (everything lazy), and for a room that touches the usual globals.
func BenchmarkRoomStart(b *testing.B) {
	loop := eventloop.New(eventloop.Options{})
	env := host.Env{Loop: loop, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	touch := `console.log; setTimeout; new URL("https://h/p?q=1").searchParams.get("q");
		new TextEncoder().encode("x"); crypto.getRandomValues(new Uint8Array(4));
		new Response("x", {headers: {a: "b"}}).status; new Headers(); new Event("x");`
	prog := goja.MustCompile("touch.js", touch, false)
	cases := []struct {
		name  string
		setup func() *goja.Runtime
	}{
		{"bare", func() *goja.Runtime { return goja.New() }},
		{"install", func() *goja.Runtime {
			vm := goja.New()
			if _, err := Install(vm, env, Options{}); err != nil {
				b.Fatal(err)
			}
			return vm
		}},
		{"install+use", func() *goja.Runtime {
			vm := goja.New()
			if _, err := Install(vm, env, Options{}); err != nil {
				b.Fatal(err)
			}
			if _, err := vm.RunProgram(prog); err != nil {
				b.Fatal(err)
			}
			return vm
		}},
		{"bare+use-builtins-only", func() *goja.Runtime {
			// The same ES builtins the touch script wakes (Uint8Array,
			// classes, Symbol), without our globals: the floor.
			vm := goja.New()
			if _, err := vm.RunString(`new Uint8Array(4); class A { #x; }; Symbol.iterator; new Promise(() => {})`); err != nil {
				b.Fatal(err)
			}
			return vm
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			c.setup() // compile-once work happens outside the measurement
			const keep = 200
			rooms := make([]*goja.Runtime, 0, keep)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := 0; i < keep; i++ {
				rooms = append(rooms, c.setup())
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(rooms)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.setup()
			}
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/keep, "bytes/room")
		})
	}
}
