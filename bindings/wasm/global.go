package wasm

import (
	"math/big"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero/api"
)

// global is a WebAssembly global as JS sees it: an export of some instance
// (one gopk writes for `new WebAssembly.Global`).
type global struct {
	owner api.Module
	name  string
	typ   globalType
	g     api.Global
	obj   *goja.Object
	// An immutable externref global made in JS with a value other than
	// null: wazero can only initialise a global from a constant, so the
	// value lives here, and the global cannot be imported by WebAssembly.
	jsOnly  bool
	jsValue goja.Value
}

type exportKey struct {
	mod  api.Module
	name string
}

// valueTypes are the JS API's names of value types.
var valueTypes = map[string]byte{
	"i32": valI32, "i64": valI64, "f32": valF32, "f64": valF64,
	"externref": valExternref, "anyfunc": valFuncref, "funcref": valFuncref,
}

func (r *realm) globalNew(desc, v, this goja.Value) goja.Value {
	const apiName = "WebAssembly.Global()"
	if !isObject(desc) {
		r.typeError("%s: Argument 0 must be a global descriptor", apiName)
	}
	d := desc.ToObject(r.vm)
	mutable := d.Get("mutable") != nil && d.Get("mutable").ToBoolean()
	var typ byte
	if tv := d.Get("value"); tv != nil {
		typ = valueTypes[tv.String()]
	}
	if typ == 0 {
		r.typeError("%s: Descriptor property 'value' must be a WebAssembly type", apiName)
	}
	if v == nil || goja.IsUndefined(v) {
		v = goja.Undefined() // the default externref is undefined too
		if typ != valExternref {
			v = nil
		}
	}
	var raw uint64
	if v != nil {
		raw = r.toWasm(typ, v)
	}
	if typ == valExternref && !mutable && raw != 0 {
		g := r.makeGlobal(globalType{val: typ}, 0, apiName)
		g.jsOnly, g.jsValue, g.obj = true, v, this.(*goja.Object)
		return r.vm.ToValue(g)
	}
	g := r.makeGlobal(globalType{val: typ, mutable: mutable}, raw, apiName)
	g.obj = this.(*goja.Object)
	return r.vm.ToValue(g)
}

// makeGlobal makes an instance holding one global. A mutable one is set
// after instantiation, so its module is shared by every global of its
// type; an immutable one can only get its value from its initialiser, so
// its module is written for the value and not cached.
func (r *realm) makeGlobal(t globalType, raw uint64, apiName string) *global {
	w := moduleWriter{exports: []exportDesc{{name: "global", kind: kindGlobal}}}
	if t.mutable {
		w.globals = []globalDef{{typ: t, init: constExpr(t.val, 0)}}
		mod := r.ownInstance(w.bytes(), apiName)
		g := mod.ExportedGlobal("global")
		g.(api.MutableGlobal).Set(raw)
		return &global{owner: mod, name: "global", typ: t, g: g}
	}
	if (t.val == valExternref || t.val == valFuncref) && raw != 0 {
		r.typeError("%s: gopk can make an immutable reference global only with the value null", apiName)
	}
	w.globals = []globalDef{{typ: t, init: constExpr(t.val, raw)}}
	c, err := r.e.compileNew(w.bytes(), false)
	if err != nil {
		r.typeError("%s: %s", apiName, errorText(err))
	}
	r.res.addCompiled(c.code)
	mod, err := r.e.instantiate(c, nil)
	if err != nil {
		r.typeError("%s: %s", apiName, err)
	}
	r.res.addModule(mod)
	return &global{owner: mod, name: "global", typ: t, g: mod.ExportedGlobal("global")}
}

// globalFromValue is the global made for an import given as a plain value.
func (r *realm) globalFromValue(t globalType, v goja.Value, where string) *global {
	if t.mutable {
		r.throw(r.shell.linkError, "%s: imported mutable global must be a WebAssembly.Global object", where)
	}
	_, isBig := v.Export().(*big.Int)
	switch t.val {
	case valI64:
		if !isBig {
			r.throw(r.shell.linkError, "%s: global import must be a BigInt value", where)
		}
	case valI32, valF32, valF64:
		if _, isObj := v.(*goja.Object); isObj || isBig || goja.IsUndefined(v) || goja.IsNull(v) {
			r.throw(r.shell.linkError, "%s: global import must be a number, valid Wasm reference, or WebAssembly.Global object", where)
		}
		switch v.Export().(type) {
		case int64, float64:
		default:
			r.throw(r.shell.linkError, "%s: global import must be a number, valid Wasm reference, or WebAssembly.Global object", where)
		}
	}
	raw := r.toWasm(t.val, v)
	if t.val == valExternref && raw != 0 {
		r.throw(r.shell.linkError, "%s: gopk cannot give WebAssembly an immutable reference global that holds a value other than null", where)
	}
	return r.makeGlobal(t, raw, where)
}

func (r *realm) exportedGlobal(mod api.Module, name string, t globalType) *global {
	key := exportKey{mod, name}
	if g, ok := r.globals[key]; ok {
		return g
	}
	g := &global{owner: mod, name: name, typ: t, g: mod.ExportedGlobal(name)}
	if r.globals == nil {
		r.globals = map[exportKey]*global{}
	}
	r.globals[key] = g
	return g
}

func (r *realm) globalObject(g *global) goja.Value {
	if g.obj == nil {
		obj, err := r.shell.wrapGlobal(goja.Undefined(), r.vm.ToValue(g))
		if err != nil {
			panic(err)
		}
		g.obj = obj.(*goja.Object)
	}
	return g.obj
}

func (r *realm) globalOf(v goja.Value) *global {
	h, err := r.shell.globalOf(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	g, _ := h.Export().(*global)
	return g
}

func (r *realm) globalGet(g *global) goja.Value {
	if g.jsOnly {
		return g.jsValue
	}
	return r.fromWasm(g.typ.val, g.g.Get())
}

func (r *realm) globalSet(g *global, v goja.Value) {
	if !g.typ.mutable {
		r.typeError("WebAssembly.Global.value: Can't set the value of an immutable global.")
	}
	g.g.(api.MutableGlobal).Set(r.toWasm(g.typ.val, v))
}
