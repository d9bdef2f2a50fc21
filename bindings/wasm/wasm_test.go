package wasm

import (
	"encoding/base64"
	"testing"
)

func TestModuleAndInstance(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("addBytes", addWasm())
	r.setBytes("mathBytes", mathWasm())
	r.expect([]jsCase{
		{"an exported function adds", `
			const m = new WebAssembly.Module(addBytes);
			return new WebAssembly.Instance(m).exports.add(2, 3);`, `5`},
		{"i32 arguments are ToInt32'd and results wrap", `
			const { add } = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(addBytes))).exports;
			return [add(2 ** 31 - 1, 1), add("4", 1.9), add(2 ** 32 + 5, -1), add(NaN, undefined)];`,
			`[-2147483648,5,4,0]`},
		{"exports are a frozen object without prototype, in export order", `
			const { exports } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes));
			return [Object.getPrototypeOf(exports), Object.isFrozen(exports), Object.keys(exports)];`,
			`[null,true,["add64","addf","div","boom","spin","swap","id","recurse"]]`},
		{"an exported function is named by its index and has its arity", `
			const { add } = new WebAssembly.Instance(new WebAssembly.Module(addBytes)).exports;
			return [add.name, add.length, typeof add];`, `["0",2,"function"]`},
		{"Module.exports, imports and customSections", `
			const m = new WebAssembly.Module(mathBytes);
			const cb = new WebAssembly.Module(addBytes);
			const sections = WebAssembly.Module.customSections(m, "gopk");
			return [WebAssembly.Module.exports(cb), WebAssembly.Module.imports(cb),
				sections.length, String.fromCharCode(...new Uint8Array(sections[0])), WebAssembly.Module.customSections(m, "none").length];`,
			`[[{"name":"add","kind":"function"}],[],1,"hi",0]`},
		{"i64 crosses as BigInt, wrapped to 64 bits", `
			const { add64 } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			return [add64(1n, 2n), add64(2n ** 63n - 1n, 1n), add64(-1n, 0n), typeof add64(0n, 0n), add64("7", true)];`,
			`["3n","-9223372036854775808n","-1n","bigint","8n"]`},
		{"an i64 parameter refuses a Number", `
			const { add64 } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			return add64(1, 2n);`, `throws TypeError: Cannot convert 1 to a BigInt`},
		{"an i32 parameter refuses a BigInt", `
			const { div } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			return div(1n, 2);`, `throws TypeError: Cannot convert a BigInt value to a number`},
		{"f64", `
			const { addf } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			return [addf(0.1, 0.2), addf(1e308, 1e308)];`, `[0.30000000000000004,null]`},
		{"two results come back as an array", `
			const { swap } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			return swap(1, 2);`, `[2,1]`},
		{"externref: any JS value goes in and comes back the same", `
			const { id } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			const o = { a: 1 };
			return [id(o) === o, id("s"), id(null), id(undefined) === undefined, id(2n)];`,
			`[true,"s",null,true,"2n"]`},
	})
}

func TestTrapsAreRuntimeErrors(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("mathBytes", mathWasm())
	r.expect([]jsCase{
		{"unreachable", `
			const { boom } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			try { boom(); } catch (e) {
				return [e instanceof WebAssembly.RuntimeError, e instanceof Error, e.name, e.message, String(e)];
			}`, `[true,true,"RuntimeError","unreachable","RuntimeError: unreachable"]`},
		{"divide by zero, and the instance works on", `
			const { div } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			let msg;
			try { div(1, 0); } catch (e) { msg = e.constructor.name + ": " + e.message; }
			return [msg, div(7, 2)];`, `["RuntimeError: divide by zero",3]`},
		{"endless recursion is a RangeError, as in V8", `
			const { recurse } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			recurse();`, `throws RangeError: Maximum call stack size exceeded`},
		{"integer overflow", `
			const { div } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;
			return div(-(2 ** 31), -1);`, `throws RuntimeError: integer overflow`},
	})
}

