package clone

import (
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// realm is one runtime's built-ins as the codec first saw them. Values are
// read and built only through these, never through whatever globalThis
// holds now; that is how V8 behaves (it uses internal slots).
type realm struct {
	vm *goja.Runtime

	objectProto, arrayProto                              *goja.Object
	mapCtor, setCtor, dateCtor, regexpCtor, dataViewCtor *goja.Object
	typedCtors                                           [typedKindCount]*goja.Object
	errorCtors                                           [errorKindCount]*goja.Object

	mapForEach, mapSet, setForEach, setAdd goja.Callable
	dateGetTime, stringValueOf, arrayPush  goja.Callable
	typedBuffer, typedByteOffset, typedLen goja.Callable
	viewBuffer, viewByteOffset, viewLen    goja.Callable

	// JS helpers defined in realmSource.
	regexpParts, errorParts, describe goja.Callable
	ownKeys, getOwn, defineKey        goja.Callable
	absent                            goja.Value // what getOwn returns for a missing key

	// forEach callbacks append (key, value) or (value) to *sink.
	collectPairs, collectValues goja.Value
	sink                        *[]goja.Value
}

// errorKindCount is how many error constructors a clone keeps (Error,
// EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
// in that order, which is the wire kind); any other error becomes a plain
// Error, as the HTML spec says.
const errorKindCount = 7

// regexpFlags are the flag letters in canonical order; bit i of the wire
// flags byte is regexpFlags[i].
const regexpFlags = "dgimsuvy"

// realmSource runs once per runtime and returns what realm needs. The
// helpers close over the built-ins read here and use no method a user
// could replace later (no for-of, no Array.prototype methods).
const realmSource = `(function () {
	"use strict";
	const apply = Reflect.apply, gopd = Object.getOwnPropertyDescriptor;
	const getPrototypeOf = Object.getPrototypeOf, defineProperty = Object.defineProperty;
	const hasOwn = Object.prototype.hasOwnProperty, fnToString = Function.prototype.toString;
	const getter = (o, name) => gopd(o, name).get;
	const typedProto = getPrototypeOf(Int8Array.prototype);
	const reSource = getter(RegExp.prototype, "source");
	const flagNames = ["hasIndices", "global", "ignoreCase", "multiline", "dotAll", "unicode", "unicodeSets", "sticky"];
	const flagGetters = [];
	for (let i = 0; i < flagNames.length; i++) {
		const d = gopd(RegExp.prototype, flagNames[i]);
		flagGetters[i] = d === undefined ? undefined : d.get;
	}
	const errorNames = ["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"];
	const absent = {};
	return {
		objectProto: Object.prototype, arrayProto: Array.prototype,
		Map, mapForEach: Map.prototype.forEach, mapSet: Map.prototype.set,
		Set, setForEach: Set.prototype.forEach, setAdd: Set.prototype.add,
		Date, dateGetTime: Date.prototype.getTime,
		RegExp, stringValueOf: String.prototype.valueOf, arrayPush: Array.prototype.push,
		typedCtors: [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
			Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array],
		typedBuffer: getter(typedProto, "buffer"), typedByteOffset: getter(typedProto, "byteOffset"),
		typedLen: getter(typedProto, "length"),
		DataView, viewBuffer: getter(DataView.prototype, "buffer"),
		viewByteOffset: getter(DataView.prototype, "byteOffset"), viewLen: getter(DataView.prototype, "byteLength"),
		errorCtors: [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError],

		// [source, flags] through the original accessors.
		regexpParts(re) {
			let flags = "";
			for (let i = 0; i < flagGetters.length; i++) {
				const g = flagGetters[i];
				if (g !== undefined && apply(g, re, [])) flags += "dgimsuvy"[i];
			}
			return [apply(reSource, re, []), flags];
		},
		// [kind, hasMessage, message, stack, hasCause, cause] per the HTML
		// spec: name is read with [[Get]], message and cause only when they
		// are own data properties; stack (V8's extension) when a string.
		errorParts(e) {
			const md = gopd(e, "message"), cd = gopd(e, "cause");
			const name = e.name;
			let kind = 0;
			for (let i = 1; i < errorNames.length; i++) if (name === errorNames[i]) kind = i;
			const hasMessage = md !== undefined && apply(hasOwn, md, ["value"]);
			const message = hasMessage ? ` + "`${md.value}`" + ` : undefined;
			const stack = e.stack;
			const hasCause = cd !== undefined && apply(hasOwn, cd, ["value"]);
			return [kind, hasMessage, message, typeof stack === "string" ? stack : undefined, hasCause, hasCause ? cd.value : undefined];
		},
		// How V8 names a value in "… could not be cloned.": functions by
		// their source, other objects as #<Constructor name>.
		describe(o) {
			if (typeof o === "function") return apply(fnToString, o, []);
			for (let p = o; p !== null; p = getPrototypeOf(p)) {
				const d = gopd(p, "constructor");
				if (d === undefined) continue;
				const n = typeof d.value === "function" ? gopd(d.value, "name") : undefined;
				if (n !== undefined && typeof n.value === "string" && n.value !== "") return "#<" + n.value + ">";
				break;
			}
			return "#<Object>";
		},
		// Slow path for keys that are not valid UTF-16 (lone surrogates),
		// which goja's Go string API cannot name.
		ownKeys: Object.keys,
		getOwn(o, k) { return apply(hasOwn, o, [k]) ? o[k] : absent; },
		defineKey(o, k, v) {
			defineProperty(o, k, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true });
		},
		absent,
	};
})()`

var realmProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("gopk:clone/realm.js", realmSource, true)
})

