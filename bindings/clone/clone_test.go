package clone

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// newRuntime is a runtime with structuredClone installed and clonesEqual
// (testdata/clones_equal.js) defined.
func newRuntime(t testing.TB) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	Install(vm)
	src, err := os.ReadFile("testdata/clones_equal.js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vm.RunScript("clones_equal.js", string(src)); err != nil {
		t.Fatal(err)
	}
	return vm
}

func run(t testing.TB, vm *goja.Runtime, src string) goja.Value {
	t.Helper()
	v, err := vm.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

// assertClone fails unless clone is a structured clone of orig, judged by
// clonesEqual in JS.
func assertClone(t testing.TB, vm *goja.Runtime, orig, clone goja.Value) {
	t.Helper()
	check, _ := goja.AssertFunction(vm.Get("clonesEqual"))
	if _, err := check(nil, orig, clone); err != nil {
		t.Errorf("not a faithful clone: %v", err)
	}
}

// roundTripCases holds one JS expression per behaviour the codec must keep.
var roundTripCases = []struct{ name, expr string }{
	{"undefined", "undefined"},
	{"null", "null"},
	{"true", "true"},
	{"false", "false"},
	{"zero", "0"},
	{"negative zero", "-0"},
	{"small int", "42"},
	{"negative int", "-7"},
	{"max safe", "Number.MAX_SAFE_INTEGER"},
	{"2^53", "2 ** 53"},
	{"minus 2^53", "-(2 ** 53)"},
	{"beyond safe", "2 ** 53 + 2"},
	{"fraction", "1.5"},
	{"NaN", "NaN"},
	{"Infinity", "Infinity"},
	{"-Infinity", "-Infinity"},
	{"min value", "Number.MIN_VALUE"},
	{"max value", "Number.MAX_VALUE"},
	{"empty string", `""`},
	{"ascii string", `"hello, world"`},
	{"latin string", `"héllo"`},
	{"cjk string", `"日本語テキスト"`},
	{"non-BMP string", `"emoji 😀 and 𝄞"`},
	{"NUL in string", `"a\u0000b"`},
	{"lone high surrogate", `"\ud800"`},
	{"lone low surrogate", `"a\udc00b"`},
	{"reversed pair", `"\ude00\ud83d"`},
	{"high surrogate at end", `"😀\ud83d"`},
	{"real U+FFFD", `"\ufffd"`},
	{"long string", `"abc".repeat(5000)`},
	{"bigint zero", "0n"},
	{"bigint small", "1n"},
	{"bigint negative", "-1n"},
	{"bigint large", "2n ** 200n"},
	{"bigint large negative", "-(2n ** 200n) - 12345n"},
	{"empty object", "({})"},
	{"object", `({a: 1, b: "x", c: true, d: null})`},
	{"object key order", `({b: 1, a: 2, 10: 3, 2: 4, "01": 5, "-1": 6, 4294967295: 7, 4294967294: 8})`},
	{"undefined member kept", "({u: undefined, v: 1})"},
	{"nested object", `({a: {b: {c: [1, {d: "e"}]}}})`},
	{"own __proto__ key", `JSON.parse('{"__proto__": {"x": 1}, "y": 2}')`},
	{"null prototype", `Object.assign(Object.create(null), {a: 1})`},
	{"class instance", `new (class Point { constructor() { this.x = 1; this.y = 2 } norm() {} })()`},
	{"non-enumerable skipped", `Object.defineProperty({a: 1}, "hidden", {value: 2, enumerable: false})`},
	{"symbol keys skipped", `({a: 1, [Symbol("s")]: 2})`},
	{"lone surrogate key", `({"\ud800": 1, "x\udfffy": {"\udc00": 2}, plain: 3})`},
	{"U+FFFD key", `({"\ufffd": 1})`},
	{"unicode keys", `({"ключ": 1, "😀": 2})`},
	{"empty array", "[]"},
	{"array", `[1, "two", [3], {four: 4}]`},
	{"array of undefined", "[undefined, undefined]"},
	{"array with holes", "[1, , 3, , ]"},
	{"all holes", "new Array(5)"},
	{"sparse array", "(() => { const a = []; a[1e6] = 1; a[7] = 2; return a })()"},
	{"max length array", "(() => { const a = []; a.length = 4294967295; a[4294967294] = 'last'; return a })()"},
	{"array extra props", `(() => { const a = [1, 2]; a.foo = "bar"; a[-1] = "neg"; return a })()`},
	{"sparse array extra props", `(() => { const a = [, 2]; a.foo = "bar"; return a })()`},
	{"array lone surrogate prop", `(() => { const a = [1]; a["\ud800"] = 2; return a })()`},
	{"arguments object", "(function () { return arguments })(1, 'a')"},
	{"empty map", "new Map"},
	{"map", `new Map([[1, "one"], ["two", 2], [{k: 1}, [1]], [NaN, null], [undefined, -0]])`},
	{"map order", `(() => { const m = new Map([["b", 1], ["a", 2]]); m.delete("b"); m.set("b", 3); return m })()`},
	{"empty set", "new Set"},
	{"set", `new Set([1, "1", {a: 1}, NaN, undefined, null, 10n])`},
	{"date", "new Date(0)"},
	{"date negative", "new Date(-1)"},
	{"date max", "new Date(8.64e15)"},
	{"invalid date", "new Date(NaN)"},
	{"regexp", "/a+b/"},
	{"regexp flags", "/x/gimsuy"},
	{"regexp escapes", `new RegExp("\\/[\\]]\\n", "g")`},
	{"regexp lastIndex dropped", `(() => { const r = /a/g; r.exec("aa"); return r })()`},
	{"boxed false", "new Boolean(false)"},
	{"boxed true", "new Boolean(true)"},
	{"boxed number", "new Number(3.25)"},
	{"boxed negative zero", "new Number(-0)"},
	{"boxed NaN", "new Number(NaN)"},
	{"boxed string", `new String("x😀")`},
	{"boxed lone surrogate", `new String("\ud800")`},
	{"boxed bigint", "Object(-(2n ** 70n))"},
	{"empty ArrayBuffer", "new ArrayBuffer(0)"},
	{"ArrayBuffer", "new Uint8Array([0, 1, 2, 254, 255]).buffer"},
	{"Int8Array", "new Int8Array([-128, -1, 0, 127])"},
	{"Uint8Array", "new Uint8Array([0, 1, 255])"},
	{"Uint8ClampedArray", "new Uint8ClampedArray([0, 300, -5])"},
	{"Int16Array", "new Int16Array([-32768, 32767])"},
	{"Uint16Array", "new Uint16Array([65535, 1])"},
	{"Int32Array", "new Int32Array([-2147483648, 2147483647])"},
	{"Uint32Array", "new Uint32Array([4294967295, 0])"},
	{"Float32Array", "new Float32Array([1.5, -0, NaN, Infinity])"},
	{"Float64Array", "new Float64Array([Math.PI, -0, NaN, -Infinity])"},
	{"BigInt64Array", "new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])"},
	{"BigUint64Array", "new BigUint64Array([2n ** 64n - 1n, 0n])"},
	{"empty typed array", "new Float64Array(0)"},
	{"typed array on sub-range", "new Int16Array(new ArrayBuffer(16), 4, 3)"},
	{"DataView", "new DataView(new Uint8Array([9, 8, 7, 6]).buffer)"},
	{"DataView on sub-range", "new DataView(new ArrayBuffer(10), 3, 4)"},
	{"views share a buffer", `(() => {
		const buf = new ArrayBuffer(24);
		new Uint8Array(buf).forEach((_, i, a) => { a[i] = i });
		return {buf, u8: new Uint8Array(buf, 2, 4), f64: new Float64Array(buf, 8, 2), dv: new DataView(buf, 1, 3), again: new Uint8Array(buf)};
	})()`},
	{"view before its buffer", `(() => { const buf = new ArrayBuffer(8); return [new Uint32Array(buf, 4), buf] })()`},
	{"Error", `new Error("boom")`},
	{"EvalError", `new EvalError("e")`},
	{"RangeError", `new RangeError("r")`},
	{"ReferenceError", `new ReferenceError("r")`},
	{"SyntaxError", `new SyntaxError("s")`},
	{"TypeError", `new TypeError("t")`},
	{"URIError", `new URIError("u")`},
	{"error without message", "new Error()"},
	{"error with cause", `new TypeError("outer", {cause: new RangeError("inner")})`},
	{"error with primitive cause", `new Error("x", {cause: 42})`},
	{"error without stack", `(() => { const e = new Error("x"); delete e.stack; return e })()`},
	{"error with custom stack", `(() => { const e = new Error("x"); e.stack = "custom"; return e })()`},
	{"error message not a string", `(() => { const e = new Error(); e.message = 12; return e })()`},
	{"error subclass", `new (class MyError extends Error {})("sub")`},
	{"error renamed", `(() => { const e = new Error("x"); e.name = "TypeError"; return e })()`},
	{"error unknown name", `(() => { const e = new RangeError("x"); e.name = "Custom"; return e })()`},
	{"error extra props dropped", `Object.assign(new Error("x"), {code: 7})`},
	{"repeated reference", `(() => { const o = {v: 1}; return {a: o, b: o, c: [o, o]} })()`},
	{"self cycle", `(() => { const a = {}; a.self = a; return a })()`},
	{"array cycle", `(() => { const a = [1]; a.push(a); return a })()`},
	{"map cycle", `(() => { const m = new Map; m.set(m, m); m.set("k", {m}); return m })()`},
	{"set cycle", `(() => { const s = new Set; s.add(s); s.add([s]); return s })()`},
	{"error cause cycle", `(() => { const e = new Error("x"); e.cause = e; return e })()`},
	{"mutual cycle", `(() => { const a = {}, b = {a}; a.b = b; return [a, b] })()`},
	{"shared across kinds", `(() => {
		const k = {k: 1};
		return {m: new Map([[k, k]]), s: new Set([k]), a: [k], e: new Error("x", {cause: k})};
	})()`},
	{"many objects", `Array.from({length: 300}, (_, i) => ({i, s: "x" + i}))`},
	{"many shared objects", `(() => { const os = Array.from({length: 40}, (_, i) => ({i})); return [os, os.slice().reverse()] })()`},
	{"json-like", `({id: 12345, name: "gopk", tags: ["a", "b"], nested: {ok: true, n: null, f: 0.25}, list: [{x: 1}, {x: 2}]})`},
}

func TestRoundTrip(t *testing.T) {
	vm := newRuntime(t)
	for _, c := range roundTripCases {
		t.Run(c.name, func(t *testing.T) {
			orig := run(t, vm, c.expr)
			b, err := Serialize(vm, orig)
			if err != nil {
				t.Fatalf("Serialize: %v", err)
			}
			first, err := Deserialize(vm, b)
			if err != nil {
				t.Fatalf("Deserialize: %v", err)
			}
			assertClone(t, vm, orig, first)

			// A second decode gives new objects again, equal to the first.
			second, err := Deserialize(vm, b)
			if err != nil {
				t.Fatalf("second Deserialize: %v", err)
			}
			assertClone(t, vm, first, second)

			// The clone encodes to the same bytes: the format is deterministic
			// and keeps nothing the clone lacks.
			again, err := Serialize(vm, first)
			if err != nil {
				t.Fatalf("Serialize of the clone: %v", err)
			}
			if !bytes.Equal(b, again) {
				t.Errorf("clone encodes differently:\n %x\n %x", b, again)
			}
		})
	}
}

// TestClonesEqualCatchesDifferences proves the JS checker can fail: each
// pair differs in one way the codec must preserve.
func TestClonesEqualCatchesDifferences(t *testing.T) {
	vm := newRuntime(t)
	for _, pair := range []struct{ name, a, b string }{
		{"-0", "0", "-0"},
		{"lone surrogate", `"\ud800"`, `"\ufffd"`},
		{"same object", "globalThis.same = {}", "same"},
		{"key order", "({a: 1, b: 2})", "({b: 2, a: 1})"},
		{"hole", "[1, , 3]", "[1, undefined, 3]"},
		{"length", "[1]", "(() => { const a = [1]; a.length = 2; return a })()"},
		{"prototype", "({})", "new (class {})()"},
		{"sharing lost", "(() => { const o = {}; return [o, o] })()", "[{}, {}]"},
		{"sharing invented", "[{}, {}]", "(() => { const o = {}; return [o, o] })()"},
		{"map order", "new Map([[1, 1], [2, 2]])", "new Map([[2, 2], [1, 1]])"},
		{"typed kind", "new Uint8Array(1)", "new Uint8ClampedArray(1)"},
		{"view offset", "new Uint8Array(new ArrayBuffer(4), 1)", "new Uint8Array(new ArrayBuffer(4), 0, 3)"},
		{"buffer sharing lost", "(() => { const b = new ArrayBuffer(2); return [new Uint8Array(b), new Uint8Array(b)] })()", "[new Uint8Array(2), new Uint8Array(2)]"},
		{"error kind", `new TypeError("x")`, `new RangeError("x")`},
		{"regexp lastIndex", "/a/g", `(() => { const r = /a/g; r.lastIndex = 1; return r })()`},
		{"invalid date", "new Date(NaN)", "new Date(0)"},
		{"bigint", "1n", "2n"},
	} {
		a, b := run(t, vm, pair.a), run(t, vm, pair.b)
		check, _ := goja.AssertFunction(vm.Get("clonesEqual"))
		if _, err := check(nil, a, b); err == nil {
			t.Errorf("%s: clonesEqual(%s, %s) passed", pair.name, pair.a, pair.b)
		}
	}
}

// TestWireFormat pins a few encodings: bytes on disk must keep decoding.
func TestWireFormat(t *testing.T) {
	vm := newRuntime(t)
	for _, c := range []struct {
		expr string
		want []byte
	}{
		{`"hi"`, []byte{1, tagString, 2, 'h', 'i'}},
		{`1`, []byte{1, tagInt, 2}},
		{`-1`, []byte{1, tagInt, 1}},
		{`-0`, []byte{1, tagNumber, 0, 0, 0, 0, 0, 0, 0, 0x80}},
		{`"\ud800"`, []byte{1, tagString16, 1, 0x00, 0xd8}},
		{`({a: true})`, []byte{1, tagObject, 1, 1 << 2, 'a', tagTrue}},
		{`[7, , ]`, []byte{1, tagSparseArray, 2, 1, 0<<2 | keyIndex, tagInt, 14}},
		{`[null]`, []byte{1, tagArray, 1, tagNull, 0}},
		{`(() => { const a = {}; a.a = a; return a })()`, []byte{1, tagObject, 1, 1 << 2, 'a', tagRef, 0}},
		{`new Uint8Array([5])`, []byte{1, tagTypedArray, byte(typedUint8), tagArrayBuffer, 1, 5, 0, 1}},
		{`-5n`, []byte{1, tagBigInt, 1<<1 | 1, 5}},
	} {
		got, err := Serialize(vm, run(t, vm, c.expr))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: got % x, want % x", c.expr, got, c.want)
		}
		back, err := Deserialize(vm, c.want)
		if err != nil {
			t.Errorf("%s: decoding the pinned bytes: %v", c.expr, err)
			continue
		}
		assertClone(t, vm, run(t, vm, c.expr), back)
	}
}

