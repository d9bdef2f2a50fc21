// Package wasm gives each room the WebAssembly global of workerd, run by
// wazero (pure Go): Module, Instance, instantiate, compile, validate, Memory,
// Global, Table and the CompileError, LinkError and RuntimeError classes.
//
// Compiled code is shared by every room of the process: an Engine compiles
// each distinct module once (by content) and every Instance gets its own
// memory. Imports are linked explicitly, module by module, so rooms never
// see each other's instances. JS functions imported by a module run on the
// room's goroutine, where the call into WebAssembly came from.
//
// Numbers cross as the JS API says: i32, f32 and f64 as Numbers, i64 as
// BigInt; externref as any JS value; funcref only as null (wazero cannot
// hand a function reference to Go).
//
// Bounds: each linear memory is capped (Options.MemoryLimitPages), and a
// call the room's watchdog interrupts is stopped (interrupt.go). wazero
// objects are released when the room's VM is garbage collected or its loop
// stops.
package wasm

import (
	_ "embed"
	"fmt"
	"runtime"
	"sync"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero/api"

	"gopk/bindings/host"
)

// EmbeddedModuleKey names (through Symbol.for) the function on
// WebAssembly.Module that runtime/bundle's .wasm imports call with the
// file's bytes as base64: rooms running one bundle share that string, and
// the Engine compiles it once.
const EmbeddedModuleKey = "gopk.wasm.embedded"

// Install defines the WebAssembly global of vm on the process-wide Engine.
// The namespace is built on first access, so rooms that never use it pay
// nothing but one accessor property.
func Install(vm *goja.Runtime, env host.Env) error { return Default().Install(vm, env) }

// Install defines the WebAssembly global of vm on this Engine.
func (e *Engine) Install(vm *goja.Runtime, env host.Env) error {
	if _, err := shellProgram(); err != nil {
		return fmt.Errorf("wasm: compiling wasm.js: %w", err)
	}
	var ns goja.Value
	build := func() goja.Value {
		if ns == nil {
			r, err := newRealm(e, vm, env)
			if err != nil {
				panic(vm.NewGoError(err))
			}
			ns = r.shell.namespace
			define(vm, ns)
		}
		return ns
	}
	getter := vm.ToValue(func(goja.FunctionCall) goja.Value { return build() })
	setter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		build()
		define(vm, call.Argument(0))
		return goja.Undefined()
	})
	if err := vm.GlobalObject().DefineAccessorProperty("WebAssembly", getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("wasm: defining WebAssembly: %w", err)
	}
	return nil
}

// define makes WebAssembly the plain data property workerd has.
func define(vm *goja.Runtime, v goja.Value) {
	if err := vm.GlobalObject().DefineDataProperty("WebAssembly", v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(vm.NewGoError(err))
	}
}

//go:embed wasm.js
var shellSource string

var shellProgram = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("gopk:wasm.js", shellSource, true)
})

// shell is what wasm.js hands back to Go.
type shell struct {
	namespace                           *goja.Object
	compileError, linkError, runtimeErr *goja.Object
	wrapMemory, wrapTable, wrapGlobal   goja.Callable
	memoryOf, tableOf, globalOf         goja.Callable
}

func newRealm(e *Engine, vm *goja.Runtime, env host.Env) (*realm, error) {
	prog, err := shellProgram()
	if err != nil {
		return nil, err
	}
	r := &realm{
		e:        e,
		vm:       vm,
		env:      env,
		res:      &resources{},
		funcs:    map[*goja.Object]*wasmFunc{},
		funcObjs: map[funcKey]*goja.Object{},
		memObjs:  map[api.Memory]*memory{},
	}
	r.watch = newInterruptWatch(vm, e.opts.InterruptPoll, r.res)
	if env.Loop != nil {
		res := r.res
		stop := contextAfterFunc(env.Loop, func() { res.stop(exitLoopStopped); res.close() })
		res.mu.Lock()
		res.stopLoop = stop
		res.mu.Unlock()
	}
	runtime.AddCleanup(r, func(res *resources) { res.close() }, r.res)

	fnv, err := vm.RunProgram(prog)
	if err != nil {
		return nil, err
	}
	fn, _ := goja.AssertFunction(fnv)
	out, err := fn(goja.Undefined(), r.hostObject())
	if err != nil {
		return nil, err
	}
	o := out.ToObject(vm)
	callable := func(name string) goja.Callable {
		f, ok := goja.AssertFunction(o.Get(name))
		if !ok {
			panic("wasm.js did not return " + name)
		}
		return f
	}
	r.shell = shell{
		namespace:    o.Get("WebAssembly").ToObject(vm),
		compileError: o.Get("CompileError").ToObject(vm),
		linkError:    o.Get("LinkError").ToObject(vm),
		runtimeErr:   o.Get("RuntimeError").ToObject(vm),
		wrapMemory:   callable("wrapMemory"),
		wrapTable:    callable("wrapTable"),
		wrapGlobal:   callable("wrapGlobal"),
		memoryOf:     callable("memoryOf"),
		tableOf:      callable("tableOf"),
		globalOf:     callable("globalOf"),
	}
	r.bigInt, _ = goja.AssertFunction(vm.GlobalObject().Get("BigInt"))
	return r, nil
}