func TestImportedJSFunctions(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("cbBytes", callbackWasm())
	r.setBytes("downBytes", countdownWasm())
	r.setBytes("addBytes", addWasm())
	r.setBytes("startBytes", startWasm())
	r.expect([]jsCase{
		{"wasm calls JS with its arguments, and uses the result", `
			const seen = [];
			const { run } = new WebAssembly.Instance(new WebAssembly.Module(cbBytes), {
				env: { twice: (x) => x * 2, log: (...args) => { seen.push(args); } },
			}).exports;
			return [run(20), run(-3), seen];`, `[41,-5,[[20],[-3]]]`},
		{"a JS function's result is converted to the import's type", `
			const { run } = new WebAssembly.Instance(new WebAssembly.Module(cbBytes), {
				env: { twice: () => "12.7", log() {} },
			}).exports;
			return run(0);`, `13`},
		{"what a JS import throws reaches the caller unchanged", `
			const err = new Error("from JS");
			const { run } = new WebAssembly.Instance(new WebAssembly.Module(cbBytes), {
				env: { twice: () => { throw err; }, log() {} },
			}).exports;
			try { run(1); } catch (e) { return [e === err, e.message]; }`, `[true,"from JS"]`},
		{"JS can call back into the function that is calling it", `
			const inst = new WebAssembly.Instance(new WebAssembly.Module(downBytes), {
				env: { again: (n) => inst.exports.down(n) + 1 },
			});
			return inst.exports.down(5);`, `105`},
		{"an exported function given as import is the same object on export", `
			const log = () => {};
			const { exports } = new WebAssembly.Instance(new WebAssembly.Module(cbBytes), { env: { twice: (x) => x, log } });
			return Object.keys(exports);`, `["run"]`},
		{"a wasm function imported by another module is called directly", `
			const { add } = new WebAssembly.Instance(new WebAssembly.Module(addBytes)).exports;
			let logged = 0;
			const { run } = new WebAssembly.Instance(new WebAssembly.Module(cbBytes), {
				env: { twice: new WebAssembly.Instance(new WebAssembly.Module(downBytes), { env: { again: (n) => n * 2 } }).exports.down, log: () => logged++ },
			}).exports;
			return [run(3), logged];`, `[5,1]`},
		{"the start function runs at instantiation and may call JS", `
			let hellos = 0;
			new WebAssembly.Instance(new WebAssembly.Module(startBytes), { env: { hello: () => hellos++ } });
			return hellos;`, `1`},
		{"a throw in the start function fails the instantiation with it", `
			new WebAssembly.Instance(new WebAssembly.Module(startBytes), { env: { hello: () => { throw new RangeError("no"); } } });`,
			`throws RangeError: no`},
		{"missing import object", `new WebAssembly.Instance(new WebAssembly.Module(cbBytes));`,
			`throws TypeError: WebAssembly.Instance(): Imports argument must be present and must be an object`},
		{"missing import module", `new WebAssembly.Instance(new WebAssembly.Module(cbBytes), {});`,
			`throws TypeError: WebAssembly.Instance(): Import #0 "env": module is not an object or function`},
		{"an import that is not callable", `new WebAssembly.Instance(new WebAssembly.Module(cbBytes), { env: { twice: 1, log() {} } });`,
			`throws LinkError: WebAssembly.Instance(): Import #0 "env" "twice": function import requires a callable`},
		{"a wasm function of the wrong type", `
			const { add } = new WebAssembly.Instance(new WebAssembly.Module(addBytes)).exports;
			try { new WebAssembly.Instance(new WebAssembly.Module(cbBytes), { env: { twice: add, log() {} } }); }
			catch (e) { return [e.name, e.message]; }`,
			`["LinkError","WebAssembly.Instance(): Import #0 \"env\" \"twice\": imported function does not match the expected type"]`},
	})
}

