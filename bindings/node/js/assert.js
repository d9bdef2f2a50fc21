// require("assert"): Node's assertion API, small enough to write directly
// (the npm "assert" package pulls in a dozen dependencies).
(function (exports, require, module, native) {
  "use strict";
  class AssertionError extends Error {
    constructor(options = {}) {
      super(options.message ?? `${native.inspect(options.actual, 2)} ${options.operator} ${native.inspect(options.expected, 2)}`);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = options.operator;
      this.generatedMessage = options.message === undefined;
    }
  }

  const fail = (actual, expected, message, operator) => {
    if (message instanceof Error) throw message;
    throw new AssertionError({ actual, expected, message, operator });
  };

  function deepEqual(a, b, strict, seen = new Map()) {
    if (strict ? Object.is(a, b) : a == b || (a !== a && b !== b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (seen.get(a) === b) return true;
    seen.set(a, b);
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp && b instanceof RegExp) return `${a}` === `${b}`;
    if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
      if (a.byteLength !== b.byteLength) return false;
      const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      return x.every((v, i) => v === y[i]);
    }
    if (a instanceof Map && b instanceof Map) {
      if (a.size !== b.size) return false;
      for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k), strict, seen)) return false;
      return true;
    }
    if (a instanceof Set && b instanceof Set) {
      if (a.size !== b.size) return false;
      for (const v of a) if (!b.has(v)) return false;
      return true;
    }
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k], strict, seen)) return false;
    }
    return true;
  }

  const matches = (err, expected) => {
    if (expected === undefined) return true;
    if (typeof expected === "function") {
      if (expected.prototype !== undefined && err instanceof expected) return true;
      if (Error.isPrototypeOf(expected) || expected === Error) return false;
      return expected(err) === true;
    }
    if (expected instanceof RegExp) return expected.test(`${err}`);
    if (typeof expected === "object") {
      return Object.keys(expected).every((k) => (expected[k] instanceof RegExp ? expected[k].test(err[k]) : deepEqual(err[k], expected[k], true)));
    }
    return false;
  };

  function assert(value, message) { if (!value) fail(value, true, message ?? "The expression evaluated to a falsy value", "=="); }
  Object.assign(assert, {
    AssertionError,
    ok: assert,
    fail: (message = "Failed") => fail(undefined, undefined, message, "fail"),
    equal: (a, b, m) => { if (!(a == b || (a !== a && b !== b))) fail(a, b, m, "=="); },
    notEqual: (a, b, m) => { if (a == b) fail(a, b, m, "!="); },
    strictEqual: (a, b, m) => { if (!Object.is(a, b)) fail(a, b, m, "strictEqual"); },
    notStrictEqual: (a, b, m) => { if (Object.is(a, b)) fail(a, b, m, "notStrictEqual"); },
    deepEqual: (a, b, m) => { if (!deepEqual(a, b, false)) fail(a, b, m, "deepEqual"); },
    notDeepEqual: (a, b, m) => { if (deepEqual(a, b, false)) fail(a, b, m, "notDeepEqual"); },
    deepStrictEqual: (a, b, m) => { if (!deepEqual(a, b, true)) fail(a, b, m, "deepStrictEqual"); },
    notDeepStrictEqual: (a, b, m) => { if (deepEqual(a, b, true)) fail(a, b, m, "notDeepStrictEqual"); },
    match: (s, re, m) => { if (!re.test(s)) fail(s, re, m, "match"); },
    doesNotMatch: (s, re, m) => { if (re.test(s)) fail(s, re, m, "doesNotMatch"); },
    throws(fn, expected, message) {
      if (typeof expected === "string") { message = expected; expected = undefined; }
      try { fn(); } catch (err) {
        if (!matches(err, expected)) throw err;
        return;
      }
      fail(undefined, expected, message ?? "Missing expected exception.", "throws");
    },
    doesNotThrow(fn, message) {
      try { fn(); } catch (err) { fail(err, undefined, message ?? `Got unwanted exception: ${err}`, "doesNotThrow"); }
    },
    async rejects(p, expected, message) {
      if (typeof expected === "string") { message = expected; expected = undefined; }
      try { await (typeof p === "function" ? p() : p); } catch (err) {
        if (!matches(err, expected)) throw err;
        return;
      }
      fail(undefined, expected, message ?? "Missing expected rejection.", "rejects");
    },
    async doesNotReject(p, message) {
      try { await (typeof p === "function" ? p() : p); } catch (err) { fail(err, undefined, message ?? `Got unwanted rejection: ${err}`, "doesNotReject"); }
    },
    ifError: (v) => { if (v !== null && v !== undefined) throw v; },
    __deepEqual: deepEqual,
  });
  assert.strict = assert;
  module.exports = assert;
})
