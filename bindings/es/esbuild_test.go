package es

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
)

// The bundler marks regexp features goja lacks as unsupported; esbuild then
// emits `new RegExp(source, flags)` for such literals, which this package's
// RegExp handles. This checks both halves together.
func TestEsbuildLowersPropertyEscapeLiterals(t *testing.T) {
	src := `export const ok = [/^\p{L}+$/u.test("Grüße"), /\p{Extended_Pictographic}/u.test("🎉"), /\P{ASCII}/u.test("abc")];
export const source = /\p{Script=Greek}/gu.source;`
	res := api.Transform(src, api.TransformOptions{
		Format: api.FormatCommonJS,
		Target: api.ESNext,
		Supported: map[string]bool{
			"regexp-unicode-property-escapes": false,
			"regexp-match-indices":            false,
			"regexp-set-notation":             false,
		},
	})
	if len(res.Errors) > 0 {
		t.Fatalf("esbuild: %v", res.Errors)
	}
	code := string(res.Code)
	if !strings.Contains(code, `new RegExp("^\\p{L}+$", "u")`) {
		t.Fatalf("esbuild did not lower the literal to new RegExp:\n%s", code)
	}
	vm := goja.New()
	if err := Install(vm); err != nil {
		t.Fatal(err)
	}
	v, err := vm.RunString("var module = {exports: {}}, exports = module.exports;\n" + code + "\nJSON.stringify(module.exports)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), `{"ok":[true,true,false],"source":"\\p{Script=Greek}"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// /d and /v cannot be lowered by esbuild; the runtime must refuse them with
// an error that names the flag, never match differently.
func TestUnsupportedFlagsFailLoudly(t *testing.T) {
	for _, flags := range []string{"d", "v", "gd", "uv"} {
		vm := goja.New()
		if err := Install(vm); err != nil {
			t.Fatal(err)
		}
		_, err := vm.RunString(`new RegExp("a", "` + flags + `")`)
		if err == nil {
			t.Errorf("flags %q: no error", flags)
			continue
		}
		if !strings.Contains(err.Error(), "SyntaxError") || !strings.Contains(err.Error(), "flag") {
			t.Errorf("flags %q: unclear error %v", flags, err)
		}
	}
}
