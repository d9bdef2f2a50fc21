package es

import (
	"testing"

	"gopk/bindings/es/estest"
)

// Built-ins that Node 20 has: goja with Install must agree with it.
var builtinCases = []estest.Case{
	{Name: "WeakRef deref", Expr: `var o = {a: 1}; new WeakRef(o).deref() === o`},
	{Name: "WeakRef tag", Expr: `Object.prototype.toString.call(new WeakRef({}))`},
	{Name: "WeakRef needs new", Expr: `WeakRef({})`},
	{Name: "WeakRef primitive", Expr: `new WeakRef(1)`},
	{Name: "WeakRef registered symbol", Expr: `new WeakRef(Symbol.for("x"))`},
	{Name: "WeakRef shape", Expr: `[typeof WeakRef, WeakRef.length, WeakRef.name, Object.getOwnPropertyNames(WeakRef.prototype).sort()]`},
	{Name: "WeakRef not enumerable", Expr: `Object.keys(globalThis).includes("WeakRef")`},
	{Name: "FinalizationRegistry register", Expr: `new FinalizationRegistry(() => {}).register({}, 1)`},
	{Name: "FinalizationRegistry unregister", Expr: `var r = new FinalizationRegistry(() => {}), t = {}; r.register({}, 1, t); [r.unregister(t), r.unregister(t)]`},
	{Name: "FinalizationRegistry same holdings", Expr: `var o = {}; new FinalizationRegistry(() => {}).register(o, o)`},
	{Name: "FinalizationRegistry bad callback", Expr: `new FinalizationRegistry(1)`},
	{Name: "FinalizationRegistry bad token", Expr: `new FinalizationRegistry(() => {}).unregister(1)`},
	{Name: "FinalizationRegistry shape", Expr: `[FinalizationRegistry.length, Object.getOwnPropertyNames(FinalizationRegistry.prototype).sort(), Object.prototype.toString.call(new FinalizationRegistry(() => {}))]`},
	{Name: "Symbol.asyncIterator", Expr: `[typeof Symbol.asyncIterator, Symbol.asyncIterator.description, Symbol.keyFor(Symbol.asyncIterator)]`},
	{Name: "well-known symbols are fixed", Expr: `var d = Object.getOwnPropertyDescriptor(Symbol, "asyncIterator"); [d.writable, d.enumerable, d.configurable]`},
	{Name: "isWellFormed", Expr: `["abc".isWellFormed(), "a\uD800".isWellFormed(), "\uDC00a".isWellFormed(), "\uD83D\uDE00".isWellFormed(), "".isWellFormed()]`},
	{Name: "toWellFormed", Expr: `["a\uD800b\uDC00".toWellFormed(), "\uD83D\uDE00\uDE00".toWellFormed(), "ok".toWellFormed()]`},
	{Name: "isWellFormed on null", Expr: `String.prototype.isWellFormed.call(null)`},
	{Name: "isWellFormed coerces", Expr: `String.prototype.toWellFormed.call(12)`},
	{Name: "queueMicrotask order", Expr: `var log = []; Promise.resolve().then(() => log.push("p1")); queueMicrotask(() => log.push("m")); Promise.resolve().then(() => log.push("p2")); log.push("sync"); Promise.resolve().then(() => log)`},
	{Name: "queueMicrotask needs function", Expr: `queueMicrotask(1)`},
	{Name: "queueMicrotask shape", Expr: `[queueMicrotask.length, queueMicrotask.name, queueMicrotask()]`},
	{Name: "captureStackTrace", Expr: `var o = {}; Error.captureStackTrace(o); typeof o.stack`},
	{Name: "captureStackTrace primitive", Expr: `Error.captureStackTrace(1)`},
	{Name: "__defineGetter__", Expr: `var o = {}; o.__defineGetter__("x", () => 7); [o.x, typeof o.__lookupGetter__("x"), o.__lookupSetter__("x")]`},
	{Name: "getYear/setYear", Expr: `var d = new Date(Date.UTC(2024, 5, 1)); [d.getYear(), d.setYear(99) === d.getTime(), d.getFullYear()]`},
	{Name: "toGMTString", Expr: `Date.prototype.toGMTString === Date.prototype.toUTCString`},
	{Name: "toISOString expanded years", Expr: `[Date.UTC(-1, 0, 1), Date.UTC(10000, 0, 1), 8.64e15, -8.64e15, Date.UTC(0, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(-99999, 5, 6)].map(t => { var d = new Date(t); if (t === Date.UTC(0, 0, 1)) d.setUTCFullYear(0); return [d.toISOString(), JSON.stringify(d)]; })`},
	{Name: "toISOString invalid", Expr: `new Date(NaN).toISOString()`},
	{Name: "toString names UTC as V8 does", Expr: `var d = new Date(Date.UTC(2024, 2, 15, 14, 5, 9)); [String(d), d.toString(), d.toTimeString(), d.toDateString(), d.toUTCString(), "" + new Date(NaN)]`},

	{Name: "using with Symbol.dispose", Expr: `var log = []; var r = {[Symbol.dispose]() { log.push("disposed"); }}; r[Symbol.dispose](); log`},
}

