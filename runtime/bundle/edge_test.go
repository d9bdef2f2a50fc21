package bundle

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// A hashbang, a "use strict" prologue or legal comments must not stop the
// bundle from evaluating to the wrapper function.
func TestWrapperSurvivesPrologues(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.js": "#!/usr/bin/env node\n\"use strict\";\n/*! @license MIT keep me */\nmodule.exports = { default: class { static ok = true } };\n",
	})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.js"})})
	vm := goja.New()
	exports := instance(t, vm, res.Parties["main"], nil)
	if !exports.Get("default").ToObject(vm).Get("ok").ToBoolean() {
		t.Errorf("exports = %v", exports.Keys())
	}
}

// import() is lowered to a require of the bundled module, so lazy imports
// work without ES modules.
func TestDynamicImportIsBundled(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `export default { load: () => import("./lazy").then((m) => m.value) };`,
		"party/lazy.ts":  `export const value = "lazy";`,
	})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	vm := goja.New()
	obj := instance(t, vm, res.Parties["main"], nil).Get("default").ToObject(vm)
	if got := settle(t, call(t, vm, obj, "load")).String(); got != "lazy" {
		t.Errorf("load() = %q", got)
	}
}

// goja has no modules, so top-level await cannot run; the build says so
// instead of a room failing later.
func TestTopLevelAwaitFailsTheBuild(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": "const config = await Promise.resolve(1);\nexport default { config };\n",
	})
	be := buildError(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	if !strings.Contains(be.Error(), "party/index.ts:1:16: error: Top-level await") {
		t.Errorf("error:\n%s", be)
	}
}

func TestBenchServerRuns(t *testing.T) {
	o := benchOptions(t)
	res := mustBuild(t, o)
	vm := goja.New()
	class := instance(t, vm, res.Parties["main"], nil).Get("default").ToObject(vm)
	proto := class.Get("prototype").ToObject(vm)
	for _, m := range []string{"onStart", "onConnect", "onMessage", "onClose", "onRequest"} {
		if _, ok := goja.AssertFunction(proto.Get(m)); !ok {
			t.Errorf("ChatServer.prototype.%s missing", m)
		}
	}
}

// A bad define is about the options, not one party: it shows once, and says
// which define.
func TestBadDefineIsReportedOnce(t *testing.T) {
	dir := project(t, map[string]string{
		"party/a.ts": "export default {};",
		"party/b.ts": "export default {};",
	})
	be := buildError(t, Options{
		Dir:     dir,
		Entries: entries(dir, map[string]string{"main": "party/a.ts", "b": "party/b.ts"}),
		Define:  map[string]string{"not a name": "1", "X": "1 +"},
	})
	want := "error: Invalid define value (must be an entity name or JS literal): 1 +\n" +
		`error: define "not a name" is not a valid name: Expected "." but found "a"`
	if be.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", be, want)
	}
}

// Files outside the project dir keep a usable path in stacks.
func TestStackPathOutsideDir(t *testing.T) {
	root := project(t, map[string]string{
		"app/party/index.ts": "import { boom } from \"../../shared/boom\";\nexport default { boom };\n",
		"shared/boom.ts":     "export function boom() {\n  throw new Error(\"x\");\n}\n",
	})
	dir := root + "/app"
	res := mustBuild(t, Options{Dir: dir, Entries: map[string]string{"main": "party/index.ts"}})
	vm := goja.New()
	obj := instance(t, vm, res.Parties["main"], nil).Get("default").ToObject(vm)
	fn, _ := goja.AssertFunction(obj.Get("boom"))
	_, err := fn(obj)
	ex, ok := err.(*goja.Exception)
	if !ok || !strings.Contains(ex.String(), "../shared/boom.ts:2:9") {
		t.Errorf("stack:\n%v", err)
	}
}
