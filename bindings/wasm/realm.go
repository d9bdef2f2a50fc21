package wasm

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"gopk/bindings/host"
	"gopk/bindings/jsutil"
)

// realm is the WebAssembly state of one room's VM. Only the room's
// goroutine touches it, except res and watch, which are built for other
// goroutines.
type realm struct {
	e     *Engine
	vm    *goja.Runtime
	env   host.Env
	res   *resources
	watch *interruptWatch
	shell shell
	depth int // nesting of calls into WebAssembly

	// Every wasm function JS sees has one function object, found both ways.
	funcs    map[*goja.Object]*wasmFunc
	funcObjs map[funcKey]*goja.Object
	// memObjs finds a memory's handle (and so its JS object) from the
	// wazero memory; memories with a live buffer are checked after every
	// call, since WebAssembly may have grown them.
	memObjs  map[api.Memory]*memory
	buffered []*memory
	// hostCalls holds the JS functions each instance imports. wazero calls
	// them through a weak pointer to the realm (see hostModuleFor), so
	// that wazero's store never keeps a room's VM alive.
	hostCalls [][]hostCall
	externs   externrefs
	bigInt    goja.Callable
	// Exported globals and tables, by instance and name, so each has one
	// JS object.
	globals map[exportKey]*global
	tables  map[exportKey]*table
	// types are the function types of every module instantiated here: the
	// candidates when reading a table's function elements.
	types []funcType
}

func (r *realm) addTypes(ts []funcType) {
outer:
	for _, t := range ts {
		for _, k := range r.types {
			if k.equal(t) {
				continue outer
			}
		}
		r.types = append(r.types, t)
	}
}

func contextAfterFunc(l host.Loop, f func()) (stop func() bool) {
	return context.AfterFunc(l.Context(), f)
}

// hostObject is the `host` argument of wasm.js.
func (r *realm) hostObject() *goja.Object {
	o := r.vm.NewObject()
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		if err := o.Set(name, fn); err != nil {
			panic(err)
		}
	}
	set("compile", func(c goja.FunctionCall) goja.Value {
		return r.vm.ToValue(r.compile(r.bytesArg(c.Argument(0), c.Argument(1).String()), c.Argument(1).String()))
	})
	set("compileEmbedded", func(c goja.FunctionCall) goja.Value {
		comp, err := r.e.compileEmbedded(c.Argument(0).String(), base64.StdEncoding.DecodeString)
		if err != nil {
			r.throw(r.shell.compileError, "WebAssembly.Module(): %s", errorText(err))
		}
		return r.vm.ToValue(comp)
	})
	_ = o.Set("embeddedKey", EmbeddedModuleKey)
	set("compileAsync", func(c goja.FunctionCall) goja.Value { return r.compileAsync(c.Argument(0), c.Argument(1).String()) })
	set("validate", func(c goja.FunctionCall) goja.Value {
		_, err := r.e.Compile(r.bytesArg(c.Argument(0), c.Argument(1).String()))
		return r.vm.ToValue(err == nil)
	})
	set("moduleExports", func(c goja.FunctionCall) goja.Value { return r.moduleExports(r.compiledArg(c.Argument(0))) })
	set("moduleImports", func(c goja.FunctionCall) goja.Value { return r.moduleImports(r.compiledArg(c.Argument(0))) })
	set("customSections", func(c goja.FunctionCall) goja.Value {
		return r.customSections(r.compiledArg(c.Argument(0)), c.Argument(1).String())
	})
	set("instantiate", func(c goja.FunctionCall) goja.Value {
		return r.instantiate(r.compiledArg(c.Argument(0)), c.Argument(1), c.Argument(2).String())
	})
	set("memoryNew", func(c goja.FunctionCall) goja.Value { return r.memoryNew(c.Argument(0), c.Argument(1)) })
	set("memoryGrow", func(c goja.FunctionCall) goja.Value {
		return r.memoryGrow(handle[*memory](c.Argument(0)), c.Argument(1))
	})
	set("memoryBuffer", func(c goja.FunctionCall) goja.Value { return r.memoryBuffer(handle[*memory](c.Argument(0))) })
	set("globalNew", func(c goja.FunctionCall) goja.Value { return r.globalNew(c.Argument(0), c.Argument(1), c.Argument(2)) })
	set("globalGet", func(c goja.FunctionCall) goja.Value { return r.globalGet(handle[*global](c.Argument(0))) })
	set("globalSet", func(c goja.FunctionCall) goja.Value {
		r.globalSet(handle[*global](c.Argument(0)), c.Argument(1))
		return goja.Undefined()
	})
	set("tableNew", func(c goja.FunctionCall) goja.Value {
		return r.tableNew(c.Argument(0), c.Argument(1), c.Argument(2).ToBoolean(), c.Argument(3))
	})
	set("tableLength", func(c goja.FunctionCall) goja.Value { return r.tableLength(handle[*table](c.Argument(0))) })
	set("tableGrow", func(c goja.FunctionCall) goja.Value {
		return r.tableGrow(handle[*table](c.Argument(0)), c.Argument(1), c.Argument(2), c.Argument(3).ToBoolean())
	})
	set("tableGet", func(c goja.FunctionCall) goja.Value { return r.tableGet(handle[*table](c.Argument(0)), c.Argument(1)) })
	set("tableSet", func(c goja.FunctionCall) goja.Value {
		r.tableSet(handle[*table](c.Argument(0)), c.Argument(1), c.Argument(2), c.Argument(3).ToBoolean())
		return goja.Undefined()
	})
	return o
}

