package clone

import (
	"fmt"

	"github.com/dop251/goja"
)

// StructuredClone returns a deep copy of v made in the same runtime, as
// globalThis.structuredClone(v) does. Errors are as for Serialize.
func StructuredClone(vm *goja.Runtime, v goja.Value) (goja.Value, error) {
	b, err := Serialize(vm, v)
	if err != nil {
		return nil, err
	}
	out, err := Deserialize(vm, b)
	if err != nil { // our own output must decode; if not, it is a bug here
		return nil, fmt.Errorf("clone: decoding a value just encoded: %w", err)
	}
	return out, nil
}

// Install defines globalThis.structuredClone(value[, {transfer}]).
//
// The codec reads values through the runtime's built-ins as they were at
// the first clone (see "Realm" in the package doc). They are captured then,
// not here: capturing builds every lazily-made built-in goja has (all typed
// arrays, the Error classes, …), a seventh of a room's start and ~100 KiB,
// which a room that never clones should not pay. Code that replaces
// Map.prototype.set and the like before its first clone therefore changes
// how values clone; after it, it cannot.
func Install(vm *goja.Runtime) {
	fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) == 0 {
			panic(vm.NewTypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present."))
		}
		transfer := transferList(vm, call.Argument(1))
		out, err := StructuredClone(vm, call.Argument(0))
		if err != nil {
			panic(err)
		}
		for _, ab := range transfer {
			ab.Detach()
		}
		return out
	}).(*goja.Object)
	// Web IDL operations: name and length as for a JS function, the global
	// writable, configurable and not enumerable.
	_ = fn.DefineDataProperty("name", vm.ToValue("structuredClone"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if err := vm.GlobalObject().DefineDataProperty("structuredClone", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
}

// transferList validates options.transfer. Transferring an ArrayBuffer
// moves it: the clone gets its bytes and the original is detached after a
// successful clone. Validation follows the HTML spec's order and V8's
// messages; it throws (panics with a JS value) on a bad list.
func transferList(vm *goja.Runtime, options goja.Value) []goja.ArrayBuffer {
	if options == nil || goja.IsUndefined(options) || goja.IsNull(options) {
		return nil
	}
	opts, ok := options.(*goja.Object)
	if !ok {
		panic(vm.NewTypeError("Failed to execute 'structuredClone': The provided value is not of type 'StructuredSerializeOptions'."))
	}
	list := opts.Get("transfer")
	if list == nil || goja.IsUndefined(list) {
		return nil
	}
	cls := sharedClassifier()
	var (
		buffers []goja.ArrayBuffer
		seen    []*goja.Object
	)
	vm.ForOf(list, func(item goja.Value) bool {
		i := len(seen)
		o, ok := item.(*goja.Object)
		if !ok || cls.kindOf(o) != kindArrayBuffer {
			panic(dataCloneError(vm, nil, fmt.Sprintf("Value at index %d does not have a transferable type.", i)))
		}
		for _, s := range seen {
			if s == o {
				panic(dataCloneError(vm, nil, fmt.Sprintf("ArrayBuffer at index %d is a duplicate of an earlier ArrayBuffer. Duplicate ArrayBuffers cannot be transferred.", i)))
			}
		}
		ab := o.Export().(goja.ArrayBuffer)
		if ab.Detached() {
			panic(dataCloneError(vm, nil, fmt.Sprintf("ArrayBuffer at index %d is already detached.", i)))
		}
		seen = append(seen, o)
		buffers = append(buffers, ab)
		return true
	})
	return buffers
}
