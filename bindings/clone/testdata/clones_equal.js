// clonesEqual(a, b) throws unless b is a structured clone of a:
//  - primitives are the same value (Object.is: NaN, -0 and lone surrogates count);
//  - every object of b is fresh, has the built-in prototype structured clone
//    gives it (class instances become plain objects), and the contents V8's
//    serializer keeps;
//  - sharing is the same: objects of a map one-to-one onto objects of b, so a
//    cycle or a repeated reference in a is the same cycle or reference in b.
// It reads a only through built-ins captured here, so a test may replace
// globals afterwards.
var clonesEqual = (function () {
	"use strict";
	const is = Object.is, keys = Object.keys, gopd = Object.getOwnPropertyDescriptor;
	const getPrototypeOf = Object.getPrototypeOf, isArray = Array.isArray;
	const apply = Reflect.apply, hasOwn = Object.prototype.hasOwnProperty;
	const getter = (o, n) => gopd(o, n).get;
	const TypedArray = getPrototypeOf(Int8Array.prototype);
	const typedTag = getter(TypedArray, Symbol.toStringTag);
	const mapEntries = Map.prototype.entries, setValues = Set.prototype.values;
	const mapSize = getter(Map.prototype, "size"), setSize = getter(Set.prototype, "size");
	const abByteLength = getter(ArrayBuffer.prototype, "byteLength");
	const taBuffer = getter(TypedArray, "buffer"), taOffset = getter(TypedArray, "byteOffset");
	const taLength = getter(TypedArray, "length");
	const dvBuffer = getter(DataView.prototype, "buffer"), dvOffset = getter(DataView.prototype, "byteOffset");
	const dvLength = getter(DataView.prototype, "byteLength");
	const reSource = getter(RegExp.prototype, "source"), reFlags = getter(RegExp.prototype, "flags");
	const dateGetTime = Date.prototype.getTime;
	const valueOfs = {
		Boolean: Boolean.prototype.valueOf, Number: Number.prototype.valueOf,
		String: String.prototype.valueOf, BigInt: BigInt.prototype.valueOf,
	};
	const errorNames = ["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"];
	const protos = {
		Object: Object.prototype, Array: Array.prototype, Map: Map.prototype, Set: Set.prototype,
		Date: Date.prototype, RegExp: RegExp.prototype, ArrayBuffer: ArrayBuffer.prototype,
		DataView: DataView.prototype, Boolean: Boolean.prototype, Number: Number.prototype,
		String: String.prototype, BigInt: BigInt.prototype,
	};
	for (const n of errorNames) protos[n] = globalThis[n].prototype;
	for (const n of ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
		"Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) protos[n] = globalThis[n].prototype;

	const succeeds = (fn, x) => { try { apply(fn, x, []); return true; } catch (e) { return false; } };

	// brand names the internal slots of x, the way structured clone sees it.
	function brand(x) {
		if (isArray(x)) return "Array";
		const t = apply(typedTag, x, []);
		if (t !== undefined) return t;
		if (succeeds(mapSize, x)) return "Map";
		if (succeeds(setSize, x)) return "Set";
		if (succeeds(dateGetTime, x)) return "Date";
		if (succeeds(abByteLength, x)) return "ArrayBuffer";
		if (succeeds(dvLength, x)) return "DataView";
		if (x !== RegExp.prototype && succeeds(reSource, x)) return "RegExp";
		for (const n in valueOfs) if (succeeds(valueOfs[n], x)) return n;
		if (x instanceof Error) return "Error";
		return "Object";
	}

	const show = (v) => typeof v === "string" ? JSON.stringify(v) : typeof v === "bigint" ? v + "n" : is(v, -0) ? "-0" : String(v);

	return function clonesEqual(a, b) {
		const fwd = new Map(), back = new Map();
		function fail(path, msg) { throw new Error((path || "value") + ": " + msg); }

		function eq(x, y, path) {
			if (typeof x !== typeof y) fail(path, "typeof " + typeof x + " became " + typeof y);
			if (typeof x !== "object" || x === null || y === null) {
				if (!is(x, y)) fail(path, show(x) + " became " + show(y));
				return;
			}
			if (fwd.has(x)) {
				if (fwd.get(x) !== y) fail(path, "a repeated reference became a different object");
				return;
			}
			if (back.has(y)) fail(path, "two objects became one");
			if (x === y) fail(path, "the clone is the original object, not a copy");
			fwd.set(x, y);
			back.set(y, x);

			const kind = brand(x);
			if (brand(y) !== kind && !(kind === "Error")) fail(path, kind + " became " + brand(y));
			let proto = protos[kind];
			if (kind === "Error") {
				const name = x.name;
				proto = protos[errorNames.indexOf(name) >= 0 ? name : "Error"];
			}
			if (getPrototypeOf(y) !== proto) fail(path, "prototype is not " + kind + ".prototype");

			switch (kind) {
			case "Object": case "Array":
				if (kind === "Array" && x.length !== y.length) fail(path, "length " + x.length + " became " + y.length);
				ownProps(x, y, path);
				return;
			case "Map": {
				if (apply(mapSize, x, []) !== apply(mapSize, y, [])) fail(path, "Map size differs");
				const ix = apply(mapEntries, x, []), iy = apply(mapEntries, y, []);
				for (let i = 0; ; i++) {
					const ex = ix.next(), ey = iy.next();
					if (ex.done || ey.done) { if (ex.done !== ey.done) fail(path, "Map size differs"); return; }
					eq(ex.value[0], ey.value[0], path + ".<key " + i + ">");
					eq(ex.value[1], ey.value[1], path + ".<value " + i + ">");
				}
			}
			case "Set": {
				if (apply(setSize, x, []) !== apply(setSize, y, [])) fail(path, "Set size differs");
				const ix = apply(setValues, x, []), iy = apply(setValues, y, []);
				for (let i = 0; ; i++) {
					const ex = ix.next(), ey = iy.next();
					if (ex.done || ey.done) { if (ex.done !== ey.done) fail(path, "Set size differs"); return; }
					eq(ex.value, ey.value, path + ".<" + i + ">");
				}
			}
			case "Date":
				if (!is(apply(dateGetTime, x, []), apply(dateGetTime, y, []))) fail(path, "time value differs");
				break;
			case "RegExp":
				if (apply(reSource, x, []) !== apply(reSource, y, [])) fail(path, "source differs");
				if (apply(reFlags, x, []) !== apply(reFlags, y, [])) fail(path, "flags differ");
				if (y.lastIndex !== 0) fail(path, "lastIndex was kept");
				break;
			case "Boolean": case "Number": case "String": case "BigInt":
				eq(apply(valueOfs[kind], x, []), apply(valueOfs[kind], y, []), path + ".<primitive>");
				break;
			case "ArrayBuffer": {
				const bx = new Uint8Array(x), by = new Uint8Array(y);
				if (bx.length !== by.length) fail(path, "byteLength differs");
				for (let i = 0; i < bx.length; i++) if (bx[i] !== by[i]) fail(path, "byte " + i + " differs");
				break;
			}
			case "DataView":
				if (apply(dvOffset, x, []) !== apply(dvOffset, y, [])) fail(path, "byteOffset differs");
				if (apply(dvLength, x, []) !== apply(dvLength, y, [])) fail(path, "byteLength differs");
				eq(apply(dvBuffer, x, []), apply(dvBuffer, y, []), path + ".buffer");
				break;
			case "Error": {
				for (const f of ["message", "cause"]) {
					const dx = gopd(x, f), dy = gopd(y, f);
					const hx = dx !== undefined && apply(hasOwn, dx, ["value"]);
					if (hx !== (dy !== undefined)) fail(path, "own " + f + " present became " + !hx);
					if (!hx) continue;
					if (dy.enumerable || !dy.writable || !dy.configurable) fail(path, f + " should be a hidden data property");
					eq(f === "message" ? String(dx.value) : dx.value, dy.value, path + "." + f);
				}
				if (typeof x.stack === "string" && x.stack !== y.stack) fail(path, "stack differs");
				if (keys(y).length !== 0) fail(path, "an error's other properties are not cloned, got " + keys(y));
				break;
			}
			default: // typed arrays
				if (apply(taOffset, x, []) !== apply(taOffset, y, [])) fail(path, "byteOffset differs");
				if (apply(taLength, x, []) !== apply(taLength, y, [])) fail(path, "length differs");
				for (let i = 0; i < x.length; i++) eq(x[i], y[i], path + "[" + i + "]");
				eq(apply(taBuffer, x, []), apply(taBuffer, y, []), path + ".buffer");
				return; // their own keys are the elements
			}
			if (keys(y).length !== 0 && kind !== "String") fail(path, "unexpected own properties " + keys(y));
		}

		// ownProps: same own enumerable keys in the same order (holes stay
		// holes), each a plain writable data property in the clone.
		function ownProps(x, y, path) {
			const kx = keys(x), ky = keys(y);
			if (kx.length !== ky.length || kx.some((k, i) => k !== ky[i])) fail(path, "keys " + JSON.stringify(kx) + " became " + JSON.stringify(ky));
			for (const k of kx) {
				const d = gopd(y, k);
				if (!d.writable || !d.enumerable || !d.configurable || d.get || d.set) fail(path + "." + k, "not a plain data property");
				eq(x[k], y[k], path + "." + k);
			}
		}

		eq(a, b, "");
		return true;
	};
})();
