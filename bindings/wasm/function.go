package wasm

import (
	"context"
	"math"
	"math/big"
	"strconv"
	"weak"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// wasmFunc is a WebAssembly function as JS sees it (an "Exported Function"
// of the JS API).
type wasmFunc struct {
	mod  api.Module // the instance that exports it, for linking into another
	name string     // its export name there; "" for functions read from a table
	typ  funcType
	fn   api.Function // nil until the first call
	busy bool
	// fresh makes another call engine of the function, for a call made
	// while fn is busy (wasm → JS → the same wasm function): wazero's
	// functions are not re-entrant.
	fresh func() api.Function
}

type funcKey struct {
	mod   api.Module
	index uint32
}

// funcObject returns the one JS function of a wasm function.
func (r *realm) funcObject(key funcKey, newFunc func() *wasmFunc) *goja.Object {
	if o, ok := r.funcObjs[key]; ok {
		return o
	}
	// The JS API names an exported function by its index.
	o := r.newFuncObject(newFunc(), strconv.FormatUint(uint64(key.index), 10))
	r.funcObjs[key] = o
	return o
}

func (r *realm) newFuncObject(f *wasmFunc, name string) *goja.Object {
	o := r.vm.ToValue(func(call goja.FunctionCall) goja.Value { return r.callWasm(f, call.Arguments) }).(*goja.Object)
	_ = o.DefineDataProperty("name", r.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = o.DefineDataProperty("length", r.vm.ToValue(len(f.typ.params)), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	r.funcs[o] = f
	return o
}

// callWasm is a JS call of a wasm function.
func (r *realm) callWasm(f *wasmFunc, args []goja.Value) goja.Value {
	stack := make([]uint64, max(len(f.typ.params), len(f.typ.results)))
	for i, t := range f.typ.params {
		var a goja.Value = goja.Undefined()
		if i < len(args) {
			a = args[i]
		}
		stack[i] = r.toWasm(t, a)
	}
	r.checkOpen(f.mod)
	if f.fn == nil {
		f.fn = f.fresh() // made on first call: each costs a stack
	}
	fn := f.fn
	if f.busy {
		fn = f.fresh()
	} else {
		f.busy = true
		defer func() { f.busy = false }()
	}
	r.enter()
	err := fn.CallWithStack(callCtx, stack)
	r.leave()
	if err != nil {
		r.rethrow(err)
	}
	switch len(f.typ.results) {
	case 0:
		return goja.Undefined()
	case 1:
		return r.fromWasm(f.typ.results[0], stack[0])
	}
	out := make([]any, len(f.typ.results))
	for i, t := range f.typ.results {
		out[i] = r.fromWasm(t, stack[i])
	}
	return r.vm.NewArray(out...)
}

// hostCall is a JS function imported by an instance.
type hostCall struct {
	fn  goja.Callable
	typ funcType
}

// hostModuleFor compiles the Go functions that let instance slot call its
// JS imports, named as the instance imports them from one module. The Go
// functions reach the realm through a weak pointer: wazero's store outlives
// rooms, and must not keep their VMs alive.
func (r *realm) hostModuleFor(slot int, names []string, idx []int) (wazero.CompiledModule, error) {
	wr := weak.Make(r)
	return r.e.hostModule(func(b wazero.HostModuleBuilder) {
		for k, name := range names {
			i := idx[k]
			typ := r.hostCalls[slot][i].typ
			call := func(_ context.Context, _ api.Module, stack []uint64) {
				rr := wr.Value()
				if rr == nil {
					panic(&thrown{value: "the room's VM is gone"})
				}
				rr.callJS(&rr.hostCalls[slot][i], stack)
			}
			b.NewFunctionBuilder().
				WithGoModuleFunction(api.GoModuleFunc(call), typ.params, typ.results).
				Export(name)
		}
	})
}

// callJS runs an imported JS function for WebAssembly. Anything it throws
// (and any panic here) goes back through wazero as a thrown.
func (r *realm) callJS(h *hostCall, stack []uint64) {
	defer func() {
		if p := recover(); p != nil {
			if t, ok := p.(*thrown); ok {
				panic(t)
			}
			panic(&thrown{value: p})
		}
	}()
	r.refreshBuffers()
	args := make([]goja.Value, len(h.typ.params))
	for i, t := range h.typ.params {
		args[i] = r.fromWasm(t, stack[i])
	}
	ret, err := h.fn(goja.Undefined(), args...)
	if err != nil {
		if ex, ok := err.(*goja.Exception); ok {
			panic(&thrown{value: ex})
		}
		panic(&thrown{value: err}) // goja's interrupt or stack overflow
	}
	switch len(h.typ.results) {
	case 0:
	case 1:
		stack[0] = r.toWasm(h.typ.results[0], ret)
	default:
		var vals []goja.Value
		if goja.IsUndefined(ret) || goja.IsNull(ret) {
			r.typeError("multi-value return of an imported function must be iterable")
		}
		r.vm.ForOf(ret, func(v goja.Value) bool { vals = append(vals, v); return true })
		if len(vals) != len(h.typ.results) {
			r.typeError("multi-return length mismatch: got %d values, the function type has %d", len(vals), len(h.typ.results))
		}
		for i, t := range h.typ.results {
			stack[i] = r.toWasm(t, vals[i])
		}
	}
}

// --- values ------------------------------------------------------------------

// toWasm is ToWebAssemblyValue: v as the raw uint64 wazero passes for t.
func (r *realm) toWasm(t byte, v goja.Value) uint64 {
	switch t {
	case valI32:
		return uint64(uint32(toInt32(r.toNumber(v))))
	case valI64:
		return r.toBigInt64(v)
	case valF32:
		return uint64(math.Float32bits(float32(r.toNumber(v))))
	case valF64:
		return math.Float64bits(r.toNumber(v))
	case valExternref:
		if goja.IsNull(v) {
			return 0
		}
		return r.externs.ref(v)
	case valFuncref:
		if goja.IsNull(v) {
			return 0
		}
		r.typeError("gopk cannot pass a function reference (funcref) from JS to WebAssembly; only null")
	}
	r.typeError("type incompatibility when transforming from/to JS")
	return 0
}

// fromWasm is ToJSValue.
func (r *realm) fromWasm(t byte, raw uint64) goja.Value {
	switch t {
	case valI32:
		return r.vm.ToValue(int32(uint32(raw)))
	case valI64:
		return r.vm.ToValue(big.NewInt(int64(raw)))
	case valF32:
		return r.vm.ToValue(float64(math.Float32frombits(uint32(raw))))
	case valF64:
		return r.vm.ToValue(math.Float64frombits(raw))
	case valExternref:
		if raw == 0 {
			return goja.Null()
		}
		return r.externs.value(raw)
	case valFuncref:
		if raw == 0 {
			return goja.Null()
		}
		r.typeError("gopk cannot pass a function reference (funcref) from WebAssembly to JS")
	}
	r.typeError("type incompatibility when transforming from/to JS")
	return nil
}

func (r *realm) toNumber(v goja.Value) float64 {
	if _, isBig := v.Export().(*big.Int); isBig {
		r.typeError("Cannot convert a BigInt value to a number")
	}
	return v.ToFloat()
}

// toInt32 is ECMAScript's ToInt32 of a Number.
func toInt32(f float64) int32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	f = math.Mod(math.Trunc(f), 1<<32)
	if f < 0 {
		f += 1 << 32
	}
	return int32(uint32(f))
}

var mask64 = new(big.Int).SetUint64(math.MaxUint64)

// toBigInt64 is ToBigInt64: a BigInt (or what BigInt() accepts, but not a
// Number) wrapped to 64 bits.
func (r *realm) toBigInt64(v goja.Value) uint64 {
	b, ok := v.Export().(*big.Int)
	if !ok {
		if _, isObj := v.(*goja.Object); !isObj {
			switch v.Export().(type) {
			case int64, float64:
				r.typeError("Cannot convert %s to a BigInt", v.String())
			}
		}
		if goja.IsUndefined(v) || goja.IsNull(v) {
			r.typeError("Cannot convert %s to a BigInt", v.String())
		}
		conv, err := r.bigInt(goja.Undefined(), v)
		if err != nil {
			panic(err)
		}
		if b, ok = conv.Export().(*big.Int); !ok {
			r.typeError("Cannot convert %s to a BigInt", v.String())
		}
	}
	return new(big.Int).And(b, mask64).Uint64()
}

// externrefs gives JS values to WebAssembly as externref: small integer
// handles (0 is null). wazero treats references as opaque numbers, and
// cannot say when WebAssembly drops one, so handles live as long as the
// room's VM; objects get one handle each.
type externrefs struct {
	values []goja.Value
	objs   map[*goja.Object]uint64
}

func (x *externrefs) ref(v goja.Value) uint64 {
	if o, ok := v.(*goja.Object); ok {
		if h, ok := x.objs[o]; ok {
			return h
		}
		if x.objs == nil {
			x.objs = map[*goja.Object]uint64{}
		}
		x.values = append(x.values, v)
		h := uint64(len(x.values))
		x.objs[o] = h
		return h
	}
	x.values = append(x.values, v)
	return uint64(len(x.values))
}

func (x *externrefs) value(h uint64) goja.Value {
	if h == 0 || h > uint64(len(x.values)) {
		return goja.Null()
	}
	return x.values[h-1]
}
