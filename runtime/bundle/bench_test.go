package bundle

import (
	"path/filepath"
	"testing"

	"github.com/dop251/goja"
)

// benchOptions bundles testdata/server, a 153-line chat server in three files.
func benchOptions(tb testing.TB) Options {
	dir, err := filepath.Abs("testdata/server")
	if err != nil {
		tb.Fatal(err)
	}
	return Options{Dir: dir, Entries: map[string]string{"main": filepath.Join(dir, "party/index.ts")}}
}

// BenchmarkBuild is what a dev rebuild costs: esbuild bundle + goja compile.
func BenchmarkBuild(b *testing.B) {
	o := benchOptions(b)
	for b.Loop() {
		if _, err := Build(o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile is the goja share of BenchmarkBuild.
func BenchmarkCompile(b *testing.B) {
	res, err := Build(benchOptions(b))
	if err != nil {
		b.Fatal(err)
	}
	code := string(res.Parties["main"].Code)
	b.SetBytes(int64(len(code)))
	for b.Loop() {
		if _, err := goja.Compile("main.bundle.js", code, true); err != nil {
			b.Fatal(err)
		}
	}
}
