// describe turns any JS value into one line of text that is equal in goja and
// V8 exactly when the values are equal for the purpose of a test. Every code
// point outside printable ASCII is escaped, so U+202F and U+00A0 differ visibly.
(function () {
  function esc(s) {
    var out = '"';
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c === 0x22 || c === 0x5c) out += "\\" + s[i];
      else if (c >= 0x20 && c < 0x7f) out += s[i];
      else out += "\\u" + ("000" + c.toString(16).toUpperCase()).slice(-4);
    }
    return out + '"';
  }
  function describe(v, seen) {
    switch (typeof v) {
      case "string": return esc(v);
      case "number": return Object.is(v, -0) ? "-0" : String(v);
      case "bigint": return String(v) + "n";
      case "undefined": case "boolean": return String(v);
      case "symbol": return "Symbol(" + esc(v.description === undefined ? "" : v.description) + ")";
      case "function": return "function " + esc(v.name);
    }
    if (v === null) return "null";
    if (seen.indexOf(v) >= 0) return "<cycle>";
    seen = seen.concat([v]);
    if (Array.isArray(v)) {
      var parts = [];
      for (var i = 0; i < v.length; i++) parts.push(i in v ? describe(v[i], seen) : "<hole>");
      return "[" + parts.join(",") + "]";
    }
    var tag = Object.prototype.toString.call(v);
    if (v instanceof Error) return tag + " " + esc(String(v.name));
    if (v instanceof Date) return "Date(" + v.getTime() + ")";
    if (v instanceof RegExp) return "RegExp(" + esc(String(v)) + ")";
    if (v instanceof Map) return tag + describe(Array.from(v), seen);
    if (v instanceof Set) return tag + describe(Array.from(v), seen);
    var keys = Object.keys(v);
    var body = keys.map(function (k) { return esc(k) + ":" + describe(v[k], seen); });
    var proto = Object.getPrototypeOf(v);
    var kind = proto === null ? "null-proto " : proto === Object.prototype ? "" : tag + " ";
    return kind + "{" + body.join(",") + "}";
  }
  return function (v) { return describe(v, []); };
})()