// cloneError returns the JS value Serialize threw, failing if it did not.
func cloneError(t *testing.T, vm *goja.Runtime, v goja.Value) *goja.Object {
	t.Helper()
	_, err := Serialize(vm, v)
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("want a *goja.Exception, got %v", err)
	}
	obj, ok := ex.Value().(*goja.Object)
	if !ok {
		t.Fatalf("thrown value %v is not an object", ex.Value())
	}
	return obj
}

func TestUncloneable(t *testing.T) {
	vm := newRuntime(t)
	cases := []struct {
		name string
		v    goja.Value
		msg  string // the start of the message; all end in " could not be cloned."
	}{
		{"function", run(t, vm, "(function f(a) { return a })"), "function f(a) { return a }"},
		{"arrow", run(t, vm, "(() => 1)"), "() => 1"},
		{"async function", run(t, vm, "(async () => 1)"), "async () => 1"},
		{"class", run(t, vm, "(class K {})"), "class K {}"},
		{"native function", run(t, vm, "Math.max"), "function max() { [native code] }"},
		{"bound function", run(t, vm, "(function () {}).bind(null)"), ""},
		{"function member", run(t, vm, "({ok: 1, f() {}})"), "f() {}"},
		{"symbol", run(t, vm, `Symbol("tag")`), "Symbol(tag)"},
		{"symbol member", run(t, vm, `({s: Symbol.iterator})`), "Symbol(Symbol.iterator)"},
		{"symbol wrapper", run(t, vm, `Object(Symbol("w"))`), "Symbol(w)"},
		{"proxy", run(t, vm, "new Proxy({}, {})"), "#<Object>"},
		{"promise", run(t, vm, "Promise.resolve(1)"), "#<Promise>"},
		{"weakmap", run(t, vm, "new WeakMap"), "#<WeakMap>"},
		{"weakset", run(t, vm, "new WeakSet"), "#<WeakSet>"},
		{"map iterator", run(t, vm, "new Map().keys()"), ""},
		{"generator", run(t, vm, "(function* () {})()"), ""},
		{"Go struct", vm.ToValue(struct{ A int }{1}), "#<Object>"},
		{"Go pointer", vm.ToValue(&struct{ A int }{1}), "#<Object>"},
		{"Go map", vm.ToValue(map[string]any{"a": 1}), "#<Object>"},
		{"Go slice", vm.ToValue([]any{1}), "#<Object>"},
		{"Go func", vm.ToValue(func() {}), ""},
		{"Go error", vm.ToValue(fmt.Errorf("go")), "#<Object>"},
		{"dynamic object", vm.NewDynamicObject(emptyDynamic{}), "#<Object>"},
		{"nested deep inside", run(t, vm, "({a: [1, {b: new Map([[1, () => 2]])}]})"), "() => 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex := cloneError(t, vm, c.v)
			if name := ex.Get("name").String(); name != "DataCloneError" {
				t.Errorf("name = %q, want DataCloneError", name)
			}
			msg := ex.Get("message").String()
			if !strings.HasSuffix(msg, " could not be cloned.") || !strings.HasPrefix(msg, c.msg) {
				t.Errorf("message = %q, want %q + \" could not be cloned.\"", msg, c.msg)
			}
			if !vm.InstanceOf(ex, vm.Get("Error").(*goja.Object)) {
				t.Errorf("without DOMException the error should be an Error")
			}
		})
	}
}