func TestMemory(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("memBytes", memoryWasm())
	r.setBytes("impBytes", importedMemoryWasm())
	r.expect([]jsCase{
		{"exported memory: data segment, JS writes, wasm reads", `
			const { mem, load, store } = new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports;
			const bytes = new Uint8Array(mem.buffer);
			const hello = String.fromCharCode(...bytes.subarray(16, 21));
			new DataView(mem.buffer).setInt32(100, 123456, true);
			store(200, -7);
			return [mem instanceof WebAssembly.Memory, mem.buffer instanceof ArrayBuffer, mem.buffer.byteLength, hello,
				load(100), new DataView(mem.buffer).getInt32(200, true), mem.buffer === mem.buffer];`,
			`[true,true,65536,"hello",123456,-7,true]`},
		{"grow from JS detaches the old buffer and keeps the contents", `
			const { mem, load } = new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports;
			const old = mem.buffer;
			new Uint8Array(old)[0] = 42;
			const prev = mem.grow(1);
			return [prev, old.byteLength, mem.buffer.byteLength, new Uint8Array(mem.buffer)[0], load(65536)];`,
			`[1,0,131072,42,0]`},
		{"grow by wasm detaches the old buffer when the call returns", `
			const { mem, grow } = new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports;
			const old = mem.buffer;
			return [grow(2), old.byteLength, mem.buffer.byteLength, grow(5), mem.buffer.byteLength];`,
			`[1,0,196608,-1,196608]`},
		{"grow past the maximum is a RangeError", `
			const { mem } = new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports;
			mem.grow(4);`, `throws RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded`},
		{"a JS Memory imported by wasm is shared both ways", `
			const memory = new WebAssembly.Memory({ initial: 1, maximum: 3 });
			const { load, store, grow } = new WebAssembly.Instance(new WebAssembly.Module(impBytes), { env: { mem: memory } }).exports;
			new Uint32Array(memory.buffer)[10] = 0xdeadbeef;
			store(8, 99);
			const before = memory.buffer;
			return [load(40) >>> 0, new Uint32Array(memory.buffer)[2], grow(1), before.byteLength, memory.buffer.byteLength];`,
			`[3735928559,99,1,0,131072]`},
		{"an exported memory imported by another instance is the same Memory", `
			const a = new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports;
			const b = new WebAssembly.Instance(new WebAssembly.Module(impBytes), { env: { mem: a.mem } }).exports;
			a.store(4, 77);
			return [b.load(4), a.mem === a.mem];`, `[77,true]`},
		{"Memory descriptors are checked", `
			const errs = [];
			for (const d of [undefined, {}, { initial: -1 }, { initial: 2, maximum: 1 }, { initial: 70000 }]) {
				try { new WebAssembly.Memory(d); errs.push("ok"); } catch (e) { errs.push(e.name); }
			}
			return errs;`, `["TypeError","TypeError","TypeError","RangeError","RangeError"]`},
		{"a memory import that is not a Memory", `new WebAssembly.Instance(new WebAssembly.Module(impBytes), { env: { mem: new ArrayBuffer(65536) } });`,
			`throws LinkError: WebAssembly.Instance(): Import #0 "env" "mem": memory import must be a WebAssembly.Memory object`},
	})
}

func TestGlobals(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("gBytes", globalsWasm())
	r.expect([]jsCase{
		{"exported and imported globals", `
			const big = new WebAssembly.Global({ value: "i64", mutable: true }, 5n);
			const { counter, get, set, big: readBig } = new WebAssembly.Instance(new WebAssembly.Module(gBytes), { env: { base: 100, big } }).exports;
			const a = [counter.value, get()];
			counter.value = 1;
			const b = get();
			set(30);
			big.value = -2n;
			return [a, b, counter.value, counter.valueOf(), readBig(), counter instanceof WebAssembly.Global];`,
			`[[7,107],101,30,30,"-2n",true]`},
		{"Global constructor and immutability", `
			const g = new WebAssembly.Global({ value: "f32" }, 1.1);
			const h = new WebAssembly.Global({ value: "i32", mutable: true });
			let msg;
			try { g.value = 2; } catch (e) { msg = e.name; }
			h.value = 2 ** 32 + 3;
			return [g.value, msg, h.value, new WebAssembly.Global({ value: "i64" }).value, new WebAssembly.Global({ value: "externref" }).value];`,
			`[1.100000023841858,"TypeError",3,"0n","undefined"]`},
		{"a Global passed as an immutable import", `
			const base = new WebAssembly.Global({ value: "i32" }, 5);
			const big = new WebAssembly.Global({ value: "i64", mutable: true }, 0n);
			return new WebAssembly.Instance(new WebAssembly.Module(gBytes), { env: { base, big } }).exports.get();`, `12`},
		{"a mutable global import must be a Global", `
			new WebAssembly.Instance(new WebAssembly.Module(gBytes), { env: { base: 1, big: 2n } });`,
			`throws LinkError: WebAssembly.Instance(): Import #1 "env" "big": imported mutable global must be a WebAssembly.Global object`},
		{"a global of the wrong type", `
			const big = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
			try { new WebAssembly.Instance(new WebAssembly.Module(gBytes), { env: { base: 1, big } }); }
			catch (e) { return e.name; }`, `"LinkError"`},
	})
}

