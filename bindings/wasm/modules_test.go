package wasm

// Test modules, hand-assembled with moduleWriter (no WAT tool here). Each
// builder's comment gives the module in WAT. wazero validates every one of
// them when it is compiled, so a writer bug fails the tests that use it.

// Opcodes used below.
const (
	opUnreachable = 0x00
	opLoop        = 0x03
	opIf          = 0x04
	opElse        = 0x05
	opEnd         = 0x0b
	opBr          = 0x0c
	opCall        = 0x10
	opLocalGet    = 0x20
	opGlobalGet   = 0x23
	opGlobalSet   = 0x24
	opI32Load     = 0x28
	opI32Store    = 0x36
	opMemoryGrow  = 0x40
	opI32Const    = 0x41
	opI32Eqz      = 0x45
	opI32Add      = 0x6a
	opI32Sub      = 0x6b
	opI32DivS     = 0x6d
	opI64Add      = 0x7c
	opF64Add      = 0xa0
	opCallIndir   = 0x11
	blockI32      = 0x7f
	blockVoid     = 0x40
)

var (
	i32  = []byte{valI32}
	i64  = []byte{valI64}
	f64  = []byte{valF64}
	ext  = []byte{valExternref}
	none []byte
)

func sig(params, results []byte) funcType { return funcType{params: params, results: results} }

// body wraps instructions as a function body without locals.
func body(code ...byte) []byte { return append(append([]byte{0}, code...), opEnd) }

func export(w *moduleWriter, name string, kind externKind, index uint32) {
	w.exports = append(w.exports, exportDesc{name: name, kind: kind, index: index})
}

// addWasm: (func (export "add") (param i32 i32) (result i32)
// (i32.add (local.get 0) (local.get 1)))
func addWasm() []byte {
	var w moduleWriter
	export(&w, "add", kindFunc, w.addFunc(sig([]byte{valI32, valI32}, i32), body(opLocalGet, 0, opLocalGet, 1, opI32Add)))
	return w.bytes()
}

// mathWasm exports add64 (i64), addf (f64), div (i32.div_s), boom
// (unreachable), spin (loop forever), swap (two results), id (an
// externref back) and recurse (calls itself forever), and has a custom
// section "gopk" holding "hi".
func mathWasm() []byte {
	var w moduleWriter
	export(&w, "add64", kindFunc, w.addFunc(sig([]byte{valI64, valI64}, i64), body(opLocalGet, 0, opLocalGet, 1, opI64Add)))
	export(&w, "addf", kindFunc, w.addFunc(sig([]byte{valF64, valF64}, f64), body(opLocalGet, 0, opLocalGet, 1, opF64Add)))
	export(&w, "div", kindFunc, w.addFunc(sig([]byte{valI32, valI32}, i32), body(opLocalGet, 0, opLocalGet, 1, opI32DivS)))
	export(&w, "boom", kindFunc, w.addFunc(sig(none, none), body(opUnreachable)))
	export(&w, "spin", kindFunc, w.addFunc(sig(none, none), body(opLoop, blockVoid, opBr, 0, opEnd)))
	export(&w, "swap", kindFunc, w.addFunc(sig([]byte{valI32, valI32}, []byte{valI32, valI32}), body(opLocalGet, 1, opLocalGet, 0)))
	export(&w, "id", kindFunc, w.addFunc(sig(ext, ext), body(opLocalGet, 0)))
	rec := w.addFunc(sig(none, none), nil)
	w.code[len(w.code)-1] = body(opCall, byte(rec))
	export(&w, "recurse", kindFunc, rec)
	b := w.bytes()
	// A custom section: id 0, size, name "gopk", data "hi".
	return append(b, 0, 7, 4, 'g', 'o', 'p', 'k', 'h', 'i')
}

// callbackWasm imports env.twice (i32)→i32 and env.log (i32)→(), and
// exports run(x) = twice(x) + 1, after log(x).
func callbackWasm() []byte {
	var w moduleWriter
	w.addImport(importDesc{module: "env", name: "twice", kind: kindFunc, fn: sig(i32, i32)})
	w.addImport(importDesc{module: "env", name: "log", kind: kindFunc, fn: sig(i32, none)})
	export(&w, "run", kindFunc, w.addFunc(sig(i32, i32), body(
		opLocalGet, 0, opCall, 1,
		opLocalGet, 0, opCall, 0, opI32Const, 1, opI32Add)))
	return w.bytes()
}

// countdownWasm imports env.again (i32)→i32 and exports down(n): 100 when
// n is 0, else again(n-1) — so JS can call down again from inside down.
func countdownWasm() []byte {
	var w moduleWriter
	w.addImport(importDesc{module: "env", name: "again", kind: kindFunc, fn: sig(i32, i32)})
	export(&w, "down", kindFunc, w.addFunc(sig(i32, i32), body(
		opLocalGet, 0, opI32Eqz,
		opIf, blockI32, opI32Const, 0xe4, 0x00, // 100 as signed LEB128
		opElse, opLocalGet, 0, opI32Const, 1, opI32Sub, opCall, 0,
		opEnd)))
	return w.bytes()
}