func TestDataCloneErrorIsDOMException(t *testing.T) {
	vm := newRuntime(t)
	run(t, vm, `globalThis.DOMException = class DOMException extends Error {
		constructor(message, name) { super(message); this.name = name; this.code = name === "DataCloneError" ? 25 : 0 }
	}`)
	ex := cloneError(t, vm, run(t, vm, "({f() {}})"))
	if !vm.InstanceOf(ex, vm.Get("DOMException").(*goja.Object)) {
		t.Fatalf("want a DOMException, got %v", ex)
	}
	if ex.Get("name").String() != "DataCloneError" || ex.Get("code").ToInteger() != 25 {
		t.Errorf("name %v code %v", ex.Get("name"), ex.Get("code"))
	}
}

func TestDetachedBufferIsUncloneable(t *testing.T) {
	vm := newRuntime(t)
	v := run(t, vm, `const buf = new ArrayBuffer(4); structuredClone(null, {transfer: [buf]}); buf`)
	ex := cloneError(t, vm, v)
	if msg := ex.Get("message").String(); !strings.Contains(msg, "detached") {
		t.Errorf("message = %q", msg)
	}
}

func TestGetters(t *testing.T) {
	vm := newRuntime(t)
	t.Run("invoked once, value kept as data", func(t *testing.T) {
		v := run(t, vm, `globalThis.calls = 0; ({get x() { calls++; return {n: calls} }, y: 1})`)
		b, err := Serialize(vm, v)
		if err != nil {
			t.Fatal(err)
		}
		if n := vm.Get("calls").ToInteger(); n != 1 {
			t.Errorf("getter ran %d times", n)
		}
		clone, err := Deserialize(vm, b)
		if err != nil {
			t.Fatal(err)
		}
		vm.Set("clone", clone)
		if ok := run(t, vm, `(() => {
			const d = Object.getOwnPropertyDescriptor(clone, "x");
			return d.value.n === 1 && d.writable && d.enumerable && !d.get && calls === 1;
		})()`); !ok.ToBoolean() {
			t.Errorf("the clone should hold the getter's result as a data property")
		}
	})
	t.Run("throwing getter", func(t *testing.T) {
		_, err := Serialize(vm, run(t, vm, `({a: 1, get b() { throw new RangeError("from getter") }})`))
		var ex *goja.Exception
		if !errors.As(err, &ex) || !strings.Contains(ex.Error(), "from getter") {
			t.Fatalf("want the getter's exception, got %v", err)
		}
		// The runtime still works afterwards.
		if run(t, vm, "1 + 1").ToInteger() != 2 {
			t.Fatal("runtime broken after a throwing getter")
		}
	})
	t.Run("getter deletes a later key", func(t *testing.T) {
		v := run(t, vm, `({get a() { delete this.b; return 1 }, b: 2, c: 3})`)
		clone, err := StructuredClone(vm, v)
		if err != nil {
			t.Fatal(err)
		}
		vm.Set("clone", clone)
		if got := run(t, vm, `JSON.stringify(clone)`).String(); got != `{"a":1,"c":3}` {
			t.Errorf("got %s", got)
		}
	})
	t.Run("getter adds entries to a map being cloned", func(t *testing.T) {
		v := run(t, vm, `(() => { const m = new Map; m.set("a", {get g() { m.set("late", 1); return 1 }}); return m })()`)
		clone, err := StructuredClone(vm, v)
		if err != nil {
			t.Fatal(err)
		}
		vm.Set("clone", clone)
		if got := run(t, vm, `clone.size + ":" + [...clone.keys()]`).String(); got != "1:a" {
			t.Errorf("got %s; entries must be collected before values are written", got)
		}
	})
}

