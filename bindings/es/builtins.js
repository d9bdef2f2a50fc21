// ECMAScript built-ins that goja lacks, written to the ES2025 spec text.
// Compiled once per process by es.go and run once per room VM; keep the
// top level cheap (define functions, build no data).
(function (global, host) {
  "use strict";

  var defineProperty = Object.defineProperty;
  var getPrototypeOf = Object.getPrototypeOf;

  // Built-in methods are writable, configurable and not enumerable.
  function method(target, name, fn, length) {
    if (length !== undefined && fn.length !== length) {
      defineProperty(fn, "length", { value: length, configurable: true });
    }
    defineProperty(target, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
  function named(fn, name) {
    defineProperty(fn, "name", { value: name, configurable: true });
    return fn;
  }
  function isObject(v) {
    return (typeof v === "object" && v !== null) || typeof v === "function";
  }
  function requireCallable(fn, what) {
    if (typeof fn !== "function") throw new TypeError(what + " is not a function");
    return fn;
  }
  function toIntegerOrInfinity(v) {
    var n = +v;
    if (n !== n || n === 0) return 0;
    if (n === Infinity || n === -Infinity) return n;
    return Math.trunc(n);
  }

  // lazy puts placeholder accessors for names on holder; the first get or set
  // of any of them runs build (which defines the real data properties). Most
  // rooms never touch most of these, and building them costs allocations.
  function lazy(holder, names, build, withSetters) {
    var built = false;
    function materialise() {
      if (built) return;
      built = true;
      for (var i = 0; i < names.length; i++) delete holder[names[i]];
      build();
    }
    names.forEach(function (name) {
      var desc = { configurable: true, enumerable: false, get: function () { materialise(); return holder[name]; } };
      // A setter costs one more function per room; only globals get one,
      // because polyfills assign globals but define prototype methods.
      if (withSetters) {
        desc.set = function (v) {
          materialise();
          if (this === holder) holder[name] = v;
          else defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
        };
      }
      defineProperty(holder, name, desc);
    });
  }

  // ---- well-known symbols --------------------------------------------------
  // Unique (not registered) symbols, like V8's. goja's own syntax never uses
  // them; esbuild's lowered `for await` and `using` look them up by name.
  // Touching a goja constructor (here Symbol, Promise, Map) builds it, about
  // 10 KiB per room; deleting or redefining the global builds it too, so a
  // lazy global cannot avoid that. Nearly every bundle touches them anyway.
  if (typeof Symbol.asyncIterator !== "symbol") defineProperty(Symbol, "asyncIterator", { value: Symbol("Symbol.asyncIterator") });
  if (typeof Symbol.dispose !== "symbol") defineProperty(Symbol, "dispose", { value: Symbol("Symbol.dispose") });
  if (typeof Symbol.asyncDispose !== "symbol") defineProperty(Symbol, "asyncDispose", { value: Symbol("Symbol.asyncDispose") });

  // ---- WeakRef / FinalizationRegistry --------------------------------------
  // goja exposes no GC hooks. A WeakRef therefore holds its target strongly
  // (deref always returns it), and FinalizationRegistry callbacks never run.
  // Both are allowed by the spec: an engine may keep any object alive. The
  // room's VM is dropped whole, so nothing leaks beyond the room's lifetime.
  function canBeHeldWeakly(v) {
    return isObject(v) || (typeof v === "symbol" && Symbol.keyFor(v) === undefined);
  }
  if (typeof global.WeakRef !== "function") lazy(global, ["WeakRef", "FinalizationRegistry"], function () {
    var weakRefTarget = new WeakMap();
    var WeakRef = function WeakRef(target) {
      if (new.target === undefined) throw new TypeError("Constructor WeakRef requires 'new'");
      if (!canBeHeldWeakly(target)) throw new TypeError("WeakRef: invalid target");
      var self = Object.create(new.target.prototype);
      weakRefTarget.set(self, target);
      return self;
    };
    method(WeakRef.prototype, "deref", function deref() {
      if (!weakRefTarget.has(this)) throw new TypeError("WeakRef.prototype.deref: receiver is not a WeakRef");
      return weakRefTarget.get(this);
    });
    defineProperty(WeakRef.prototype, Symbol.toStringTag, { value: "WeakRef", configurable: true });
    method(global, "WeakRef", WeakRef);
    var registryCells = new WeakMap();
    var FinalizationRegistry = function FinalizationRegistry(cleanupCallback) {
      if (new.target === undefined) throw new TypeError("Constructor FinalizationRegistry requires 'new'");
      requireCallable(cleanupCallback, "FinalizationRegistry: cleanup");
      var self = Object.create(new.target.prototype);
      registryCells.set(self, []);
      return self;
    };
    var cellsOf = function (registry, what) {
      var cells = registryCells.get(registry);
      if (cells === undefined) throw new TypeError("FinalizationRegistry.prototype." + what + ": receiver is not a FinalizationRegistry");
      return cells;
    };
    method(FinalizationRegistry.prototype, "register", function register(target, heldValue) {
      var cells = cellsOf(this, "register");
      var token = arguments.length > 2 ? arguments[2] : undefined;
      if (!canBeHeldWeakly(target)) throw new TypeError("FinalizationRegistry.prototype.register: invalid target");
      if (target === heldValue) throw new TypeError("FinalizationRegistry.prototype.register: target and holdings must not be same");
      if (token !== undefined && !canBeHeldWeakly(token)) throw new TypeError("FinalizationRegistry.prototype.register: invalid unregister token");
      // Only tokens are kept: targets are never collected, so holdings are never needed.
      if (token !== undefined) cells.push(token);
      return undefined;
    }, 2);
    method(FinalizationRegistry.prototype, "unregister", function unregister(token) {
      var cells = cellsOf(this, "unregister");
      if (!canBeHeldWeakly(token)) throw new TypeError("Invalid unregisterToken ('" + String(token) + "')");
      var removed = false;
      for (var i = cells.length - 1; i >= 0; i--) {
        if (cells[i] === token) { cells.splice(i, 1); removed = true; }
      }
      return removed;
    });
    defineProperty(FinalizationRegistry.prototype, Symbol.toStringTag, { value: "FinalizationRegistry", configurable: true });
    method(global, "FinalizationRegistry", FinalizationRegistry);
  }, true);

  // ---- grouping --------------------------------------------------------------
  function groupBy(items, callback, keyOf, what) {
    if (items === null || items === undefined) throw new TypeError(what + " called on null or undefined");
    requireCallable(callback, what + ": callback");
    var groups = new Map();
    var k = 0;
    for (var value of items) {
      var key = keyOf(callback(value, k++));
      var list = groups.get(key);
      if (list === undefined) groups.set(key, (list = []));
      list.push(value);
    }
    return groups;
  }
  if (typeof Object.groupBy !== "function") {
    method(Object, "groupBy", function groupBy_(items, callback) {
      var groups = groupBy(items, callback, function (k) { return typeof k === "symbol" ? k : String(k); }, "Object.groupBy");
      var out = Object.create(null);
      groups.forEach(function (list, key) { out[key] = list; });
      return out;
    });
    named(Object.groupBy, "groupBy");
  }
  if (typeof Map.groupBy !== "function") {
    method(Map, "groupBy", function groupBy_(items, callback) {
      return groupBy(items, callback, function (k) { return k === 0 ? 0 : k; }, "Map.groupBy");
    });
    named(Map.groupBy, "groupBy");
  }

  // ---- Promise.withResolvers -------------------------------------------------
  if (typeof Promise.withResolvers !== "function") {
    method(Promise, "withResolvers", function withResolvers() {
      var C = this;
      if (!isObject(C)) throw new TypeError("Promise.withResolvers called on non-object");
      var out = {};
      out.promise = new C(function (resolve, reject) { out.resolve = resolve; out.reject = reject; });
      return { promise: out.promise, resolve: out.resolve, reject: out.reject };
    });
  }

  // ---- Array.fromAsync ---------------------------------------------------------
  function isConstructor(C) {
    if (typeof C !== "function") return false;
    try { Reflect.construct(String, [], C); return true; } catch (e) { return false; }
  }
  function createDataProperty(o, k, v) {
    defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  if (typeof Array.fromAsync !== "function") {
    var fromAsyncBody = async function (C, items, mapfn, thisArg) {
      if (mapfn !== undefined && typeof mapfn !== "function") throw new TypeError(String(mapfn) + " is not a function");
      var asyncMethod = items == null ? undefined : items[Symbol.asyncIterator];
      var syncMethod = asyncMethod == null && items != null ? items[Symbol.iterator] : undefined;
      var out, k = 0;
      if (asyncMethod != null || syncMethod != null) {
        out = isConstructor(C) ? new C() : [];
        var isAsync = asyncMethod != null;
        var it = requireCallable(isAsync ? asyncMethod : syncMethod, "@@iterator").call(items);
        if (!isObject(it)) throw new TypeError("Result of the Symbol.asyncIterator method is not an object");
        var next = it.next;
        var close = async function () {
          var ret = it["return"];
          if (ret != null) { var r = ret.call(it); if (isAsync) await r; }
        };
        for (;;) {
          var res = next.call(it);
          if (isAsync) res = await res;
          if (!isObject(res)) throw new TypeError("Iterator result " + String(res) + " is not an object");
          if (res.done) { out.length = k; return out; }
          var v;
          try {
            v = isAsync ? res.value : await res.value;
            if (mapfn !== undefined) v = await mapfn.call(thisArg, v, k);
          } catch (e) {
            try { await close(); } catch (ignored) { /* the first error wins */ }
            throw e;
          }
          createDataProperty(out, k, v);
          k++;
        }
      }
      var arrayLike = Object(items);
      var len = Math.min(Math.max(toIntegerOrInfinity(arrayLike.length), 0), Number.MAX_SAFE_INTEGER);
      out = isConstructor(C) ? new C(len) : new Array(len);
      for (; k < len; k++) {
        var value = await arrayLike[k];
        if (mapfn !== undefined) value = await mapfn.call(thisArg, value, k);
        createDataProperty(out, k, value);
      }
      out.length = len;
      return out;
    };
    method(Array, "fromAsync", function fromAsync(items) {
      return fromAsyncBody(this, items, arguments[1], arguments[2]);
    });
  }

  // ---- String.prototype.isWellFormed / toWellFormed -------------------------
  // The scan over UTF-16 code units is done in Go (host.wellFormed).
  function thisString(v, what) {
    if (v === null || v === undefined) throw new TypeError("String.prototype." + what + " called on null or undefined");
    return String(v);
  }
  if (typeof String.prototype.isWellFormed !== "function") {
    method(String.prototype, "isWellFormed", function isWellFormed() {
      return host.isWellFormed(thisString(this, "isWellFormed"));
    });
    method(String.prototype, "toWellFormed", function toWellFormed() {
      return host.toWellFormed(thisString(this, "toWellFormed"));
    });
  }

  // ---- Iterator and iterator helpers (ES2025) --------------------------------
  var IteratorPrototype = getPrototypeOf(getPrototypeOf([].values()));
  var helperNames = ["map", "filter", "take", "drop", "flatMap", "reduce", "toArray", "forEach", "some", "every", "find"];
  if (typeof global.Iterator !== "function") lazy(global, ["Iterator"], installIterator, true);
  if (typeof IteratorPrototype.map !== "function") lazy(IteratorPrototype, helperNames, installIterator);
  var iteratorInstalled = false;
  function installIterator() {
    if (iteratorInstalled) return;
    iteratorInstalled = true;
    // Both placeholder groups are replaced by the one set of real properties.
    delete global.Iterator;
    for (var i = 0; i < helperNames.length; i++) delete IteratorPrototype[helperNames[i]];
    var Iterator = function Iterator() {
      if (new.target === undefined || new.target === Iterator) {
        throw new TypeError("Abstract class Iterator not directly constructable");
      }
    };
    defineProperty(Iterator, "prototype", { value: IteratorPrototype, writable: false, enumerable: false, configurable: false });
    // Spec: constructor and @@toStringTag are "weird" accessors so old polyfills can assign them.
    var weirdAccessor = function (key, value) {
      defineProperty(IteratorPrototype, key, {
        configurable: true,
        enumerable: false,
        get: function () { return value; },
        set: function (v) {
          if (!isObject(this)) throw new TypeError("Iterator setter called on non-object");
          if (this === IteratorPrototype) throw new TypeError("Cannot assign to read only property of Iterator.prototype");
          if (Object.getOwnPropertyDescriptor(this, key) === undefined) {
            defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
          } else {
            this[key] = v;
          }
        },
      });
    };
    weirdAccessor(Symbol.toStringTag, "Iterator");
    weirdAccessor("constructor", Iterator);

    // GetIteratorDirect: the helpers take `next` once, up front.
    var direct = function (obj, what) {
      if (!isObject(obj)) throw new TypeError("Iterator.prototype." + what + " called on non-object");
      return { iterator: obj, next: obj.next, done: false };
    };
    var stepValue = function (rec) {
      var r = rec.next.call(rec.iterator);
      if (!isObject(r)) throw new TypeError("Iterator result " + String(r) + " is not an object");
      if (r.done) { rec.done = true; return undefined; }
      return r;
    };
    var closeIterator = function (iterator) {
      var ret = iterator["return"];
      if (ret !== undefined && ret !== null) {
        var r = ret.call(iterator);
        if (!isObject(r)) throw new TypeError("Iterator result " + String(r) + " is not an object");
      }
    };
    var closeOnThrow = function (iterator, err) {
      try { closeIterator(iterator); } catch (ignored) { /* the first error wins */ }
      throw err;
    };

    // %IteratorHelperPrototype%: next/return driving a per-helper step function.
    var helperState = new WeakMap();
    var IteratorHelperPrototype = Object.create(IteratorPrototype);
    method(IteratorHelperPrototype, "next", function next() {
      var st = helperState.get(this);
      if (st === undefined) throw new TypeError("Iterator Helper.prototype.next called on incompatible receiver");
      if (st.running) throw new TypeError("Generator is already running");
      if (st.finished) return { value: undefined, done: true };
      st.running = true;
      try {
        var r = st.step();
        if (r === undefined) { st.finished = true; return { value: undefined, done: true }; }
        return { value: r.value, done: false };
      } catch (e) {
        st.finished = true;
        throw e;
      } finally {
        st.running = false;
      }
    });
    method(IteratorHelperPrototype, "return", function return_() {
      var st = helperState.get(this);
      if (st === undefined) throw new TypeError("Iterator Helper.prototype.return called on incompatible receiver");
      if (st.running) throw new TypeError("Generator is already running");
      if (!st.finished) {
        st.finished = true;
        closeIterator(st.rec.iterator);
        if (st.inner) closeIterator(st.inner.iterator);
      }
      return { value: undefined, done: true };
    });
    named(IteratorHelperPrototype["return"], "return");
    defineProperty(IteratorHelperPrototype, Symbol.toStringTag, { value: "Iterator Helper", configurable: true });
    var helper = function (rec, step) {
      var h = Object.create(IteratorHelperPrototype);
      var st = { rec: rec, step: null, finished: false, running: false, inner: null };
      st.step = function () { return step(st); };
      helperState.set(h, st);
      return h;
    };
    var callbackArg = function (rec, fn, what) {
      if (typeof fn !== "function") {
        closeOnThrow(rec.iterator, new TypeError(String(fn) + " is not a function"));
      }
      return fn;
    };

    method(IteratorPrototype, "map", function map(mapper) {
      var rec = direct(this, "map");
      callbackArg(rec, mapper);
      var counter = 0;
      return helper(rec, function () {
        var r = stepValue(rec);
        if (r === undefined) return undefined;
        try { return { value: mapper(r.value, counter++) }; } catch (e) { closeOnThrow(rec.iterator, e); }
      });
    });
    method(IteratorPrototype, "filter", function filter(predicate) {
      var rec = direct(this, "filter");
      callbackArg(rec, predicate);
      var counter = 0;
      return helper(rec, function () {
        for (;;) {
          var r = stepValue(rec);
          if (r === undefined) return undefined;
          var keep;
          try { keep = predicate(r.value, counter++); } catch (e) { closeOnThrow(rec.iterator, e); }
          if (keep) return { value: r.value };
        }
      });
    });
    var toLimit = function (rec, limit) {
      var n = +limit;
      if (n !== n) closeOnThrow(rec.iterator, new RangeError(String(limit) + " must be positive"));
      n = toIntegerOrInfinity(n);
      if (n < 0) closeOnThrow(rec.iterator, new RangeError(String(limit) + " must be positive"));
      return n;
    };
    method(IteratorPrototype, "take", function take(limit) {
      var rec = direct(this, "take");
      var remaining = toLimit(rec, limit);
      return helper(rec, function () {
        if (remaining === 0) { closeIterator(rec.iterator); return undefined; }
        if (remaining !== Infinity) remaining--;
        return stepValue(rec);
      });
    });
    method(IteratorPrototype, "drop", function drop(limit) {
      var rec = direct(this, "drop");
      var remaining = toLimit(rec, limit);
      return helper(rec, function () {
        while (remaining > 0) {
          if (remaining !== Infinity) remaining--;
          if (stepValue(rec) === undefined) return undefined;
        }
        return stepValue(rec);
      });
    });
    var flattenable = function (v, rejectStrings) {
      if (!isObject(v) && (rejectStrings || typeof v !== "string")) {
        throw new TypeError(String(v) + " is not an object");
      }
      var m = v[Symbol.iterator];
      var it = m === undefined || m === null ? v : m.call(v);
      if (!isObject(it)) throw new TypeError(String(it) + " is not an object");
      return { iterator: it, next: it.next, done: false };
    };
    method(IteratorPrototype, "flatMap", function flatMap(mapper) {
      var rec = direct(this, "flatMap");
      callbackArg(rec, mapper);
      var counter = 0;
      return helper(rec, function (st) {
        for (;;) {
          if (st.inner) {
            var ir;
            try { ir = stepValue(st.inner); } catch (e) { closeOnThrow(rec.iterator, e); }
            if (ir !== undefined) return ir;
            st.inner = null;
          }
          var r = stepValue(rec);
          if (r === undefined) return undefined;
          try { st.inner = flattenable(mapper(r.value, counter++), true); } catch (e) { closeOnThrow(rec.iterator, e); }
        }
      });
    });
    method(IteratorPrototype, "reduce", function reduce(reducer) {
      var rec = direct(this, "reduce");
      callbackArg(rec, reducer);
      var acc, counter = 0;
      if (arguments.length < 2) {
        var first = stepValue(rec);
        if (first === undefined) throw new TypeError("Reduce of empty iterator with no initial value");
        acc = first.value;
        counter = 1;
      } else {
        acc = arguments[1];
      }
      for (;;) {
        var r = stepValue(rec);
        if (r === undefined) return acc;
        try { acc = reducer(acc, r.value, counter++); } catch (e) { closeOnThrow(rec.iterator, e); }
      }
    });
    method(IteratorPrototype, "toArray", function toArray() {
      var rec = direct(this, "toArray");
      var out = [];
      for (;;) {
        var r = stepValue(rec);
        if (r === undefined) return out;
        out.push(r.value);
      }
    });
    method(IteratorPrototype, "forEach", function forEach(fn) {
      var rec = direct(this, "forEach");
      callbackArg(rec, fn);
      var counter = 0;
      for (;;) {
        var r = stepValue(rec);
        if (r === undefined) return undefined;
        try { fn(r.value, counter++); } catch (e) { closeOnThrow(rec.iterator, e); }
      }
    });
    var searching = function (name, onHit, onMiss) {
      method(IteratorPrototype, name, named(function (predicate) {
        var rec = direct(this, name);
        callbackArg(rec, predicate);
        var counter = 0;
        for (;;) {
          var r = stepValue(rec);
          if (r === undefined) return onMiss;
          var hit;
          try { hit = predicate(r.value, counter++); } catch (e) { closeOnThrow(rec.iterator, e); }
          if (name === "every" ? !hit : hit) {
            closeIterator(rec.iterator);
            return onHit(r.value);
          }
        }
      }, name));
    };
    searching("some", function () { return true; }, false);
    searching("every", function () { return false; }, true);
    searching("find", function (v) { return v; }, undefined);

    // Iterator.from: wrap anything with a `next` so it gains the helpers.
    var WrapForValidIteratorPrototype = Object.create(IteratorPrototype);
    var wrapped = new WeakMap();
    method(WrapForValidIteratorPrototype, "next", function next() {
      var rec = wrapped.get(this);
      if (rec === undefined) throw new TypeError("next called on incompatible receiver");
      return rec.next.call(rec.iterator);
    });
    method(WrapForValidIteratorPrototype, "return", named(function () {
      var rec = wrapped.get(this);
      if (rec === undefined) throw new TypeError("return called on incompatible receiver");
      var ret = rec.iterator["return"];
      if (ret === undefined || ret === null) return { value: undefined, done: true };
      return ret.call(rec.iterator);
    }, "return"));
    method(Iterator, "from", function from(o) {
      var rec = flattenable(o, false);
      if (rec.iterator instanceof Iterator) return rec.iterator;
      var w = Object.create(WrapForValidIteratorPrototype);
      wrapped.set(w, rec);
      return w;
    });
    method(global, "Iterator", Iterator);
  }

  // ---- queueMicrotask (HTML) ---------------------------------------------------
  // Runs on goja's promise job queue, so it interleaves with promise reactions
  // exactly as in V8. A throwing callback surfaces through the runtime's
  // promise rejection tracker (as an unhandled rejection) instead of
  // `reportError`.
  if (typeof global.queueMicrotask !== "function") lazy(global, ["queueMicrotask"], function () {
    var resolved = Promise.resolve();
    method(global, "queueMicrotask", function queueMicrotask(callback) {
      if (typeof callback !== "function") {
        throw new TypeError('The "callback" argument must be of type function. Received ' + (callback === null ? "null" : typeof callback));
      }
      resolved.then(function () { callback(); });
    });
  }, true);

  // ---- RegExp: Unicode property escapes, surrogate classes -----------------
  // goja parses \p{…} in /u patterns but never matches it, and its regexp
  // engine confuses different classes of surrogates in one pattern. The
  // global RegExp becomes a Proxy of the native one whose construct/apply
  // hand such patterns to host.rewritePattern (property escapes expanded
  // from V8's own tables, surrogate classes written apart) before goja
  // compiles them; everything else (prototype, instanceof, species,
  // lastIndex, subclassing) is the native RegExp's. Regexps goja compiles
  // itself (literals) are caught in exec and test.
  var NativeRegExp = global.RegExp;
  var NativeRegExpProto = NativeRegExp.prototype;
  var nativeSource = null; // the native source getter, read on first use
  var sourceOf = function (re) {
    if (nativeSource === null) nativeSource = Object.getOwnPropertyDescriptor(NativeRegExpProto, "source").get;
    return nativeSource.call(re);
  };
  var originalSources = null; // WeakMap regexp → source as written; made on first use
  var rememberSource = function (re, source) {
    if (originalSources === null) {
      originalSources = new WeakMap();
      sourceOf(NativeRegExpProto);
      // source and toString report the pattern as written, not the rewrite.
      defineProperty(NativeRegExpProto, "source", {
        configurable: true, enumerable: false,
        get: named(function () {
          var s = originalSources.get(this);
          return s !== undefined ? s : nativeSource.call(this);
        }, "get source"),
      });
      var nativeToString = NativeRegExpProto.toString;
      method(NativeRegExpProto, "toString", named(function () {
        var s = isObject(this) ? originalSources.get(this) : undefined;
        return s !== undefined ? "/" + s + "/" + this.flags : nativeToString.call(this);
      }, "toString"));
    }
    originalSources.set(re, source);
    return re;
  };
  // rewritten returns the pattern goja must compile for these flags to match
  // as V8 does, or null when the pattern can be compiled as it is: under /u
  // one with property escapes, otherwise one whose classes may name
  // surrogates (host.rewritePattern tells such classes apart).
  var rewritten = function (pattern, flags) {
    var candidate = flags.indexOf("u") >= 0
      ? pattern.indexOf("\\p") >= 0 || pattern.indexOf("\\P") >= 0
      : flags.indexOf("i") < 0 && pattern.indexOf("\\u") >= 0 && pattern.indexOf("[") >= 0;
    if (!candidate) return null;
    var out = host.rewritePattern(pattern, flags);
    if (typeof out !== "string") throw new SyntaxError(out.error);
    return out === pattern ? null : out;
  };
  var regexpArgs = function (pattern, flags) {
    // A RegExp argument keeps its written source when it is copied.
    var written = originalSources !== null && isObject(pattern) ? originalSources.get(pattern) : undefined;
    if (written !== undefined) {
      return { pattern: written, flags: flags === undefined ? pattern.flags : flags };
    }
    return null;
  };
  var constructRegExp = function (args, newTarget) {
    var pattern = args[0], flags = args[1];
    var copied = regexpArgs(pattern, flags);
    if (copied !== null) { pattern = copied.pattern; flags = copied.flags; }
    if (typeof pattern === "string") {
      var f = flags === undefined ? "" : String(flags);
      if (f.indexOf("d") >= 0 || f.indexOf("v") >= 0) {
        throw new SyntaxError("Invalid regular expression flags '" + f + "': gopk does not support the " +
          (f.indexOf("d") >= 0 ? "d (hasIndices)" : "v (unicodeSets)") + " flag yet; see docs/compatibility.md");
      }
      var r = rewritten(pattern, f);
      if (r !== null) return rememberSource(Reflect.construct(NativeRegExp, [r, f], newTarget), pattern);
    }
    var re = Reflect.construct(NativeRegExp, copied !== null ? [pattern, flags] : args, newTarget);
    return copied !== null ? rememberSource(re, copied.pattern) : re;
  };
  var hasInstance = null; // made on first instanceof
  var RegExpProxy = new Proxy(NativeRegExp, {
    // goja's instanceof cannot see through a Proxy (OrdinaryHasInstance
    // throws "Expecting a function"), so the proxy answers @@hasInstance
    // itself with the native constructor's answer.
    get: function (target, key, receiver) {
      if (typeof key === "symbol" && key === Symbol.hasInstance) {
        if (hasInstance === null) {
          var native = Function.prototype[Symbol.hasInstance];
          hasInstance = named(function (v) { return native.call(NativeRegExp, v); }, "[Symbol.hasInstance]");
        }
        return hasInstance;
      }
      return Reflect.get(target, key, receiver);
    },
    construct: function (target, args, newTarget) {
      return constructRegExp(args, newTarget === RegExpProxy ? NativeRegExp : newTarget);
    },
    apply: function (target, thisArg, args) {
      var pattern = args[0];
      // RegExp(re) returns re itself when re's constructor is RegExp (spec 22.2.4.1).
      if (args[1] === undefined && isObject(pattern) && pattern[Symbol.match] !== undefined && pattern.constructor === RegExpProxy) {
        return pattern;
      }
      return constructRegExp(args, NativeRegExp);
    },
  });
  // A regexp goja compiled itself (a literal in eval or new Function code, or
  // one esbuild left as a literal, such as \p{…} inside a class) never went
  // through constructRegExp. exec and test match with a shadow regexp built
  // from the rewritten pattern instead, keeping lastIndex in step.
  var shadows = null; // WeakMap regexp → shadow regexp, or false when it needs none
  var shadowOf = function (re) {
    if (shadows === null) shadows = new WeakMap();
    var s = shadows.get(re);
    if (s !== undefined) return s;
    s = false;
    if (originalSources === null || !originalSources.has(re)) {
      var source;
      try {
        source = sourceOf(re);
      } catch (e) {
        return false; // not a regexp: the native method throws the right error
      }
      var flags = re.flags, r = rewritten(source, flags);
      if (r !== null) s = new NativeRegExp(r, flags);
    }
    shadows.set(re, s);
    return s;
  };
  // goja leaves match.groups undefined for /u regexps on non-ASCII input.
  // exec fills it in from the group names in the pattern.
  var nativeExec = NativeRegExpProto.exec;
  var groupNames = null; // WeakMap regexp → [name or undefined per capture group]
  var namesOf = function (re) {
    if (groupNames === null) groupNames = new WeakMap();
    var names = groupNames.get(re);
    if (names !== undefined) return names;
    var src = re.source, inClass = false;
    names = [];
    for (var i = 0; i < src.length; i++) {
      var c = src[i];
      if (c === "\\") { i++; continue; }
      if (inClass) { if (c === "]") inClass = false; continue; }
      if (c === "[") { inClass = true; continue; }
      if (c !== "(") continue;
      if (src[i + 1] !== "?") { names.push(undefined); continue; }
      if (src[i + 2] === "<" && src[i + 3] !== "=" && src[i + 3] !== "!") {
        var end = src.indexOf(">", i + 3);
        names.push(src.slice(i + 3, end));
      }
    }
    groupNames.set(re, names);
    return names;
  };
  var exec = named(function (s) {
    var shadow = isObject(this) ? shadowOf(this) : false, m;
    if (shadow === false) {
      m = nativeExec.call(this, s);
    } else {
      shadow.lastIndex = this.lastIndex;
      m = nativeExec.call(shadow, s);
      if (shadow.global || shadow.sticky) this.lastIndex = shadow.lastIndex;
    }
    if (m !== null && m.groups === undefined && this.unicode && this.source.indexOf("(?<") >= 0) {
      var names = namesOf(this), groups = null;
      for (var i = 0; i < names.length; i++) {
        if (names[i] === undefined) continue;
        if (groups === null) groups = Object.create(null);
        groups[names[i]] = m[i + 1];
      }
      if (groups !== null) m.groups = groups;
    }
    return m;
  }, "exec");
  method(NativeRegExpProto, "exec", exec);
  // goja's own test skips exec; this one calls it as the spec says
  // (RegExpExec), keeping the native shortcut for the common case.
  var nativeTest = NativeRegExpProto.test;
  method(NativeRegExpProto, "test", named(function (s) {
    if (!isObject(this)) return nativeTest.call(this, s);
    var ex = this.exec;
    if (ex === exec && shadowOf(this) === false) return nativeTest.call(this, s);
    if (typeof ex !== "function") return nativeTest.call(this, s);
    var m = ex.call(this, s);
    if (m !== null && !isObject(m)) throw new TypeError("exec result must be an object or null");
    return m !== null;
  }, "test"));
  // Annex B compile() replaces the pattern: forget what was derived from it.
  var nativeCompile = NativeRegExpProto.compile;
  method(NativeRegExpProto, "compile", named(function (pattern, flags) {
    var re = nativeCompile.call(this, pattern, flags);
    if (shadows !== null) shadows.delete(this);
    if (originalSources !== null) originalSources.delete(this);
    if (groupNames !== null) groupNames.delete(this);
    return re;
  }, "compile"));
  defineProperty(NativeRegExpProto, "constructor", { value: RegExpProxy, writable: true, enumerable: false, configurable: true });
  defineProperty(global, "RegExp", { value: RegExpProxy, writable: true, enumerable: false, configurable: true });

  // ---- V8 extensions npm code feature-tests for ---------------------------------
  if (typeof Error.captureStackTrace !== "function") {
    method(Error, "captureStackTrace", function captureStackTrace(target) {
      if (!isObject(target)) throw new TypeError("Invalid argument");
      var stack = new Error().stack;
      var lines = typeof stack === "string" ? stack.split("\n") : [];
      // Drop the frame of captureStackTrace itself; keep the header as V8 does.
      var header = target.name === undefined && target.message === undefined ? "Error" : String(target);
      defineProperty(target, "stack", { value: [header].concat(lines.slice(2)).join("\n"), writable: true, configurable: true });
    });
    Error.stackTraceLimit = 10;
  }

  // ---- Annex B leftovers that V8 has ---------------------------------------------
  var ObjectProto = Object.prototype;
  if (typeof ObjectProto.__defineGetter__ !== "function") {
    method(ObjectProto, "__defineGetter__", function __defineGetter__(key, getter) {
      requireCallable(getter, "Object.prototype.__defineGetter__: Expecting function");
      defineProperty(Object(this), key, { get: getter, enumerable: true, configurable: true });
    });
    method(ObjectProto, "__defineSetter__", function __defineSetter__(key, setter) {
      requireCallable(setter, "Object.prototype.__defineSetter__: Expecting function");
      defineProperty(Object(this), key, { set: setter, enumerable: true, configurable: true });
    });
    var lookup = function (kind) {
      return function (key) {
        for (var o = Object(this); o !== null; o = getPrototypeOf(o)) {
          var d = Object.getOwnPropertyDescriptor(o, key);
          if (d !== undefined) return d[kind];
        }
        return undefined;
      };
    };
    method(ObjectProto, "__lookupGetter__", named(lookup("get"), "__lookupGetter__"));
    method(ObjectProto, "__lookupSetter__", named(lookup("set"), "__lookupSetter__"));
  }
  var DateProto = Date.prototype;
  if (typeof DateProto.getYear !== "function") {
    method(DateProto, "getYear", function getYear() {
      var y = DateProto.getFullYear.call(this);
      return y !== y ? NaN : y - 1900;
    });
    method(DateProto, "setYear", function setYear(year) {
      var t = DateProto.getTime.call(this);
      var y = +year;
      if (y !== y) { DateProto.setTime.call(this, NaN); return NaN; }
      y = toIntegerOrInfinity(y);
      if (y >= 0 && y <= 99) y += 1900;
      var d = t !== t ? new Date(0) : new Date(t);
      if (t !== t) { d.setHours(0, 0, 0, 0); }
      d.setFullYear(y);
      return DateProto.setTime.call(this, d.getTime());
    });
    method(DateProto, "toGMTString", DateProto.toUTCString);
  }
  // goja writes years outside 0…9999 with four digits (-0001); the spec, and
  // V8, write a sign and six digits (-000001, +010000).
  var nativeToISOString = DateProto.toISOString;
  method(DateProto, "toISOString", named(function () {
    var s = nativeToISOString.call(this);
    var y = DateProto.getUTCFullYear.call(this);
    if (y >= 0 && y <= 9999) return s;
    var digits = String(y < 0 ? -y : y);
    return (y < 0 ? "-" : "+") + "000000".slice(digits.length) + digits + s.slice(s.indexOf("-", 1));
  }, "toISOString"));
  // Rooms run in UTC, which V8 names "Coordinated Universal Time" and goja "UTC".
  var longUTCName = function (name) {
    var native = DateProto[name];
    method(DateProto, name, named(function () {
      var s = native.call(this);
      return s.slice(-6) === " (UTC)" ? s.slice(0, -5) + "(Coordinated Universal Time)" : s;
    }, name));
  };
  longUTCName("toString");
  longUTCName("toTimeString");
});
