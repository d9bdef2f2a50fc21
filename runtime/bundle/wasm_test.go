package bundle

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/bindings/wasm"
)

// addWasm is (module (func (export "add") (param i32 i32) (result i32)
// (i32.add (local.get 0) (local.get 1)))), assembled by hand.
const addWasm = "\x00asm\x01\x00\x00\x00" +
	"\x01\x07\x01\x60\x02\x7f\x7f\x01\x7f" + // type: (i32 i32) -> i32
	"\x03\x02\x01\x00" + // one function of type 0
	"\x07\x07\x01\x03add\x00\x00" + // export "add" = function 0
	"\x0a\x09\x01\x07\x00\x20\x00\x20\x01\x6a\x0b" // local.get 0, local.get 1, i32.add

// TestWasmImportsAreModules: `import x from "./add.wasm"` and
// "./add.wasm?module" give a WebAssembly.Module, as in PartyKit, that a room
// instantiates; the file is an input the dev watcher must watch.
func TestWasmImportsAreModules(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `import plain from "./add.wasm";
import withQuery from "./add.wasm?module";
const run = (m: WebAssembly.Module) => new WebAssembly.Instance(m).exports.add(40, 2);
export default {
  isModule: plain instanceof WebAssembly.Module && withQuery instanceof WebAssembly.Module,
  results: [run(plain), run(withQuery)],
  exports: WebAssembly.Module.exports(plain),
};`,
		"party/add.wasm": addWasm,
	})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	vm := goja.New()
	if err := wasm.Install(vm, host.Env{}); err != nil {
		t.Fatal(err)
	}
	got := instance(t, vm, res.Parties["main"], nil).Get("default").Export()
	want := map[string]any{
		"isModule": true,
		"results":  []any{int64(42), int64(42)},
		"exports":  []any{map[string]any{"name": "add", "kind": "function"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default = %#v, want %#v", got, want)
	}
	if !slices.Contains(res.Inputs, filepath.Join(dir, "party/add.wasm")) {
		t.Errorf("inputs %q lack the .wasm file: editing it would not rebuild", res.Inputs)
	}
}

// TestMissingWasmIsLocated: a .wasm import that does not resolve fails the
// build at the import, like any other.
func TestMissingWasmIsLocated(t *testing.T) {
	dir := project(t, map[string]string{"party/x.ts": "import m from \"./nope.wasm\";\nexport default m;"})
	be := buildError(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/x.ts"})})
	if want := `party/x.ts:1:15: error: Could not resolve "./nope.wasm"`; !strings.HasPrefix(be.Error(), want) {
		t.Errorf("error:\n%s\nwant it to start with:\n%s", be, want)
	}
}