func TestTables(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("tBytes", tableWasm())
	r.setBytes("itBytes", importedTableWasm())
	r.setBytes("addBytes", addWasm())
	r.expect([]jsCase{
		{"an exported table: length, get and call", `
			const { tbl, call } = new WebAssembly.Instance(new WebAssembly.Module(tBytes)).exports;
			return [tbl instanceof WebAssembly.Table, tbl.length, tbl.get(0)(), tbl.get(1)(), tbl.get(2), call(1)];`,
			`[true,3,1,2,null,2]`},
		{"set a wasm function, grow, and call through the table", `
			const { tbl, call, one } = new WebAssembly.Instance(new WebAssembly.Module(tBytes)).exports;
			tbl.set(2, one);
			const prev = tbl.grow(2);
			return [call(2), prev, tbl.length, tbl.get(4)];`, `[1,3,5,null]`},
		{"a call of a null element traps", `
			const { call } = new WebAssembly.Instance(new WebAssembly.Module(tBytes)).exports;
			call(2);`, `throws RuntimeError: table index is out of bounds`},
		{"out of range", `
			const { tbl } = new WebAssembly.Instance(new WebAssembly.Module(tBytes)).exports;
			tbl.get(3);`, `throws RangeError: WebAssembly.Table.get(): invalid address 3 in funcref table of size 3`},
		{"a JS Table imported by wasm", `
			const tbl = new WebAssembly.Table({ element: "anyfunc", initial: 2 });
			const { call } = new WebAssembly.Instance(new WebAssembly.Module(itBytes), { env: { tbl } }).exports;
			const { one } = new WebAssembly.Instance(new WebAssembly.Module(tBytes)).exports;
			tbl.set(1, one);
			return [tbl.length, call(1), tbl.get(0)];`, `[2,1,null]`},
		{"an exported table shared with another instance", `
			const a = new WebAssembly.Instance(new WebAssembly.Module(tBytes)).exports;
			const b = new WebAssembly.Instance(new WebAssembly.Module(itBytes), { env: { tbl: a.tbl } }).exports;
			return [b.call(0), b.call(1)];`, `[1,2]`},
		{"only wasm functions go in a funcref table", `
			new WebAssembly.Table({ element: "anyfunc", initial: 1 }).set(0, () => 1);`,
			`throws TypeError: WebAssembly.Table.set(): Argument 1 is invalid for table: function-typed object expected`},
		{"an externref table holds JS values", `
			const o = {};
			const t = new WebAssembly.Table({ element: "externref", initial: 2 }, "x");
			t.set(1, o);
			t.grow(1, 5);
			return [t.get(0), t.get(1) === o, t.get(2), t.length];`, `["x",true,5,3]`},
	})
}

