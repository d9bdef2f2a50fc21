// require("util"): the parts of Node's util that npm packages call. format
// and inspect are Go (bindings/web/inspect), the rest is small JS.
(function (exports, require, module, native) {
  "use strict";
  const inspect = function inspect(value, opts) {
    const depth = typeof opts === "object" && opts !== null && opts.depth !== undefined ? (opts.depth === null ? Infinity : opts.depth) : 2;
    return native.inspect(value, depth);
  };
  inspect.custom = Symbol.for("nodejs.util.inspect.custom");
  inspect.defaultOptions = { depth: 2 };

  const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
  function promisify(fn) {
    if (typeof fn !== "function") throw new TypeError('The "original" argument must be of type function');
    if (fn[kCustomPromisify]) return fn[kCustomPromisify];
    function promisified(...args) {
      return new Promise((resolve, reject) => {
        fn.call(this, ...args, (err, ...values) => {
          if (err) reject(err);
          else resolve(values.length > 1 ? values : values[0]);
        });
      });
    }
    Object.setPrototypeOf(promisified, Object.getPrototypeOf(fn));
    return Object.defineProperties(promisified, Object.getOwnPropertyDescriptors(fn));
  }
  promisify.custom = kCustomPromisify;

  function callbackify(fn) {
    if (typeof fn !== "function") throw new TypeError('The "original" argument must be of type function');
    return function (...args) {
      const cb = args.pop();
      if (typeof cb !== "function") throw new TypeError("The last argument must be of type function");
      fn.apply(this, args).then((v) => queueMicrotask(() => cb(null, v)), (e) => queueMicrotask(() => cb(e || new Error("Promise was rejected with a falsy value"))));
    };
  }

  function inherits(ctor, superCtor) {
    Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  const warned = new Set();
  function deprecate(fn, msg, code) {
    return function (...args) {
      if (!warned.has(code ?? msg)) {
        warned.add(code ?? msg);
        console.warn(`DeprecationWarning: ${msg}`);
      }
      return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
    };
  }

  const tagOf = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const types = {
    isPromise: (v) => v instanceof Promise,
    isDate: (v) => v instanceof Date,
    isRegExp: (v) => v instanceof RegExp,
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isWeakMap: (v) => v instanceof WeakMap,
    isWeakSet: (v) => v instanceof WeakSet,
    isNativeError: (v) => v instanceof Error,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isAnyArrayBuffer: (v) => v instanceof ArrayBuffer,
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isTypedArray: (v) => ArrayBuffer.isView(v) && !(v instanceof DataView),
    isUint8Array: (v) => v instanceof Uint8Array,
    isDataView: (v) => v instanceof DataView,
    isAsyncFunction: (v) => typeof v === "function" && tagOf(v) === "AsyncFunction",
    isGeneratorFunction: (v) => typeof v === "function" && tagOf(v) === "GeneratorFunction",
    isGeneratorObject: (v) => tagOf(v) === "Generator",
    isBoxedPrimitive: (v) => v instanceof Number || v instanceof String || v instanceof Boolean,
    isSymbolObject: (v) => typeof v === "object" && v !== null && tagOf(v) === "Symbol",
    isProxy: () => false,
  };

  function isDeepStrictEqual(a, b) { return require("assert").__deepEqual(a, b, true); }

  Object.assign(exports, {
    format: native.format,
    formatWithOptions: (_opts, ...args) => native.format(...args),
    inspect,
    promisify,
    callbackify,
    inherits,
    deprecate,
    isDeepStrictEqual,
    types,
    debuglog: () => Object.assign(() => {}, { enabled: false }),
    debug: () => Object.assign(() => {}, { enabled: false }),
    isArray: Array.isArray,
    isBoolean: (v) => typeof v === "boolean",
    isNull: (v) => v === null,
    isNullOrUndefined: (v) => v === null || v === undefined,
    isNumber: (v) => typeof v === "number",
    isString: (v) => typeof v === "string",
    isSymbol: (v) => typeof v === "symbol",
    isUndefined: (v) => v === undefined,
    isObject: (v) => v !== null && typeof v === "object",
    isFunction: (v) => typeof v === "function",
    isPrimitive: (v) => v === null || (typeof v !== "object" && typeof v !== "function"),
    isError: (v) => v instanceof Error,
    isDate: types.isDate,
    isRegExp: types.isRegExp,
    stripVTControlCharacters: (s) => `${s}`.replace(/\u001b\[[0-9;]*[A-Za-z]/g, ""),
    toUSVString: (s) => `${s}`.toWellFormed ? `${s}`.toWellFormed() : `${s}`,
    TextEncoder,
    TextDecoder,
  });
})