// TestUserCannotSubvert replaces the built-ins the codec uses; clones must
// come out the same, because the codec kept the originals.
func TestUserCannotSubvert(t *testing.T) {
	vm := newRuntime(t)
	orig := run(t, vm, `globalThis.orig = {
		m: new Map([[1, {a: [1, 2]}]]), s: new Set(["x"]), d: new Date(5), r: /x/g,
		u8: new Uint8Array([1, 2]), dv: new DataView(new ArrayBuffer(2)), e: new TypeError("t"),
		str: new String("s"), arr: [1, 2, 3], x: 1,
	}`)
	// The realm is captured at the first clone; what user code replaces
	// after that cannot change later clones.
	if _, err := StructuredClone(vm, run(t, vm, `new Map([[1, new Date(0)]])`)); err != nil {
		t.Fatal(err)
	}
	run(t, vm, `
		Map.prototype.set = Map.prototype.forEach = Set.prototype.add = Set.prototype.forEach = () => { throw new Error("replaced") };
		Array.prototype.push = () => { throw new Error("replaced") };
		Object.defineProperty(Object.prototype, "x", {set() { throw new Error("setter") }, configurable: true});
		Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), "buffer", {get() { throw new Error("replaced") }});
		Object.defineProperty(RegExp.prototype, "source", {get() { return "evil" }});
		Object.defineProperty(RegExp.prototype, "flags", {get() { return "" }});
		Date.prototype.getTime = () => 0;
		String.prototype.valueOf = () => "evil";
		Error.prototype.name = "Error"; // unchanged, but reassigned
		globalThis.Map = globalThis.Set = globalThis.Date = globalThis.RegExp = globalThis.Uint8Array = null;
	`)
	clone, err := StructuredClone(vm, orig)
	if err != nil {
		t.Fatal(err)
	}
	vm.Set("clone", clone)
	if got := run(t, vm, `[
		clone.m.size, clone.m.get === undefined, clone.s.size, clone.d.valueOf(), String(clone.r), clone.u8.length,
		clone.arr.length, clone.x, clone.e instanceof TypeError, clone.str.toString(),
	].join()`).String(); got != "1,false,1,5,/x/g,2,3,1,true,s" {
		t.Errorf("got %s", got)
	}
}

