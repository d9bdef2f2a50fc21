package assets

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"gopk/runtime/bundle"
	"gopk/runtime/config"
)

// project writes files into a temp dir and loads its partykit.json the way
// `gopk dev` does.
func project(t *testing.T, files map[string]string) *config.Project {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := config.Load(config.LoadOptions{Cwd: dir, Dev: true})
	if err != nil {
		t.Fatalf("loading the project: %v", err)
	}
	return p
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// run executes an IIFE bundle in goja and returns globalThis.result.
func run(t *testing.T, code string) any {
	t.Helper()
	vm := goja.New()
	if _, err := vm.RunString(code); err != nil {
		t.Fatalf("running the bundle: %v\n%s", err, code)
	}
	return vm.Get("result").Export()
}

const server = `export default class { onConnect() {} }`

func TestBuildDefinesAliasLoaderAndDefaults(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json": `{
			"name": "app", "main": "party/index.ts",
			"define": {"FROM_PROJECT": "\"project\""},
			"serve": {"path": "public", "build": {
				"entry": "app/client.ts", "format": "iife", "splitting": false,
				"define": {"FROM_CLIENT": "\"client\""},
				"alias": {"greeting": "./app/hello.ts"},
				"loader": {".txt": "text"}
			}}
		}`,
		"party/index.ts": server,
		"app/client.ts": `
			import { hello } from "greeting";
			import note from "./note.txt";
			declare const PARTYKIT_HOST: string, FROM_PROJECT: string, FROM_CLIENT: string;
			(globalThis as any).result = [PARTYKIT_HOST, FROM_PROJECT, FROM_CLIENT, hello(), note.trim()].join("|");`,
		"app/hello.ts":      `export const hello = () => "hi";`,
		"app/note.txt":      "a text file\n",
		"public/index.html": "<script src=/dist/client.js></script>",
	})
	r, err := BuildWith(p, Options{Host: "127.0.0.1:4321"})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(p.Dir, "public", "dist", "client.js")
	if r.Outdir != filepath.Dir(out) {
		t.Errorf("outdir %s, want the default <serve.path>/dist %s", r.Outdir, filepath.Dir(out))
	}
	code := read(t, out)
	if got, want := run(t, code), "127.0.0.1:4321|project|client|hi|a text file"; got != want {
		t.Errorf("the bundle computed %q, want %q", got, want)
	}
	// sourcemap defaults to true: a linked map next to the file.
	if !strings.Contains(code, "//# sourceMappingURL=client.js.map") {
		t.Errorf("no linked source map comment in:\n%s", code)
	}
	if _, ok := r.Outputs[out+".map"]; !ok {
		t.Errorf("outputs %v lack the source map", r.Outputs)
	}
	for _, in := range []string{"app/client.ts", "app/hello.ts", "app/note.txt"} {
		if !slices.Contains(r.Inputs, filepath.Join(p.Dir, in)) {
			t.Errorf("inputs %v lack %s", r.Inputs, in)
		}
	}
	if strings.Contains(code, "EventSource") {
		t.Error("a build without live reload subscribes to the live-reload stream")
	}
}

func TestConfigDefineOverridesHost(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json": `{"main": "party/index.ts", "serve": {"path": "public", "build": {
			"entry": "app/c.ts", "format": "iife", "splitting": false, "define": {"PARTYKIT_HOST": "\"example.com\""}}}}`,
		"party/index.ts": server,
		"app/c.ts":       `declare const PARTYKIT_HOST: string; (globalThis as any).result = PARTYKIT_HOST;`,
		"public/x.txt":   "",
	})
	if _, err := BuildWith(p, Options{Host: "127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	if got := run(t, read(t, filepath.Join(p.Dir, "public/dist/c.js"))); got != "example.com" {
		t.Errorf("PARTYKIT_HOST = %q, want the config's define", got)
	}
}

func TestSplittingESMAndExternal(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json": `{"main": "party/index.ts", "serve": {"path": "public", "build": {
			"entry": ["app/a.ts", "app/b.ts"], "outdir": "public/js", "external": ["some-cdn-lib"], "sourcemap": false}}}`,
		"party/index.ts": server,
		"app/a.ts":       `import { shared } from "./shared"; import x from "some-cdn-lib"; console.log(shared, x);`,
		"app/b.ts":       `import { shared } from "./shared"; console.log(shared);`,
		"app/shared.ts":  `export const shared = "a module both entries import";`,
		"public/x.txt":   "",
	})
	r, err := BuildWith(p, Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	outdir := filepath.Join(p.Dir, "public", "js")
	var chunks []string
	for f := range r.Outputs {
		if filepath.Dir(f) != outdir {
			t.Errorf("output %s outside outdir %s", f, outdir)
		}
		if strings.HasSuffix(f, ".map") {
			t.Errorf("sourcemap false still wrote %s", f)
		}
		if strings.HasPrefix(filepath.Base(f), "chunk-") {
			chunks = append(chunks, f)
		}
	}
	if len(chunks) != 1 {
		t.Fatalf("want one shared chunk from splitting, got outputs %v", r.Outputs)
	}
	a := read(t, filepath.Join(outdir, "a.js"))
	if !strings.Contains(a, `from "./`+filepath.Base(chunks[0])+`"`) {
		t.Errorf("a.js does not import the shared chunk as an ES module:\n%s", a)
	}
	if !strings.Contains(a, `from "some-cdn-lib"`) {
		t.Errorf("the external import was bundled or dropped:\n%s", a)
	}
	if !strings.Contains(read(t, chunks[0]), "a module both entries import") {
		t.Error("the shared module is not in the chunk")
	}
}

func TestMinify(t *testing.T) {
	files := map[string]string{
		"party/index.ts": server,
		"app/c.ts":       "const longVariableName = 40;\nfunction addTwo(value: number) { return value + 2 }\n(globalThis as any).result = addTwo(longVariableName);\n",
		"public/x.txt":   "",
	}
	sizes := map[bool]int{}
	for _, minify := range []bool{false, true} {
		files["partykit.json"] = `{"main": "party/index.ts", "serve": {"path": "public", "build": {
			"entry": "app/c.ts", "format": "iife", "splitting": false, "sourcemap": false, "minify": ` + map[bool]string{false: "false", true: "true"}[minify] + `}}}`
		p := project(t, files)
		if _, err := BuildWith(p, Options{Host: "h"}); err != nil {
			t.Fatal(err)
		}
		code := read(t, filepath.Join(p.Dir, "public/dist/c.js"))
		if got := run(t, code); got != int64(42) {
			t.Errorf("minify=%v: result %v, want 42", minify, got)
		}
		if strings.Contains(code, "longVariableName") == minify {
			t.Errorf("minify=%v but the output is:\n%s", minify, code)
		}
		sizes[minify] = len(code)
	}
	if sizes[true] >= sizes[false] {
		t.Errorf("minified %d bytes, not smaller than %d", sizes[true], sizes[false])
	}
}

// Without "minify" in the config, deploy minifies (partykit deploy's
// `minify ?? true`) and dev does not.
func TestDeployMinifiesByDefault(t *testing.T) {
	files := map[string]string{
		"party/index.ts": server,
		"app/c.ts":       "const longVariableName = 40;\n(globalThis as any).result = longVariableName + 2;\n",
		"public/x.txt":   "",
		"partykit.json": `{"main": "party/index.ts", "serve": {"path": "public", "build": {
			"entry": "app/c.ts", "format": "iife", "splitting": false, "sourcemap": false}}}`,
	}
	for _, deploy := range []bool{false, true} {
		p := project(t, files)
		if _, err := BuildWith(p, Options{Host: "h", Deploy: deploy}); err != nil {
			t.Fatal(err)
		}
		code := read(t, filepath.Join(p.Dir, "public/dist/c.js"))
		if strings.Contains(code, "longVariableName") == deploy {
			t.Errorf("deploy=%v: minified=%v, want %v:\n%s", deploy, !strings.Contains(code, "longVariableName"), deploy, code)
		}
	}
}

func TestLiveReloadBanner(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json":  `{"main": "party/index.ts", "serve": {"path": "public", "build": {"entry": ["app/a.ts", "app/b.ts"]}}}`,
		"party/index.ts": server,
		"app/a.ts":       `import "./s"; console.log("a")`,
		"app/b.ts":       `import "./s"; console.log("b")`,
		"app/s.ts":       `console.log("shared")`,
		"public/x.txt":   "",
	})
	r, err := BuildWith(p, Options{Host: "h", LiveReload: LivePath})
	if err != nil {
		t.Fatal(err)
	}
	js := 0
	for f := range r.Outputs {
		if strings.HasSuffix(f, ".js") {
			js++
			if code := read(t, f); !strings.Contains(code, `new EventSource("`+LivePath+`")`) {
				t.Errorf("%s does not subscribe to %s:\n%s", f, LivePath, code)
			}
		}
	}
	if js < 3 {
		t.Errorf("expected two entries and a chunk, got %v", r.Outputs)
	}
}

// The banner must subscribe once per page although every chunk carries it,
// and must not throw where there is no EventSource (a worker, SSR).
func TestLiveBannerRunsOncePerPage(t *testing.T) {
	vm := goja.New()
	if _, err := vm.RunString(`
		var opened = [];
		globalThis.location = { reload() {} };
		globalThis.EventSource = function (url) { opened.push(url); this.addEventListener = function () {}; };`); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := vm.RunString(liveBanner(LivePath)); err != nil {
			t.Fatal(err)
		}
	}
	if got := vm.Get("opened").Export(); len(got.([]any)) != 1 || got.([]any)[0] != LivePath {
		t.Errorf("EventSources opened: %v, want exactly one to %s", got, LivePath)
	}
	if _, err := goja.New().RunString(liveBanner(LivePath)); err != nil {
		t.Errorf("the banner throws without EventSource: %v", err)
	}
}

func TestBuildErrorNamesFileAndKeepsInputs(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json":  `{"main": "party/index.ts", "serve": {"path": "public", "build": "app/c.tsx"}}`,
		"party/index.ts": server,
		"app/c.tsx":      "import { x } from \"./broken\";\nconsole.log(x);\n",
		"app/broken.ts":  "export const x = ;\n",
		"public/x.txt":   "",
	})
	_, err := BuildWith(p, Options{Host: "h"})
	var be *bundle.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("want a *bundle.BuildError, got %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "app/broken.ts:1:18: error:") {
		t.Errorf("error does not point at the bad token:\n%s", msg)
	}
	for _, f := range []string{"app/c.tsx", "app/broken.ts"} {
		if !slices.Contains(be.Inputs, filepath.Join(p.Dir, f)) {
			t.Errorf("the failed build's inputs %v lack %s (the watcher would miss the fix)", be.Inputs, f)
		}
	}
	if _, err := os.Stat(filepath.Join(p.Dir, "public", "dist")); !os.IsNotExist(err) {
		t.Errorf("a failed build wrote output (stat: %v)", err)
	}
}

func TestNothingToBuild(t *testing.T) {
	for name, cfg := range map[string]string{
		"no serve":            `{"main": "party/index.ts"}`,
		"serve without build": `{"main": "party/index.ts", "serve": "public"}`,
		"build without path":  `{"main": "party/index.ts", "serve": {"build": "app/c.ts"}}`,
	} {
		p := project(t, map[string]string{"partykit.json": cfg, "party/index.ts": server, "app/c.ts": ""})
		r, err := BuildWith(p, Options{Host: "h"})
		if r != nil || err != nil {
			t.Errorf("%s: Build = %v, %v; want nil, nil", name, r, err)
		}
	}
}

func TestVersionFollowsOutputs(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json":  `{"main": "party/index.ts", "serve": {"path": "public", "build": "app/c.ts"}}`,
		"party/index.ts": server,
		"app/c.ts":       `console.log(1)`,
		"public/x.txt":   "",
	})
	first, err := BuildWith(p, Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := BuildWith(p, Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Version() != again.Version() {
		t.Errorf("same sources, versions %s and %s", first.Version(), again.Version())
	}
	if err := os.WriteFile(filepath.Join(p.Dir, "app/c.ts"), []byte(`console.log(2)`), 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := BuildWith(p, Options{Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Version() == first.Version() {
		t.Error("a changed source kept the version")
	}
	c := Changes(first, changed, filepath.Join(p.Dir, "public"))
	if !slices.Equal(c.Updated, []string{"/dist/c.js", "/dist/c.js.map"}) || len(c.Added)+len(c.Removed) != 0 {
		t.Errorf("changes %+v, want the file and its map updated", c)
	}
}

func TestBuilderSeesChangedFilesAndOptions(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json":  `{"main": "party/index.ts", "serve": {"path": "public", "build": {"entry": "app/c.ts", "format": "iife", "splitting": false}}}`,
		"party/index.ts": server,
		"app/c.ts":       `import { word } from "./word"; declare const PARTYKIT_HOST: string; (globalThis as any).result = word + "@" + PARTYKIT_HOST;`,
		"app/word.ts":    `export const word = "first";`,
		"public/x.txt":   "",
	})
	out := filepath.Join(p.Dir, "public/dist/c.js")
	var b Builder
	defer b.Close()
	for i, step := range []struct {
		word, host, want string
	}{
		{"", "h1", "first@h1"},
		{"second", "h1", "second@h1"}, // a changed import, same options: incremental
		{"", "h2", "second@h2"},       // changed options: a fresh context
		{"third", "h2", "third@h2"},
	} {
		if step.word != "" {
			if err := os.WriteFile(filepath.Join(p.Dir, "app/word.ts"), []byte(`export const word = "`+step.word+`";`), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r, err := b.Build(p, Options{Host: step.host})
		if err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		if got := run(t, read(t, out)); got != step.want {
			t.Errorf("build %d computed %q, want %q", i, got, step.want)
		}
		if !slices.Contains(r.Inputs, filepath.Join(p.Dir, "app/word.ts")) {
			t.Errorf("build %d inputs %v lack app/word.ts", i, r.Inputs)
		}
	}
	if err := os.WriteFile(filepath.Join(p.Dir, "app/word.ts"), []byte(`export const word = ;`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(p, Options{Host: "h2"}); err == nil {
		t.Error("an incremental build of a broken file succeeded")
	}
	if got := run(t, read(t, out)); got != "third@h2" {
		t.Errorf("a failed incremental build changed the output: %q", got)
	}
}

func TestBuilderReplacesOldChunks(t *testing.T) {
	p := project(t, map[string]string{
		"partykit.json":  `{"main": "party/index.ts", "serve": {"path": "public", "build": {"entry": ["app/a.ts", "app/b.ts"]}}}`,
		"party/index.ts": server,
		"app/a.ts":       `import { s } from "./shared"; console.log("a", s);`,
		"app/b.ts":       `import { s } from "./shared"; console.log("b", s);`,
		"app/shared.ts":  `export const s = "one";`,
		"public/x.txt":   "",
	})
	outdir := filepath.Join(p.Dir, "public", "dist")
	list := func() []string {
		entries, err := os.ReadDir(outdir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	var b Builder
	defer b.Close()
	first, err := b.Build(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := list()
	if err := os.WriteFile(filepath.Join(p.Dir, "app/shared.ts"), []byte(`export const s = "two";`), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := b.Build(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := list()
	if slices.Equal(before, after) {
		t.Fatalf("the chunk kept its name after its contents changed: %v", after)
	}
	if len(after) != len(second.Outputs) {
		t.Errorf("outdir holds %v, want exactly the %d outputs of the last build (old chunks removed, no temp files)", after, len(second.Outputs))
	}
	for f := range first.Outputs {
		if _, still := second.Outputs[f]; !still {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("old output %s is still there", filepath.Base(f))
			}
		}
	}
}