// realmKey names the hidden global property that keeps a runtime's realm.
// Only this package holds the symbol; the property is neither writable nor
// configurable, so user code can neither read anything from it nor swap it.
var realmKey = goja.NewSymbol("gopk.clone.realm")

// realmOf returns the runtime's realm, capturing it on first use.
func realmOf(vm *goja.Runtime) (*realm, error) {
	global := vm.GlobalObject()
	if holder, ok := global.GetSymbol(realmKey).(*goja.Object); ok {
		if h, ok := holder.Export().(realmHolder); ok && h.r.vm == vm {
			return h.r, nil
		}
	}
	r, err := newRealm(vm)
	if err != nil {
		return nil, err
	}
	// If the global object is frozen the realm is simply not cached; every
	// call then captures it again, which is slower but still correct.
	_ = global.DefineDataPropertySymbol(realmKey, vm.NewDynamicObject(realmHolder{r}), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return r, nil
}

func newRealm(vm *goja.Runtime) (*realm, error) {
	res, err := vm.RunProgram(realmProgram())
	if err != nil {
		return nil, fmt.Errorf("clone: capturing the runtime's built-ins: %w", err)
	}
	src := res.(*goja.Object)
	r := &realm{vm: vm, absent: src.Get("absent")}
	var missing []string
	object := func(name string) *goja.Object {
		o, ok := src.Get(name).(*goja.Object)
		if !ok {
			missing = append(missing, name)
		}
		return o
	}
	fn := func(name string) goja.Callable {
		f, ok := goja.AssertFunction(src.Get(name))
		if !ok {
			missing = append(missing, name)
		}
		return f
	}
	r.objectProto, r.arrayProto = object("objectProto"), object("arrayProto")
	r.mapCtor, r.setCtor, r.dateCtor = object("Map"), object("Set"), object("Date")
	r.regexpCtor, r.dataViewCtor = object("RegExp"), object("DataView")
	if typed := object("typedCtors"); typed != nil {
		for i := range r.typedCtors {
			r.typedCtors[i], _ = typed.Get(fmt.Sprint(i)).(*goja.Object)
		}
	}
	if errs := object("errorCtors"); errs != nil {
		for i := range r.errorCtors {
			r.errorCtors[i], _ = errs.Get(fmt.Sprint(i)).(*goja.Object)
		}
	}
	r.mapForEach, r.mapSet = fn("mapForEach"), fn("mapSet")
	r.setForEach, r.setAdd = fn("setForEach"), fn("setAdd")
	r.dateGetTime, r.stringValueOf, r.arrayPush = fn("dateGetTime"), fn("stringValueOf"), fn("arrayPush")
	r.typedBuffer, r.typedByteOffset, r.typedLen = fn("typedBuffer"), fn("typedByteOffset"), fn("typedLen")
	r.viewBuffer, r.viewByteOffset, r.viewLen = fn("viewBuffer"), fn("viewByteOffset"), fn("viewLen")
	r.regexpParts, r.errorParts, r.describe = fn("regexpParts"), fn("errorParts"), fn("describe")
	r.ownKeys, r.getOwn, r.defineKey = fn("ownKeys"), fn("getOwn"), fn("defineKey")
	if len(missing) > 0 {
		return nil, fmt.Errorf("clone: the runtime lacks built-ins the codec needs: %v", missing)
	}
	r.collectPairs = vm.ToValue(func(call goja.FunctionCall) goja.Value {
		*r.sink = append(*r.sink, call.Argument(1), call.Argument(0))
		return goja.Undefined()
	})
	r.collectValues = vm.ToValue(func(call goja.FunctionCall) goja.Value {
		*r.sink = append(*r.sink, call.Argument(0))
		return goja.Undefined()
	})
	return r, nil
}

// forEach runs a Map or Set forEach and returns everything the callback
// saw appended to dst. No user code runs inside: the original forEach
// calls only our native callback.
func (r *realm) forEach(forEach goja.Callable, o *goja.Object, collect goja.Value, dst []goja.Value) ([]goja.Value, error) {
	prev := r.sink
	r.sink = &dst
	_, err := forEach(o, collect)
	r.sink = prev
	return dst, err
}

// realmHolder is the dynamic object kept on the global: JS sees an empty
// object it cannot change.
type realmHolder struct{ r *realm }

func (realmHolder) Get(string) goja.Value       { return nil }
func (realmHolder) Set(string, goja.Value) bool { return false }
func (realmHolder) Has(string) bool             { return false }
func (realmHolder) Delete(string) bool          { return false }
func (realmHolder) Keys() []string              { return nil }