func TestDepthLimit(t *testing.T) {
	vm := newRuntime(t)
	nested := func(n int) goja.Value {
		return run(t, vm, fmt.Sprintf(`(() => { let v = 0; for (let i = 0; i < %d; i++) v = [v]; return v })()`, n))
	}
	if _, err := StructuredClone(vm, nested(maxDepth)); err != nil {
		t.Errorf("%d levels should clone: %v", maxDepth, err)
	}
	ex := cloneError(t, vm, nested(100000))
	if msg := ex.Get("message").String(); !strings.Contains(msg, "nested") {
		t.Errorf("message = %q", msg)
	}

	// Hand-made input nesting deeper than the limit is refused, not followed.
	deep := []byte{formatVersion}
	for range 100000 {
		deep = append(deep, tagArray, 1)
	}
	deep = append(deep, tagNull)
	for range 100000 {
		deep = append(deep, 0)
	}
	if _, err := Deserialize(vm, deep); !errors.Is(err, ErrCorrupt) {
		t.Errorf("want ErrCorrupt, got %v", err)
	}
}

func TestDeserializeRejects(t *testing.T) {
	vm := newRuntime(t)
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"other version", []byte{2, tagNull}},
		{"no value", []byte{1}},
		{"trailing bytes", []byte{1, tagNull, tagNull}},
		{"unknown tag", []byte{1, 0x7f}},
		{"truncated string", []byte{1, tagString, 5, 'a'}},
		{"invalid UTF-8", []byte{1, tagString, 1, 0xff}},
		{"UTF-8 surrogate", []byte{1, tagString, 3, 0xed, 0xa0, 0x80}},
		{"huge count", []byte{1, tagArray, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"unsafe integer", []byte{1, tagInt, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
		{"dangling reference", []byte{1, tagRef, 0}},
		{"reference to itself", []byte{1, tagTypedArray, byte(typedUint8), tagRef, 0, 0, 0}},
		{"view over non-buffer", []byte{1, tagDataView, tagObject, 0, 0, 0}},
		{"view out of range", []byte{1, tagTypedArray, byte(typedUint8), tagArrayBuffer, 1, 0, 0, 2}},
		{"misaligned view", []byte{1, tagTypedArray, byte(typedInt16), tagArrayBuffer, 4, 0, 0, 0, 0, 1, 1}},
		{"bad typed kind", []byte{1, tagTypedArray, 99, tagArrayBuffer, 0, 0, 0}},
		{"bad regexp", []byte{1, tagRegExp, tagString, 1, '(', 0}},
		{"regexp source not a string", []byte{1, tagRegExp, tagNull, 0}},
		{"box an object", []byte{1, tagBoxed, tagObject, 0}},
		{"bad error kind", []byte{1, tagError, 9, 0}},
		{"bad error fields", []byte{1, tagError, 0, 0x80}},
		{"bad key kind", []byte{1, tagObject, 1, 3, tagNull}},
		{"index key too big", []byte{1, tagObject, 1, 0xfe, 0xff, 0xff, 0xff, 0x3f, tagNull}},
		{"array length key", []byte{1, tagSparseArray, 1, 1, 6 << 2, 'l', 'e', 'n', 'g', 't', 'h', tagInt, 0}},
		{"sparse length too big", []byte{1, tagSparseArray, 0x80, 0x80, 0x80, 0x80, 0x10, 0}},
		{"bad varint", []byte{1, tagArray, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	} {
		_, err := Deserialize(vm, c.b)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: want ErrCorrupt, got %v", c.name, err)
		}
	}
}

func TestStructuredCloneGlobal(t *testing.T) {
	vm := newRuntime(t)
	for _, check := range []string{
		`typeof structuredClone === "function" && structuredClone.name === "structuredClone" && structuredClone.length === 1`,
		`!Object.getOwnPropertyDescriptor(globalThis, "structuredClone").enumerable`,
		`(() => { const o = {a: [1, new Map([[1, 2]])]}; o.self = o; return clonesEqual(o, structuredClone(o)) })()`,
		`structuredClone(undefined) === undefined && structuredClone(5, undefined) === 5 && structuredClone(5, null) === 5`,
		`structuredClone(1, {}) === 1 && structuredClone(1, {transfer: []}) === 1`,
		// transfer moves the bytes and detaches the original
		`(() => {
			const buf = new Uint8Array([1, 2, 3]).buffer;
			const out = structuredClone({buf, view: new Uint8Array(buf, 1)}, {transfer: [buf]});
			return buf.byteLength === 0 && out.buf.byteLength === 3 && out.view[0] === 2 && out.view.buffer === out.buf;
		})()`,
		// a transferred buffer the value does not mention is still detached
		`(() => { const b = new ArrayBuffer(2); structuredClone(1, {transfer: [b]}); return b.byteLength === 0 })()`,
		// a failed clone detaches nothing
		`(() => {
			const b = new ArrayBuffer(2);
			try { structuredClone({b, f() {}}, {transfer: [b]}) } catch (e) { return e.name === "DataCloneError" && b.byteLength === 2 }
		})()`,
	} {
		if !run(t, vm, check).ToBoolean() {
			t.Errorf("false: %s", check)
		}
	}
	for _, c := range []struct{ src, name, msg string }{
		{`structuredClone()`, "TypeError", "1 argument required"},
		{`structuredClone(1, 5)`, "TypeError", "StructuredSerializeOptions"},
		{`structuredClone(1, {transfer: 5})`, "TypeError", ""},
		{`structuredClone(1, {transfer: [{}]})`, "DataCloneError", "index 0 does not have a transferable type"},
		{`structuredClone(1, {transfer: [new Uint8Array(1)]})`, "DataCloneError", "transferable"},
		{`(() => { const b = new ArrayBuffer(1); structuredClone(1, {transfer: [b, b]}) })()`, "DataCloneError", "index 1 is a duplicate"},
		{`(() => { const b = new ArrayBuffer(1); structuredClone(1, {transfer: [b]}); structuredClone(1, {transfer: [b]}) })()`, "DataCloneError", "already detached"},
		{`structuredClone(Symbol())`, "DataCloneError", "could not be cloned"},
	} {
		v := run(t, vm, `(() => { try { `+c.src+`; return "no exception" } catch (e) { return e.name + ": " + e.message } })()`).String()
		if !strings.HasPrefix(v, c.name+": ") || !strings.Contains(v, c.msg) {
			t.Errorf("%s threw %q, want %s containing %q", c.src, v, c.name, c.msg)
		}
	}
}

// TestRealmIsPerRuntime clones in two runtimes alternately; each must use
// its own built-ins (mixing them would panic in goja).
func TestRealmIsPerRuntime(t *testing.T) {
	a, b := newRuntime(t), newRuntime(t)
	for i := 0; i < 3; i++ {
		for _, vm := range []*goja.Runtime{a, b} {
			orig := run(t, vm, `({m: new Map([[1, new Date(1)]]), t: new Uint8Array(2)})`)
			clone, err := StructuredClone(vm, orig)
			if err != nil {
				t.Fatal(err)
			}
			assertClone(t, vm, orig, clone)
		}
	}
	// Without Install the realm is captured on first use.
	vm := goja.New()
	clone, err := StructuredClone(vm, run(t, vm, `new Map([[1, 2]])`))
	if err != nil {
		t.Fatal(err)
	}
	vm.Set("clone", clone)
	if !run(t, vm, `clone instanceof Map && clone.get(1) === 2`).ToBoolean() {
		t.Error("clone without Install")
	}
}
