package wasm

import (
	"encoding/base64"
	"runtime"
	"testing"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/host"
)

// BenchmarkCompile is the first compile of a module in a process (a fresh
// Engine each time): a tiny one and one of about 1 MB of code.
func BenchmarkCompile(b *testing.B) {
	for _, c := range []struct {
		name string
		bin  []byte
	}{{"add-41B", addWasm()}, {"code-1MB", bigWasm(1 << 20)}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.bin)))
			for b.Loop() {
				b.StopTimer()
				e := NewEngine(Options{})
				b.StartTimer()
				if _, err := e.Compile(c.bin); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompileCached is what every later room pays for the same
// module: by bytes (a SHA-256) and as the bundler embeds it (by the base64
// text, shared by every room running the bundle).
func BenchmarkCompileCached(b *testing.B) {
	bin := bigWasm(1 << 20)
	e := NewEngine(Options{})
	text := base64.StdEncoding.EncodeToString(bin)
	if _, err := e.compileEmbedded(text, base64.StdEncoding.DecodeString); err != nil {
		b.Fatal(err)
	}
	b.Run("bytes-1MB", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Compile(bin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("embedded-1MB", func(b *testing.B) {
		for b.Loop() {
			// A room gets the same string from the shared Program.
			if _, err := e.compileEmbedded(text, base64.StdEncoding.DecodeString); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRoomFirstUse is what WebAssembly adds to a room that uses it
// (the VM itself is not counted): the namespace, built on first access,
// and then one instance of a compiled module with imports and a JS-made
// one-page memory, and one whose imports are JS functions.
func BenchmarkRoomFirstUse(b *testing.B) {
	e := NewEngine(Options{})
	bin := importedMemoryWasm()
	cb := callbackWasm()
	for _, m := range [][]byte{bin, cb} {
		if _, err := e.Compile(m); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct{ name, script string }{
		{"namespace", `typeof WebAssembly`},
		{"namespace+2-instances", `
			const memory = new WebAssembly.Memory({ initial: 1 });
			new WebAssembly.Instance(new WebAssembly.Module(memBytes), { env: { mem: memory } }).exports.store(0, 1);
			new WebAssembly.Instance(new WebAssembly.Module(cbBytes), { env: { twice: (x) => x, log() {} } }).exports.run(1);`},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				vm := goja.New()
				_ = vm.Set("memBytes", vm.NewArrayBuffer(bin))
				_ = vm.Set("cbBytes", vm.NewArrayBuffer(cb))
				if err := e.Install(vm, host.Env{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := vm.RunString(c.script); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCall is one call across the boundary: JS → wasm (add), and
// JS → wasm → JS (run, which calls two JS imports).
func BenchmarkCall(b *testing.B) {
	vm := goja.New()
	if err := NewEngine(Options{}).Install(vm, host.Env{}); err != nil {
		b.Fatal(err)
	}
	_ = vm.Set("addBytes", vm.NewArrayBuffer(addWasm()))
	_ = vm.Set("cbBytes", vm.NewArrayBuffer(callbackWasm()))
	if _, err := vm.RunString(`
		const { add } = new WebAssembly.Instance(new WebAssembly.Module(addBytes)).exports;
		const { run } = new WebAssembly.Instance(new WebAssembly.Module(cbBytes), { env: { twice: (x) => x, log() {} } }).exports;
		function addLoop(n) { let s = 0; for (let i = 0; i < n; i++) s = add(s, 1); return s; }
		function runLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += run(i); return s; }
	`); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"addLoop", "runLoop"} {
		fn, _ := goja.AssertFunction(vm.Get(name))
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := fn(goja.Undefined(), vm.ToValue(b.N)); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkRoomHeap reports the live heap each room using WebAssembly
// holds: its VM, the namespace and one instance of a small module with a
// one-page (64 KiB) memory.
func BenchmarkRoomHeap(b *testing.B) {
	e := NewEngine(Options{})
	bin := memoryWasm()
	if _, err := e.Compile(bin); err != nil {
		b.Fatal(err)
	}
	settle := func(ms *runtime.MemStats) {
		for range 3 { // cleanups of earlier rooms run after a GC
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		runtime.ReadMemStats(ms)
	}
	var before, after runtime.MemStats
	settle(&before)
	vms := make([]*goja.Runtime, 0, b.N)
	for b.Loop() {
		vm := goja.New()
		_ = vm.Set("memBytes", vm.NewArrayBuffer(bin))
		if err := e.Install(vm, host.Env{}); err != nil {
			b.Fatal(err)
		}
		if _, err := vm.RunString(`globalThis.x = new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports; x.store(0, 1)`); err != nil {
			b.Fatal(err)
		}
		vms = append(vms, vm)
	}
	b.StopTimer()
	settle(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(len(vms))/1024, "KiB/room")
	runtime.KeepAlive(vms)
}
