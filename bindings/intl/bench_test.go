package intl

import (
	"runtime"
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkInstall is the per-room cost of Install alone (Intl stays unbuilt)
// and of the first Intl use in a room; heap-KiB/room is memory held per live room.
func BenchmarkInstall(b *testing.B) {
	b.Run("install", func(b *testing.B) { bench(b, Install) })
	b.Run("install+first-format", func(b *testing.B) {
		bench(b, func(vm *goja.Runtime) error {
			if err := Install(vm); err != nil {
				return err
			}
			_, err := vm.RunString(`(1234.5).toLocaleString("de-DE")`)
			return err
		})
	})
}

func bench(b *testing.B, install func(*goja.Runtime) error) {
	if err := install(goja.New()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := install(goja.New()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	const rooms = 200
	var before, after runtime.MemStats
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
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/rooms/1024, "heap-KiB/room")
}