// handle is the Go value wasm.js keeps in a private field.
func handle[T any](v goja.Value) T {
	return v.Export().(T)
}

func (r *realm) compiledArg(v goja.Value) *compiled { return handle[*compiled](v) }

// bytesArg copies a BufferSource argument.
func (r *realm) bytesArg(v goja.Value, api string) []byte {
	b, ok := jsutil.Bytes(r.vm, v)
	if !ok {
		r.typeError("%s: Argument 0 must be a buffer source", api)
	}
	return b
}

func (r *realm) compile(b []byte, api string) *compiled {
	c, err := r.e.Compile(b)
	if err != nil {
		r.throw(r.shell.compileError, "%s: %s", api, errorText(err))
	}
	return c
}

// compileAsync compiles off the room's goroutine and settles on it.
func (r *realm) compileAsync(v goja.Value, api string) goja.Value {
	b := r.bytesArg(v, api)
	p, resolve, reject := r.vm.NewPromise()
	r.env.Loop.Go(func(context.Context) func() {
		c, err := r.e.Compile(b)
		return func() {
			if err != nil {
				_ = reject(r.newError(r.shell.compileError, "%s: %s", api, errorText(err)))
				return
			}
			_ = resolve(r.vm.ToValue(c))
		}
	})
	return r.vm.ToValue(p)
}

func (r *realm) moduleExports(c *compiled) goja.Value {
	out := make([]any, 0, len(c.info.exports))
	for _, e := range c.info.exports {
		o := r.vm.NewObject()
		_ = o.Set("name", e.name)
		_ = o.Set("kind", e.kind.String())
		out = append(out, o)
	}
	return r.vm.NewArray(out...)
}

func (r *realm) moduleImports(c *compiled) goja.Value {
	out := make([]any, 0, len(c.info.imports))
	for _, i := range c.info.imports {
		o := r.vm.NewObject()
		_ = o.Set("module", i.module)
		_ = o.Set("name", i.name)
		_ = o.Set("kind", i.kind.String())
		out = append(out, o)
	}
	return r.vm.NewArray(out...)
}

func (r *realm) customSections(c *compiled, name string) goja.Value {
	var out []any
	for _, s := range c.info.custom {
		if s.name == name {
			out = append(out, r.vm.NewArrayBuffer(append([]byte(nil), s.data...)))
		}
	}
	return r.vm.NewArray(out...)
}

