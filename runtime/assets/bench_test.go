package assets

import (
	"os"
	"path/filepath"
	"testing"

	"gopk/runtime/config"
)

// BenchmarkBuildReactChat bundles examples/react-chat's client (React 19,
// react-dom, partysocket, its CSS) as `gopk dev` does on every change, into
// a temp dir. It needs `npm ci --prefix examples/react-chat`.
func BenchmarkBuildReactChat(b *testing.B) {
	p := reactChat(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := BuildWith(p, Options{Host: "127.0.0.1:1999", LiveReload: LivePath}); err != nil {
			b.Fatal(err)
		}
	}
}

// reactChat loads examples/react-chat with its client written to a temp
// dir, not the example's public/dist.
func reactChat(b *testing.B) *config.Project {
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "react-chat"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "react-dom")); err != nil {
		b.Skip("examples/react-chat/node_modules is missing; run npm ci --prefix examples/react-chat")
	}
	p, err := config.Load(config.LoadOptions{Cwd: dir, Dev: true})
	if err != nil {
		b.Fatal(err)
	}
	sb := *p.Serve.Build
	sb.Outdir = b.TempDir()
	serve := *p.Serve
	serve.Build = &sb
	copied := *p
	copied.Serve = &serve
	return &copied
}

// BenchmarkRebuildReactChat is the same build through a Builder, as `gopk
// dev` rebuilds after a change: esbuild reuses what it parsed.
func BenchmarkRebuildReactChat(b *testing.B) {
	p := reactChat(b)
	var builder Builder
	defer builder.Close()
	b.ResetTimer()
	for b.Loop() {
		if _, err := builder.Build(p, Options{Host: "127.0.0.1:1999", LiveReload: LivePath}); err != nil {
			b.Fatal(err)
		}
	}
}
