package wasm

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero/api"
	wtable "github.com/tetratelabs/wazero/experimental/table"
)

// table is a WebAssembly table as JS sees it. wazero has no Go API for
// tables, so each table gets an "ops" instance gopk writes, which imports
// the table and exports size, grow, get, set and fill. Function elements
// are read with wazero's experimental table.LookupFunction, which needs the
// element's type: every function type the room's modules use is tried.
type table struct {
	owner api.Module
	name  string
	index uint32 // among the owner's tables
	typ   tableType
	obj   *goja.Object
	ops   api.Module
	link  api.Module // exports the table as "table", for ops and setters
	// setters are the instances that store one wasm function in this table
	// (ref.func needs the function imported); kept, since the table then
	// refers to them.
	setters map[*wasmFunc]api.Module
}

// tableOps writes the ops module of a table of element type elem.
func tableOps(elem byte) []byte {
	var w moduleWriter
	w.addImport(importDesc{module: "t", name: "table", kind: kindTable, table: tableType{elem: elem}})
	i32, ref := valI32, elem
	fn := func(name string, ft funcType, body ...byte) {
		idx := w.addFunc(ft, append([]byte{0}, append(body, 0x0b)...))
		w.exports = append(w.exports, exportDesc{name: name, kind: kindFunc, index: idx})
	}
	fn("size", funcType{results: []byte{i32}}, 0xfc, 16, 0)
	fn("grow", funcType{params: []byte{i32, ref}, results: []byte{i32}}, 0x20, 1, 0x20, 0, 0xfc, 15, 0)
	fn("set", funcType{params: []byte{i32, ref}}, 0x20, 0, 0x20, 1, 0x26, 0)
	fn("fill", funcType{params: []byte{i32, ref, i32}}, 0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 17, 0)
	if elem == valExternref {
		fn("get", funcType{params: []byte{i32}, results: []byte{ref}}, 0x20, 0, 0x25, 0)
	}
	return w.bytes()
}

func (r *realm) tableNew(desc, value goja.Value, hasValue bool, this goja.Value) goja.Value {
	const apiName = "WebAssembly.Table()"
	if !isObject(desc) {
		r.typeError("%s: Argument 0 must be a table descriptor", apiName)
	}
	d := desc.ToObject(r.vm)
	var elem byte
	if ev := d.Get("element"); ev != nil {
		switch ev.String() {
		case "anyfunc", "funcref":
			elem = valFuncref
		case "externref":
			elem = valExternref
		}
	}
	if elem == 0 {
		r.typeError("%s: Descriptor property 'element' must be a WebAssembly reference type", apiName)
	}
	initial, ok := r.optU32(d, "initial", apiName)
	if minimum, hasMin := r.optU32(d, "minimum", apiName); hasMin {
		initial, ok = minimum, true
	}
	if !ok {
		r.typeError("%s: Property 'initial' is required", apiName)
	}
	maximum, hasMax := r.optU32(d, "maximum", apiName)
	if hasMax && maximum < initial {
		r.rangeError("%s: Property 'maximum': value %d is below the lower bound %d", apiName, maximum, initial)
	}
	const maxTable = 10_000_000 // V8's limit
	if initial > maxTable {
		r.rangeError("%s: Property 'initial': value %d is above the upper bound %d", apiName, initial, maxTable)
	}
	w := moduleWriter{
		tables:  []tableType{{elem: elem, limits: limits{min: initial, max: maximum, hasMax: hasMax}}},
		exports: []exportDesc{{name: "table", kind: kindTable}},
	}
	mod := r.ownInstance(w.bytes(), apiName)
	t := &table{owner: mod, name: "table", typ: w.tables[0], obj: this.(*goja.Object)}
	if !hasValue && elem == valExternref {
		value, hasValue = goja.Undefined(), true // the default externref is undefined
	}
	if hasValue && initial > 0 {
		ref, fn := r.elemRef(t, value, apiName)
		r.tableFill(t, 0, ref, fn, initial)
	}
	return r.vm.ToValue(t)
}

