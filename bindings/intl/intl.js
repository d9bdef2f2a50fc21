// The JS face of Intl: constructors and prototype methods that hold a Go
// formatter (made by host.*) and delegate to it. Compiled once by intl.go;
// run on a room's first use of Intl or of a toLocale* method.
(function (global, host) {
  "use strict";
  var defineProperty = Object.defineProperty;
  function method(target, name, fn) {
    defineProperty(target, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
  function tag(proto, name) {
    defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
  }
  function localeList(locales) {
    if (locales === undefined) return [];
    if (typeof locales === "string") return [locales];
    if (locales === null) throw new TypeError("Cannot convert undefined or null to object");
    var o = Object(locales), out = [];
    var len = o.length >>> 0;
    for (var i = 0; i < len; i++) {
      if (!(i in o)) continue;
      var v = o[i];
      if (typeof v !== "string" && (typeof v !== "object" || v === null)) throw new TypeError("Language ID should be string or object.");
      out.push(String(v));
    }
    return out;
  }
  var slots = new WeakMap();
  function handle(obj, what) {
    var h = slots.get(obj);
    if (h === undefined) throw new TypeError("Method Intl." + what + " called on incompatible receiver " + String(obj));
    return h;
  }
  function supportedLocalesOf(locales) { return host.supportedLocalesOf(localeList(locales)); }

  function defineService(name, make, methods, callable) {
    var C = function (locales, options) {
      if (new.target === undefined && !callable) throw new TypeError("Constructor Intl." + name + " requires 'new'");
      var self = new.target === undefined ? Object.create(C.prototype) : this;
      slots.set(self, make(localeList(locales), options));
      return self;
    };
    defineProperty(C, "name", { value: name, configurable: true });
    method(C, "supportedLocalesOf", function supportedLocalesOf_(locales) { return supportedLocalesOf(locales); });
    for (var key in methods) {
      if (key.charAt(0) === "@") {
        // A getter returning a bound function (format, compare).
        (function (key, fn) {
          defineProperty(C.prototype, key.slice(1), {
            configurable: true, enumerable: false,
            get: function () {
              var h = handle(this, name + ".prototype." + key.slice(1));
              if (!h.bound) h.bound = fn(h);
              return h.bound;
            },
          });
        })(key, methods[key]);
      } else {
        (function (key, fn) {
          method(C.prototype, key, function () {
            return fn.apply(undefined, [handle(this, name + ".prototype." + key)].concat(Array.prototype.slice.call(arguments)));
          });
          defineProperty(C.prototype[key], "name", { value: key });
        })(key, methods[key]);
      }
    }
    tag(C.prototype, "Intl." + name);
    return C;
  }

  var Intl = {};
  tag(Intl, "Intl");
  method(Intl, "getCanonicalLocales", function getCanonicalLocales(locales) { return host.canonicalLocales(localeList(locales)); });
  method(Intl, "NumberFormat", defineService("NumberFormat", host.numberFormat, {
    "@format": function (h) { return function (x) { return h.format(x); }; },
    resolvedOptions: function (h) { return h.resolvedOptions(); },
  }, true));
  method(Intl, "DateTimeFormat", defineService("DateTimeFormat", function (l, o) { return host.dateTimeFormat(l, o, "any", "date"); }, {
    "@format": function (h) { return function (d) { return h.format(d === undefined ? Date.now() : d); }; },
    resolvedOptions: function (h) { return h.resolvedOptions(); },
  }, true));
  method(Intl, "Collator", defineService("Collator", host.collator, {
    "@compare": function (h) { return function (a, b) { return h.compare(String(a), String(b)); }; },
    resolvedOptions: function (h) { return h.resolvedOptions(); },
  }, true));
  method(Intl, "PluralRules", defineService("PluralRules", host.pluralRules, {
    select: function (h, n) { return h.select(Number(n)); },
    resolvedOptions: function (h) { return h.resolvedOptions(); },
  }, false));
  method(Intl, "RelativeTimeFormat", defineService("RelativeTimeFormat", host.relativeTimeFormat, {
    format: function (h, value, unit) { return h.format(Number(value), String(unit)); },
    resolvedOptions: function (h) { return h.resolvedOptions(); },
  }, false));
  method(Intl, "ListFormat", defineService("ListFormat", host.listFormat, {
    format: function (h, list) { return h.format(Array.from(list === undefined ? [] : list, function (s) { if (typeof s !== "string") throw new TypeError("Iterable yielded " + String(s) + " which is not a string"); return s; })); },
    resolvedOptions: function (h) { return h.resolvedOptions(); },
  }, false));
  method(Intl, "Segmenter", defineService("Segmenter", host.segmenter, {
    segment: function (h, input) {
      var s = String(input);
      var parts = h.segment(s);
      var segments = {};
      method(segments, "containing", function containing(i) {
        var n = i === undefined ? 0 : Math.trunc(Number(i)) || 0;
        for (var k = 0; k < parts.length; k++) {
          if (n >= parts[k].index && n < parts[k].index + parts[k].segment.length) return parts[k];
        }
        return undefined;
      });
      method(segments, Symbol.iterator, function () { return parts.values(); });
      return segments;
    },
    resolvedOptions: function (h) { return h.resolvedOptions(); },
  }, false));

  // toLocale* and localeCompare use the same Go formatters.
  var numberToLocale = function toLocaleString() {
    var x = Number.prototype.valueOf.call(this);
    return host.numberFormat(localeList(arguments[0]), arguments[1]).format(x);
  };
  var bigintToLocale = function toLocaleString() {
    var x = BigInt.prototype.valueOf.call(this);
    return host.numberFormat(localeList(arguments[0]), arguments[1]).format(x);
  };
  function dateMethod(name, required, defaults) {
    return function () {
      var t = Date.prototype.getTime.call(this);
      if (t !== t) return "Invalid Date";
      return host.dateTimeFormat(localeList(arguments[0]), arguments[1], required, defaults).format(t);
    };
  }
  var localeCompare = function localeCompare(that) {
    if (this === null || this === undefined) throw new TypeError("String.prototype.localeCompare called on null or undefined");
    return host.collator(localeList(arguments[1]), arguments[2]).compare(String(this), String(that));
  };
  return {
    Intl: Intl,
    patch: function () {
      method(Number.prototype, "toLocaleString", numberToLocale);
      method(BigInt.prototype, "toLocaleString", bigintToLocale);
      var d = dateMethod("toLocaleString", "any", "all");
      method(Date.prototype, "toLocaleString", d);
      method(Date.prototype, "toLocaleDateString", dateMethod("toLocaleDateString", "date", "date"));
      method(Date.prototype, "toLocaleTimeString", dateMethod("toLocaleTimeString", "time", "time"));
      method(String.prototype, "localeCompare", localeCompare);
      defineProperty(Date.prototype.toLocaleDateString, "name", { value: "toLocaleDateString" });
      defineProperty(Date.prototype.toLocaleTimeString, "name", { value: "toLocaleTimeString" });
    },
  };
});
