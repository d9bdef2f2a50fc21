package clone

import (
	"testing"

	"github.com/dop251/goja"
)

// benchValues are the shapes storage sees most. Run with
//
//	go test -run '^$' -bench . -benchmem ./bindings/clone/
var benchValues = []struct{ name, expr string }{
	{"short-string", `"hello, gopk"`},
	{"object-20-fields", `({
		id: 123456, name: "Ada Lovelace", email: "ada@example.com", active: true, admin: false,
		score: 98.25, rank: 3, createdAt: "2024-05-01T12:00:00Z", updatedAt: null, country: "GB",
		tags: ["math", "engines"], bio: "First programmer.", age: 36, height: 1.65, followers: 1843,
		following: 12, verified: true, theme: "dark", locale: "en-GB", prefs: {email: true, push: false},
	})`},
	{"uint8array-4KiB", `(() => { const a = new Uint8Array(4096); for (let i = 0; i < a.length; i++) a[i] = i * 31; return a })()`},
	{"map-100", `new Map(Array.from({length: 100}, (_, i) => ["key" + i, i * 1.5]))`},
}

func BenchmarkSerialize(b *testing.B) {
	vm := newRuntime(b)
	for _, c := range benchValues {
		v := run(b, vm, c.expr)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				out, err := Serialize(vm, v)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "wire-bytes")
		})
	}
}

func BenchmarkDeserialize(b *testing.B) {
	vm := newRuntime(b)
	for _, c := range benchValues {
		data, err := Serialize(vm, run(b, vm, c.expr))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Deserialize(vm, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSONBaseline is goja's own JSON.stringify and JSON.parse on the
// same object, for scale.
func BenchmarkJSONBaseline(b *testing.B) {
	vm := newRuntime(b)
	v := run(b, vm, benchValues[1].expr)
	stringify, _ := goja.AssertFunction(run(b, vm, "JSON.stringify"))
	parse, _ := goja.AssertFunction(run(b, vm, "JSON.parse"))
	text, _ := stringify(nil, v)
	b.Run("stringify/object-20-fields", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := stringify(nil, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse/object-20-fields", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parse(nil, text); err != nil {
				b.Fatal(err)
			}
		}
	})
}