// --- errors ------------------------------------------------------------------

func (r *realm) newError(ctor *goja.Object, format string, args ...any) *goja.Object {
	o, err := r.vm.New(ctor, r.vm.ToValue(fmt.Sprintf(format, args...)))
	if err != nil {
		panic(err)
	}
	return o
}

func (r *realm) throw(ctor *goja.Object, format string, args ...any) {
	panic(r.newError(ctor, format, args...))
}

func (r *realm) typeError(format string, args ...any) {
	panic(r.vm.NewTypeError(fmt.Sprintf(format, args...)))
}

func (r *realm) rangeError(format string, args ...any) {
	r.throw(r.vm.GlobalObject().Get("RangeError").ToObject(r.vm), format, args...)
}

func errorText(err error) string {
	var ce *CompileError
	if errors.As(err, &ce) {
		return ce.Msg
	}
	return err.Error()
}

// thrown carries whatever a JS function imported by WebAssembly threw (or
// any panic of gopk's own while serving such a call) through wazero, which
// recovers panics of host functions and returns them, wrapped, as the
// error of the outermost call.
type thrown struct{ value any }

func (t *thrown) Error() string { return fmt.Sprint(t.value) }

// trapMessages are V8's words for the traps wazero reports (V8 is what
// workerd runs, and what messages users compare against).
var trapMessages = map[string]string{
	"unreachable":                   "unreachable",
	"integer divide by zero":        "divide by zero",
	"integer overflow":              "integer overflow",
	"invalid conversion to integer": "float unrepresentable in integer range",
	"out of bounds memory access":   "memory access out of bounds",
	"invalid table access":          "table index is out of bounds",
	"indirect call type mismatch":   "null function or function signature mismatch",
	"null reference":                "dereferencing a null pointer",
}

// rethrow turns the error of a call into WebAssembly into what JS sees,
// and panics with it (the goja way to throw from Go).
func (r *realm) rethrow(err error) {
	var t *thrown
	if errors.As(err, &t) {
		panic(t.value) // the JS exception, or goja's interrupt, unchanged
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case exitInterrupted:
			// goja raises its interrupt as soon as JS runs again; an error
			// made without running JS lets that happen at the caller.
			panic(r.vm.NewGoError(errors.New("WebAssembly execution was interrupted by the room's watchdog")))
		case exitLoopStopped:
			r.throw(r.shell.runtimeErr, "WebAssembly execution was stopped: the room is shutting down")
		}
		r.throw(r.shell.runtimeErr, "WebAssembly instance has exited with code %d", exit.ExitCode())
	}
	msg := err.Error()
	if msg == "stack overflow" { // wazero returns its stack error bare
		r.rangeError("Maximum call stack size exceeded")
	}
	if rest, ok := strings.CutPrefix(msg, "wasm error: "); ok {
		trap, _, _ := strings.Cut(rest, "\n")
		if trap == "stack overflow" {
			r.rangeError("Maximum call stack size exceeded")
		}
		if v8, ok := trapMessages[trap]; ok {
			trap = v8
		}
		r.throw(r.shell.runtimeErr, "%s", trap)
	}
	r.throw(r.shell.runtimeErr, "%s", msg)
}

// enter and leave bracket every call into WebAssembly.
func (r *realm) enter() {
	r.depth++
	if r.depth == 1 {
		r.watch.enter()
	}
}

func (r *realm) leave() {
	r.depth--
	if r.depth == 0 {
		r.watch.leave()
	}
	r.refreshBuffers()
}

// callCtx is the context of every call into WebAssembly. Calls are stopped
// by closing their modules (interrupt.go), not through the context.
var callCtx = context.Background()

// checkOpen throws for a call into an instance that was stopped earlier.
func (r *realm) checkOpen(m api.Module) {
	if m.IsClosed() {
		r.throw(r.shell.runtimeErr, "WebAssembly instance was stopped (the room's watchdog interrupted it, or the room is shutting down)")
	}
}
