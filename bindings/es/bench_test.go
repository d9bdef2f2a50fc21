package es

import (
	"runtime"
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkInstall measures what es.Install adds to a room's start: run with
// -benchmem; the heap-KiB/room metric counts memory still held by 200 live
// runtimes, as rooms keep their VM alive.
func BenchmarkInstall(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchRoom(b, func(*goja.Runtime) error { return nil }) })
	b.Run("es", func(b *testing.B) { benchRoom(b, Install) })
}

func benchRoom(b *testing.B, install func(*goja.Runtime) error) {
	if err := install(goja.New()); err != nil { // compile once, outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		vm := goja.New()
		if err := install(vm); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(liveHeapPerRoom(b, install)/1024, "heap-KiB/room")
}

func liveHeapPerRoom(b *testing.B, install func(*goja.Runtime) error) float64 {
	const rooms = 200
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := make([]*goja.Runtime, rooms)
	for i := range keep {
		keep[i] = goja.New()
		if err := install(keep[i]); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return float64(after.HeapAlloc-before.HeapAlloc) / rooms
}

// typicalRoom is what a small PartyKit server's module body and first
// message touch; BenchmarkTypicalRoom shows what Install adds on top of it.
const typicalRoom = `
class Server {
  #peers = new Map();
  constructor(room) { this.room = room; }
  async onMessage(msg, from) {
    const data = JSON.parse(msg);
    this.#peers.set(from, data);
    for (const [id, v] of this.#peers) { if (id !== from) String(v.text).trim(); }
    return Symbol.iterator in Object(this.#peers);
  }
}
const s = new Server({});
s.onMessage('{"text":" hi "}', "a");
`

func BenchmarkTypicalRoom(b *testing.B) {
	prog := goja.MustCompile("room.js", typicalRoom, false)
	run := func(install func(*goja.Runtime) error) func(*goja.Runtime) error {
		return func(vm *goja.Runtime) error {
			if err := install(vm); err != nil {
				return err
			}
			_, err := vm.RunProgram(prog)
			return err
		}
	}
	b.Run("bare", func(b *testing.B) { benchRoom(b, run(func(*goja.Runtime) error { return nil })) })
	b.Run("es", func(b *testing.B) { benchRoom(b, run(Install)) })
}