func (r *realm) exportedTable(mod api.Module, name string, index uint32, typ tableType) *table {
	key := exportKey{mod, name}
	if t, ok := r.tables[key]; ok {
		return t
	}
	t := &table{owner: mod, name: name, index: index, typ: typ}
	if r.tables == nil {
		r.tables = map[exportKey]*table{}
	}
	r.tables[key] = t
	return t
}

func (r *realm) tableObject(t *table) goja.Value {
	if t.obj == nil {
		obj, err := r.shell.wrapTable(goja.Undefined(), r.vm.ToValue(t))
		if err != nil {
			panic(err)
		}
		t.obj = obj.(*goja.Object)
	}
	return t.obj
}

func (r *realm) tableOf(v goja.Value) *table {
	h, err := r.shell.tableOf(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	t, _ := h.Export().(*table)
	return t
}

// opsOf instantiates the table's ops module on first use.
func (r *realm) opsOf(t *table) api.Module {
	if t.ops == nil {
		c, err := r.e.compileOwn(tableOps(t.typ.elem))
		if err != nil {
			panic(r.vm.NewGoError(fmt.Errorf("table ops: %w", err)))
		}
		ops, err := r.e.instantiate(c, map[string]api.Module{"t": r.tableLinkOf(t)})
		if err != nil {
			panic(r.vm.NewGoError(fmt.Errorf("table ops: %w", err)))
		}
		r.res.addModule(ops)
		t.ops = ops
	}
	return t.ops
}

// tableLinkOf is an instance exporting t as "table" (the ops and setter
// modules import it under that name).
func (r *realm) tableLinkOf(t *table) api.Module {
	if t.name == "table" {
		return t.owner
	}
	if t.link != nil {
		return t.link
	}
	var w moduleWriter
	w.exports = []exportDesc{{name: "table", kind: kindTable, index: w.addImport(importDesc{module: "o", name: t.name, kind: kindTable, table: tableType{elem: t.typ.elem}})}}
	c, err := r.e.compileOwn(w.bytes())
	if err != nil {
		panic(r.vm.NewGoError(err))
	}
	link, err := r.e.instantiate(c, map[string]api.Module{"o": t.owner})
	if err != nil {
		panic(r.vm.NewGoError(err))
	}
	r.res.addModule(link)
	t.link = link
	return link
}

// op calls an ops function; stack holds its arguments and gets its results.
func (r *realm) op(t *table, name string, stack ...uint64) []uint64 {
	ops := r.opsOf(t)
	r.checkOpen(t.owner)
	stack = append(stack, 0)
	r.enter()
	err := ops.ExportedFunction(name).CallWithStack(callCtx, stack)
	r.leave()
	if err != nil {
		r.rethrow(err)
	}
	return stack
}

func (r *realm) tableSize(t *table) uint32 { return uint32(r.op(t, "size")[0]) }

func (r *realm) tableLength(t *table) goja.Value { return r.vm.ToValue(r.tableSize(t)) }

func (r *realm) tableGrow(t *table, delta, value goja.Value, hasValue bool) goja.Value {
	const apiName = "WebAssembly.Table.grow()"
	d := r.u32(delta, apiName+": Argument 0")
	if !hasValue && t.typ.elem == valExternref {
		value, hasValue = goja.Undefined(), true
	}
	var ref uint64
	var fn *wasmFunc
	if hasValue {
		ref, fn = r.elemRef(t, value, apiName)
	}
	prev := int32(uint32(r.op(t, "grow", uint64(d), 0)[0]))
	if prev < 0 {
		r.rangeError("%s: failed to grow table by %d", apiName, d)
	}
	r.tableFill(t, uint32(prev), ref, fn, d)
	return r.vm.ToValue(prev)
}

// tableFill stores ref (or the wasm function fn) in n elements from at.
func (r *realm) tableFill(t *table, at uint32, ref uint64, fn *wasmFunc, n uint32) {
	switch {
	case fn != nil:
		for i := range n {
			r.setFunc(t, at+i, fn)
		}
	case ref != 0 && n > 0:
		r.op(t, "fill", uint64(at), ref, uint64(n))
	}
}

func (r *realm) tableIndex(t *table, index goja.Value, apiName string) uint32 {
	i := r.u32(index, apiName+": Argument 0")
	if size := r.tableSize(t); i >= size {
		r.rangeError("%s: invalid address %d in %s table of size %d", apiName, i, refName(t.typ.elem), size)
	}
	return i
}

func refName(elem byte) string {
	if elem == valExternref {
		return "externref"
	}
	return "funcref"
}

func (r *realm) tableGet(t *table, index goja.Value) goja.Value {
	i := r.tableIndex(t, index, "WebAssembly.Table.get()")
	if t.typ.elem == valExternref {
		return r.externs.value(r.op(t, "get", uint64(i))[0])
	}
	for _, ft := range r.types {
		fn, ok := lookupFunction(t.owner, t.index, i, ft)
		if !ok {
			continue
		}
		owner, index := t.owner, t.index
		return r.vm.ToValue(r.newFuncObject(&wasmFunc{mod: owner, typ: ft, fn: fn, fresh: func() api.Function {
			fn, _ := lookupFunction(owner, index, i, ft)
			return fn
		}}, "0"))
	}
	return goja.Null()
}

// lookupFunction reads a function element of type ft, or reports false when
// the element is null or of another type (wazero panics for both).
func lookupFunction(mod api.Module, tableIndex, i uint32, ft funcType) (fn api.Function, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			if s := fmt.Sprint(p); !strings.Contains(s, "type mismatch") && !strings.Contains(s, "invalid table access") {
				panic(p)
			}
			fn, ok = nil, false
		}
	}()
	return wtable.LookupFunction(mod, tableIndex, i, ft.params, ft.results), true
}