// memoryWasm defines and exports a one-page memory "mem" (max 4) holding
// "hello" at 16, and exports load(addr), store(addr, v) and grow(pages).
func memoryWasm() []byte {
	w := moduleWriter{memories: []limits{{min: 1, max: 4, hasMax: true}}}
	export(&w, "mem", kindMemory, 0)
	memoryFuncs(&w)
	w.data = []segment{{offset: 16, bytes: []byte("hello")}}
	return w.bytes()
}

// importedMemoryWasm is memoryWasm's functions over env.mem, imported.
func importedMemoryWasm() []byte {
	var w moduleWriter
	w.addImport(importDesc{module: "env", name: "mem", kind: kindMemory, mem: limits{min: 1}})
	memoryFuncs(&w)
	return w.bytes()
}

func memoryFuncs(w *moduleWriter) {
	export(w, "load", kindFunc, w.addFunc(sig(i32, i32), body(opLocalGet, 0, opI32Load, 2, 0)))
	export(w, "store", kindFunc, w.addFunc(sig([]byte{valI32, valI32}, none), body(opLocalGet, 0, opLocalGet, 1, opI32Store, 2, 0)))
	export(w, "grow", kindFunc, w.addFunc(sig(i32, i32), body(opLocalGet, 0, opMemoryGrow, 0)))
}

// globalsWasm exports a mutable i32 global "counter" (7), imports an
// immutable i32 env.base and a mutable i64 env.big, and exports
// get()=counter+base, set(v) and big() (env.big).
func globalsWasm() []byte {
	var w moduleWriter
	w.addImport(importDesc{module: "env", name: "base", kind: kindGlobal, global: globalType{val: valI32}})
	w.addImport(importDesc{module: "env", name: "big", kind: kindGlobal, global: globalType{val: valI64, mutable: true}})
	w.globals = []globalDef{{typ: globalType{val: valI32, mutable: true}, init: constExpr(valI32, 7)}}
	export(&w, "counter", kindGlobal, 2)
	export(&w, "get", kindFunc, w.addFunc(sig(none, i32), body(opGlobalGet, 2, opGlobalGet, 0, opI32Add)))
	export(&w, "set", kindFunc, w.addFunc(sig(i32, none), body(opLocalGet, 0, opGlobalSet, 2)))
	export(&w, "big", kindFunc, w.addFunc(sig(none, i64), body(opGlobalGet, 1)))
	return w.bytes()
}

// tableWasm exports a funcref table "tbl" of 3 holding [one, two, null]
// (functions ()→i32 returning 1 and 2) and call(i), which calls element i.
func tableWasm() []byte {
	w := moduleWriter{tables: []tableType{{elem: valFuncref, limits: limits{min: 3, max: 10, hasMax: true}}}}
	one := w.addFunc(sig(none, i32), body(opI32Const, 1))
	two := w.addFunc(sig(none, i32), body(opI32Const, 2))
	export(&w, "tbl", kindTable, 0)
	export(&w, "one", kindFunc, one)
	export(&w, "call", kindFunc, w.addFunc(sig(i32, i32), body(opLocalGet, 0, opCallIndir, 0, 0)))
	w.elems = []segment{{offset: 0, funcs: []uint32{one, two}}}
	return w.bytes()
}

// importedTableWasm imports env.tbl (funcref, min 1) and exports call(i).
func importedTableWasm() []byte {
	var w moduleWriter
	w.addImport(importDesc{module: "env", name: "tbl", kind: kindTable, table: tableType{elem: valFuncref, limits: limits{min: 1}}})
	w.typeIndex(sig(none, i32))
	export(&w, "call", kindFunc, w.addFunc(sig(i32, i32), body(opLocalGet, 0, opCallIndir, 0, 0)))
	return w.bytes()
}

// startWasm imports env.hello ()→() and calls it from its start function.
func startWasm() []byte {
	var w moduleWriter
	w.addImport(importDesc{module: "env", name: "hello", kind: kindFunc, fn: sig(none, none)})
	f := w.addFunc(sig(none, none), body(opCall, 0))
	w.start = &f
	return w.bytes()
}

// bigWasm is a module of about size bytes: n functions (i32)→i32 each
// adding a chain of constants, and an export "f0".
func bigWasm(size int) []byte {
	var w moduleWriter
	fn := body(opLocalGet, 0)
	for range 100 {
		fn = append(fn[:len(fn)-1], opI32Const, 3, opI32Add, opEnd)
	}
	for range size / (len(fn) + 2) {
		w.addFunc(sig(i32, i32), fn)
	}
	export(&w, "f0", kindFunc, 0)
	return w.bytes()
}