func TestNamespace(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("addBytes", addWasm())
	r.setBytes("cbBytes", callbackWasm())
	r.do(func() { _ = r.vm.Set("addBase64", base64.StdEncoding.EncodeToString(addWasm())) })
	r.expect([]jsCase{
		{"the global is a plain data property once read", `
			const before = Object.getOwnPropertyDescriptor(globalThis, "WebAssembly");
			const W = WebAssembly;
			const after = Object.getOwnPropertyDescriptor(globalThis, "WebAssembly");
			return [typeof before.get, after.value === W, after.enumerable, after.writable, String(W)];`,
			`["function",true,false,true,"[object WebAssembly]"]`},
		{"the namespace has V8's members", `
			return [Object.getOwnPropertyNames(WebAssembly), Object.keys(WebAssembly)];`,
			`[["compile","validate","instantiate","compileStreaming","instantiateStreaming","Module","Instance","Table","Memory","Global","CompileError","LinkError","RuntimeError"],["compile","validate","instantiate","compileStreaming","instantiateStreaming"]]`},
		{"classes look like V8's", `
			const W = WebAssembly;
			return [W.Module.length, W.Memory.name, Object.keys(W.Memory.prototype), Object.keys(W.Table.prototype),
				Object.keys(W.Global.prototype), Object.keys(W.Instance.prototype), Object.keys(W.Module),
				Object.prototype.toString.call(new W.Memory({ initial: 0 })), W.CompileError.prototype.name,
				Object.getPrototypeOf(W.LinkError.prototype) === Error.prototype];`,
			`[1,"Memory",["grow","buffer"],["length","grow","set","get"],["valueOf","value"],["exports"],["exports","imports","customSections"],"[object WebAssembly.Memory]","CompileError",true]`},
		{"constructors need new", `WebAssembly.Module(addBytes);`,
			`throws TypeError: Class constructor cannot be invoked without 'new'`},
		{"invalid bytes are a CompileError", `
			try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0])); }
			catch (e) { return [e instanceof WebAssembly.CompileError, e.message.startsWith("WebAssembly.Module(): ")]; }`,
			`[true,true]`},
		{"not a buffer", `new WebAssembly.Module("wasm");`,
			`throws TypeError: WebAssembly.Module(): Argument 0 must be a buffer source`},
		{"Module statics check their argument", `WebAssembly.Module.exports({});`,
			`throws TypeError: WebAssembly.Module.exports(): Argument 0 must be a WebAssembly.Module`},
		{"validate", `return [WebAssembly.validate(addBytes), WebAssembly.validate(new Uint8Array([1, 2, 3]))];`, `[true,false]`},
		{"compile and both instantiate overloads", `
			const m = await WebAssembly.compile(addBytes);
			const fromBytes = await WebAssembly.instantiate(addBytes);
			const fromModule = await WebAssembly.instantiate(m);
			return [m instanceof WebAssembly.Module, Object.keys(fromBytes), fromBytes.module instanceof WebAssembly.Module,
				fromBytes.instance.exports.add(1, 2), fromModule instanceof WebAssembly.Instance, fromModule.exports.add(3, 4)];`,
			`[true,["module","instance"],true,3,true,7]`},
		{"compile rejects with a CompileError", `
			try { await WebAssembly.compile(new Uint8Array([1])); } catch (e) { return e.name; }`, `"CompileError"`},
		{"instantiate rejects with a LinkError", `
			try { await WebAssembly.instantiate(cbBytes, { env: {} }); } catch (e) { return e.name; }`, `"LinkError"`},
		{"instantiate rejects, never throws, for a bad argument", `
			const p = WebAssembly.instantiate(42);
			try { await p; } catch (e) { return [p instanceof Promise, e.name]; }`, `[true,"TypeError"]`},
		{"compileStreaming takes a Response-like object of type application/wasm", `
			const res = (type) => ({ ok: true, headers: { get: () => type }, arrayBuffer: async () => addBytes });
			const { instance } = await WebAssembly.instantiateStreaming(res("application/wasm"));
			let msg;
			try { await WebAssembly.compileStreaming(res("text/plain")); } catch (e) { msg = e.message; }
			return [instance.exports.add(2, 2), msg];`,
			`[4,"WebAssembly.compileStreaming(): Incorrect response MIME type. Expected 'application/wasm'."]`},
		{"the bundler's embedded modules", `
			const m = WebAssembly.Module[Symbol.for("gopk.wasm.embedded")](addBase64);
			return [m instanceof WebAssembly.Module, new WebAssembly.Instance(m).exports.add(20, 22)];`, `[true,42]`},
	})
}