// Built-ins that Node 20 lacks (they shipped in V8 11.7 to 12.x). The expected
// values follow the ES2025 spec text.
var laterBuiltinCases = []estest.Case{
	// Node 20 ships its own Symbol.dispose polyfill, described "nodejs.dispose"; V8 12+ and the spec say "Symbol.dispose".
	{Name: "Symbol.dispose", Expr: `[typeof Symbol.dispose, String(Symbol.dispose), typeof Symbol.asyncDispose, Symbol.asyncDispose.description]`, Want: `["symbol","Symbol(Symbol.dispose)","symbol","Symbol.asyncDispose"]`, Absent: `Symbol.dispose.description === "nodejs.dispose"`},
	{Name: "Object.groupBy", Expr: `Object.groupBy([1, 2, 3, 4, 5], x => x % 2 ? "odd" : "even")`, Want: `null-proto {"odd":[1,3,5],"even":[2,4]}`, Absent: `typeof Object.groupBy === "undefined"`},
	{Name: "Object.groupBy key coercion", Expr: `Object.keys(Object.groupBy("abca", (c, i) => i % 2 === 0 ? 1 : c))`, Want: `["1","b","a"]`, Absent: `typeof Object.groupBy === "undefined"`},
	{Name: "Object.groupBy bad callback", Expr: `Object.groupBy([], 1)`, Want: `throws TypeError`, Absent: `typeof Object.groupBy === "undefined"`},
	{Name: "Map.groupBy", Expr: `var k = {}; var m = Map.groupBy([1, 2, -0, 0], x => x > 1 ? k : x); [m.get(k), m.get(0), m.size, Object.is([...m.keys()][2], 0)]`, Want: `[[2],[-0,0],3,true]`, Absent: `typeof Map.groupBy === "undefined"`},
	{Name: "Promise.withResolvers", Expr: `var r = Promise.withResolvers(); r.resolve(42); r.promise`, Want: `await 42`, Absent: `typeof Promise.withResolvers === "undefined"`},
	{Name: "Promise.withResolvers reject", Expr: `var r = Promise.withResolvers(); r.reject(new RangeError("x")); r.promise`, Want: `rejects RangeError`, Absent: `typeof Promise.withResolvers === "undefined"`},
	{Name: "Promise.withResolvers keys", Expr: `Object.keys(Promise.withResolvers())`, Want: `["promise","resolve","reject"]`, Absent: `typeof Promise.withResolvers === "undefined"`},
	{Name: "Array.fromAsync sync iterable", Expr: `Array.fromAsync([1, Promise.resolve(2), 3])`, Want: `await [1,2,3]`, Absent: `typeof Array.fromAsync === "undefined"`},
	{Name: "Array.fromAsync async iterable", Expr: `Array.fromAsync({[Symbol.asyncIterator]() { let i = 0; return {next() { return Promise.resolve(i < 3 ? {value: i++, done: false} : {done: true}); }}; }}, x => x * 10)`, Want: `await [0,10,20]`, Absent: `typeof Array.fromAsync === "undefined"`},
	{Name: "Array.fromAsync array-like", Expr: `Array.fromAsync({length: 2, 0: "a", 1: Promise.resolve("b")})`, Want: `await ["a","b"]`, Absent: `typeof Array.fromAsync === "undefined"`},
	{Name: "Array.fromAsync bad mapper", Expr: `Array.fromAsync([1], 5)`, Want: `rejects TypeError`, Absent: `typeof Array.fromAsync === "undefined"`},
	{Name: "Array.fromAsync mapper throws closes", Expr: `var closed = false; var it = {[Symbol.iterator]() { return {next: () => ({value: 1, done: false}), return() { closed = true; return {}; }}; }}; Array.fromAsync(it, () => { throw new SyntaxError("m"); }).catch(e => [e.name, closed])`, Want: `await ["SyntaxError",true]`, Absent: `typeof Array.fromAsync === "undefined"`},
	{Name: "Iterator global", Expr: `[typeof Iterator, Iterator.prototype === Object.getPrototypeOf(Object.getPrototypeOf([].values())), Iterator.prototype[Symbol.toStringTag], Iterator.prototype.constructor === Iterator]`, Want: `["function",true,"Iterator",true]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "Iterator abstract", Expr: `new Iterator()`, Want: `throws TypeError`, Absent: `typeof Iterator === "undefined"`},
	{Name: "Iterator subclass", Expr: `class Count extends Iterator { constructor() { super(); this.i = 0; } next() { return this.i < 3 ? {value: this.i++, done: false} : {value: undefined, done: true}; } }; new Count().map(x => x + 1).toArray()`, Want: `[1,2,3]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "map/filter/take/drop", Expr: `[1, 2, 3, 4, 5, 6].values().drop(1).filter(x => x % 2 === 0).map((x, i) => x * 10 + i).take(2).toArray()`, Want: `[20,41]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "flatMap", Expr: `[1, 2].values().flatMap(x => [x, x * 10]).toArray()`, Want: `[1,10,2,20]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "flatMap rejects strings", Expr: `[1].values().flatMap(x => "ab").toArray()`, Want: `throws TypeError`, Absent: `typeof Iterator === "undefined"`},
	{Name: "reduce", Expr: `[[1, 2, 3].values().reduce((a, b) => a + b), [].values().reduce((a, b) => a, "init")]`, Want: `[6,"init"]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "reduce empty", Expr: `[].values().reduce((a, b) => a)`, Want: `throws TypeError`, Absent: `typeof Iterator === "undefined"`},
	{Name: "forEach/some/every/find", Expr: `var seen = []; [1, 2].values().forEach((v, i) => seen.push(v, i)); [seen, [1, 2].values().some(x => x > 1), [1, 2].values().every(x => x > 1), [1, 2, 3].values().find(x => x > 1)]`, Want: `[[1,0,2,1],true,false,2]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "take closes the source", Expr: `var closed = 0; function* g() { try { yield 1; yield 2; yield 3; } finally { closed++; } }; [g().take(1).toArray(), closed]`, Want: `[[1],1]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "helper return closes", Expr: `var closed = 0; function* g() { try { yield 1; yield 2; } finally { closed++; } }; var h = g().map(x => x); h.next(); [h.return(), closed, h.next()]`, Want: `[{"value":undefined,"done":true},1,{"value":undefined,"done":true}]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "helper tag", Expr: `Object.prototype.toString.call([].values().map(x => x))`, Want: `"[object Iterator Helper]"`, Absent: `typeof Iterator === "undefined"`},
	{Name: "take negative", Expr: `[].values().take(-1)`, Want: `throws RangeError`, Absent: `typeof Iterator === "undefined"`},
	{Name: "take NaN", Expr: `[].values().take(NaN)`, Want: `throws RangeError`, Absent: `typeof Iterator === "undefined"`},
	{Name: "map non-callable", Expr: `[].values().map(1)`, Want: `throws TypeError`, Absent: `typeof Iterator === "undefined"`},
	{Name: "Iterator.from next-only", Expr: `var i = 0; Iterator.from({next() { return {value: i++, done: i > 3}; }}).toArray()`, Want: `[0,1,2]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "Iterator.from passthrough", Expr: `var it = [1].values(); Iterator.from(it) === it`, Want: `true`, Absent: `typeof Iterator === "undefined"`},
	{Name: "Iterator.from string", Expr: `Iterator.from("ab").toArray()`, Want: `["a","b"]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "Iterator.from number", Expr: `Iterator.from(5)`, Want: `throws TypeError`, Absent: `typeof Iterator === "undefined"`},
	{Name: "helpers on generators", Expr: `function* g() { yield* [3, 1, 2]; }; g().filter(x => x > 1).toArray()`, Want: `[3,2]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "helpers on Map iterators", Expr: `new Map([["a", 1], ["b", 2]]).keys().map(k => k.toUpperCase()).toArray()`, Want: `["A","B"]`, Absent: `typeof Iterator === "undefined"`},
	{Name: "helper method shape", Expr: `var d = Object.getOwnPropertyDescriptor(Iterator.prototype, "map"); [d.writable, d.enumerable, d.configurable, Iterator.prototype.map.length, Iterator.prototype.reduce.length]`, Want: `[true,false,true,1,1]`, Absent: `typeof Iterator === "undefined"`},
}

func TestBuiltinsMatchNode20(t *testing.T) {
	estest.Compare(t, Install, builtinCases)
}

func TestLaterBuiltinsFollowSpec(t *testing.T) {
	estest.Compare(t, Install, laterBuiltinCases)
}