func (r *realm) tableSet(t *table, index, value goja.Value, hasValue bool) {
	const apiName = "WebAssembly.Table.set()"
	i := r.tableIndex(t, index, apiName)
	if !hasValue && t.typ.elem == valExternref {
		value = goja.Undefined()
	}
	ref, fn := r.elemRef(t, value, apiName)
	if fn != nil {
		r.setFunc(t, i, fn)
		return
	}
	r.op(t, "set", uint64(i), ref)
}

// elemRef converts a value for a table of t's type: any JS value for
// externref; null or a wasm function for funcref. A wasm function cannot
// be handed to wazero as a number, so it comes back as fn, to be stored by
// setFunc.
func (r *realm) elemRef(t *table, v goja.Value, apiName string) (ref uint64, fn *wasmFunc) {
	if t.typ.elem == valExternref {
		if goja.IsNull(v) {
			return 0, nil
		}
		return r.externs.ref(v), nil
	}
	if v == nil || goja.IsNull(v) || goja.IsUndefined(v) {
		return 0, nil
	}
	if o, ok := v.(*goja.Object); ok {
		if f := r.funcs[o]; f != nil && f.name != "" {
			return 0, f
		}
	}
	r.typeError("%s: Argument 1 is invalid for table: function-typed object expected", apiName)
	return 0, nil
}

// setFunc stores wasm function f at index i of t, through a small module
// that imports both and runs ref.func; table.set.
func (r *realm) setFunc(t *table, i uint32, f *wasmFunc) {
	setter := t.setters[f]
	if setter == nil {
		var w moduleWriter
		w.addImport(importDesc{module: "t", name: "table", kind: kindTable, table: tableType{elem: valFuncref}})
		fi := w.addImport(importDesc{module: "f", name: f.name, kind: kindFunc, fn: f.typ})
		w.declared = []uint32{fi}
		idx := w.addFunc(funcType{params: []byte{valI32}}, []byte{0, 0x20, 0, 0xd2, byte(fi), 0x26, 0, 0x0b})
		w.exports = []exportDesc{{name: "set", kind: kindFunc, index: idx}}
		c, err := r.e.compileOwn(w.bytes())
		if err != nil {
			panic(r.vm.NewGoError(err))
		}
		setter, err = r.e.instantiate(c, map[string]api.Module{"t": r.tableLinkOf(t), "f": f.mod})
		if err != nil {
			r.typeError("WebAssembly.Table.set(): %s", err)
		}
		r.res.addModule(setter)
		if t.setters == nil {
			t.setters = map[*wasmFunc]api.Module{}
		}
		t.setters[f] = setter
	}
	r.enter()
	err := setter.ExportedFunction("set").CallWithStack(callCtx, []uint64{uint64(i)})
	r.leave()
	if err != nil {
		r.rethrow(err)
	}
}
