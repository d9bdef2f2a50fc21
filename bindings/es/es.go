// Package es installs the ECMAScript built-ins that goja lacks (WeakRef,
// iterator helpers, Object.groupBy, …) and fixes goja's RegExp so that
// Unicode property escapes (\p{…}) match as they do in V8.
//
// Install is called on every new room VM before user code runs. Everything
// that can be shared is built once per process: the JS half is compiled into
// one goja.Program and the Unicode property tables are decoded on first use.
package es

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

//go:embed builtins.js
var builtinsSource string

var builtinsProgram = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("gopk:es/builtins.js", builtinsSource, true)
})

// Install adds the missing built-ins and the RegExp fix to vm's global object.
// Built-ins that vm already has are left alone, so a newer goja wins.
func Install(vm *goja.Runtime) error {
	prog, err := builtinsProgram()
	if err != nil {
		return fmt.Errorf("es: compiling built-ins: %w", err)
	}
	setup, err := vm.RunProgram(prog)
	if err != nil {
		return fmt.Errorf("es: loading built-ins: %w", err)
	}
	fn, ok := goja.AssertFunction(setup)
	if !ok {
		return fmt.Errorf("es: built-ins program did not evaluate to a function")
	}
	host := vm.NewObject()
	for name, f := range map[string]func(goja.FunctionCall) goja.Value{
		"isWellFormed": isWellFormed(vm),
		"toWellFormed": toWellFormed(vm),
		"rewritePattern": func(call goja.FunctionCall) goja.Value {
			pattern, flags := stringArg(call), call.Argument(1).String()
			source, escaped := pattern.String(), false
			if loneSurrogateAt(pattern, 0) >= 0 {
				escaped = true
				units := make([]uint16, pattern.Length())
				for i := range units {
					units[i] = pattern.CharAt(i)
				}
				source = escapeLoneSurrogates(units, strings.ContainsRune(flags, 'u'))
			}
			out, err := rewritePattern(source, flags)
			if err != nil {
				// builtins.js throws this as a SyntaxError, as V8 does.
				return vm.ToValue(map[string]any{"error": err.Error()})
			}
			if out == source && !escaped {
				return pattern // unchanged: builtins.js compares by identity
			}
			return vm.ToValue(out)
		},
	} {
		if err := host.Set(name, f); err != nil {
			return fmt.Errorf("es: host helper %s: %w", name, err)
		}
	}
	if _, err := fn(goja.Undefined(), vm.GlobalObject(), host); err != nil {
		return fmt.Errorf("es: installing built-ins: %w", err)
	}
	return nil
}
