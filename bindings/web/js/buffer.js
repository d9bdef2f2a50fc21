// What goja_nodejs's Buffer lacks and npm packages use: byteLength,
// isBuffer, compare, copy, Node's sharing slice(), toJSON, string search
// and fill. Everything else (from, alloc, concat, toString, read*/write*)
// is the library's.
(function (native) {
  "use strict";
  const Buffer = native.Buffer;
  const P = Buffer.prototype;
  const encodings = ["utf8", "utf-8", "hex", "base64", "base64url", "ascii", "latin1", "binary", "ucs2", "ucs-2", "utf16le", "utf-16le"];
  const def = (o, name, fn) => Object.defineProperty(o, name, { value: fn, writable: true, configurable: true });

  def(Buffer, "isBuffer", (b) => b instanceof Buffer);
  def(Buffer, "isEncoding", (e) => typeof e === "string" && encodings.includes(e.toLowerCase()));
  def(Buffer, "byteLength", (s, enc) => {
    if (typeof s !== "string") {
      if (ArrayBuffer.isView(s) || s instanceof ArrayBuffer) return s.byteLength;
      throw new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
    }
    return Buffer.from(s, enc).length;
  });
  def(Buffer, "compare", (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  });
  def(Buffer, "allocUnsafe", (n) => Buffer.alloc(n));
  def(Buffer, "allocUnsafeSlow", (n) => Buffer.alloc(n));
  def(P, "compare", function (other) { return Buffer.compare(this, other); });
  def(P, "copy", function (target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    const src = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart));
    target.set(src, targetStart);
    return src.length;
  });
  // Node's slice shares memory (unlike Uint8Array's).
  def(P, "slice", function (start, end) { return this.subarray(start, end); });
  def(P, "subarray", function (start, end) {
    const u = Uint8Array.prototype.subarray.call(this, start, end);
    return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  });
  def(P, "toJSON", function () { return { type: "Buffer", data: Array.from(this) }; });
  const needle = (v, enc) => (typeof v === "string" ? Buffer.from(v, enc) : typeof v === "number" ? Buffer.from([v & 255]) : v);
  def(P, "indexOf", function (value, byteOffset = 0, enc = undefined) {
    const n = needle(value, enc);
    if (byteOffset < 0) byteOffset = Math.max(0, this.length + byteOffset);
    outer: for (let i = byteOffset; i <= this.length - n.length; i++) {
      for (let j = 0; j < n.length; j++) if (this[i + j] !== n[j]) continue outer;
      return i;
    }
    return -1;
  });
  def(P, "lastIndexOf", function (value, byteOffset = this.length, enc = undefined) {
    const n = needle(value, enc);
    outer: for (let i = Math.min(byteOffset, this.length - n.length); i >= 0; i--) {
      for (let j = 0; j < n.length; j++) if (this[i + j] !== n[j]) continue outer;
      return i;
    }
    return -1;
  });
  def(P, "includes", function (value, byteOffset, enc) { return this.indexOf(value, byteOffset, enc) !== -1; });
  const fill = Uint8Array.prototype.fill;
  def(P, "fill", function (value, offset = 0, end = this.length, enc = undefined) {
    // fill(value[, offset[, end]][, encoding]): the encoding may come early.
    if (typeof offset === "string") [enc, offset, end] = [offset, 0, this.length];
    else if (typeof end === "string") [enc, end] = [end, this.length];
    if (typeof value !== "string") return fill.call(this, value, offset, end);
    const pat = Buffer.from(value, enc);
    if (pat.length === 0) return fill.call(this, 0, offset, end);
    for (let i = offset; i < end; i++) this[i] = pat[(i - offset) % pat.length];
    return this;
  });
  // Encodings: goja_nodejs's Buffer knows utf8, hex and base64 (and spells
  // base64url "base64Url"), and reads any other name as utf8. Node's other
  // encodings are done here; names are matched as Node matches them.
  const normalize = (enc) => {
    if (enc === undefined || enc === null || enc === "") return "utf8";
    switch (String(enc).toLowerCase()) {
      case "utf8": case "utf-8": return "utf8";
      case "hex": return "hex";
      case "base64": return "base64";
      case "base64url": return "base64url";
      case "latin1": case "binary": return "latin1";
      case "ascii": return "ascii";
      case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
    }
    const e = new TypeError(`Unknown encoding: ${enc}`);
    e.code = "ERR_UNKNOWN_ENCODING";
    throw e;
  };
  const libFrom = Buffer.from;
  const libToString = P.toString;
  const libWrite = P.write;
  const libAlloc = Buffer.alloc;
  // stringBytes encodes s as bytes in a normalized encoding.
  const stringBytes = (s, enc) => {
    switch (enc) {
      case "utf8": case "hex": case "base64": return libFrom.call(Buffer, s, enc);
      case "base64url": return libFrom.call(Buffer, s, "base64"); // the decoder takes both alphabets
      case "latin1": case "ascii": {
        const b = libAlloc.call(Buffer, s.length);
        for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
        return b;
      }
      case "utf16le": {
        const b = libAlloc.call(Buffer, s.length * 2);
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          b[2 * i] = c & 255;
          b[2 * i + 1] = c >> 8;
        }
        return b;
      }
    }
  };
  const fromCodes = (codes) => {
    let out = "";
    for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode.apply(null, codes.slice(i, i + 8192));
    return out;
  };
  def(Buffer, "from", function from(value, encOrOffset, length) {
    if (typeof value === "string") return stringBytes(value, normalize(encOrOffset));
    return libFrom.apply(Buffer, arguments);
  });
  def(Buffer, "alloc", function alloc(size, fill, enc) {
    if (typeof fill === "string" && enc !== undefined) return libAlloc.call(Buffer, size).fill(fill, enc);
    return libAlloc.apply(Buffer, arguments);
  });
  def(P, "toString", function toString(enc, start = 0, end = this.length) {
    const e = normalize(enc);
    switch (e) {
      case "utf8": case "hex": case "base64": return libToString.call(this, e, start, end);
      case "base64url": return libToString.call(this, "base64", start, end).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    }
    start = Math.max(0, start | 0);
    end = Math.min(this.length, end | 0);
    if (start >= end) return "";
    const bytes = Uint8Array.prototype.subarray.call(this, start, end);
    if (e === "latin1") return fromCodes(Array.from(bytes));
    if (e === "ascii") return fromCodes(Array.from(bytes, (b) => b & 127));
    const units = [];
    for (let i = 0; i + 1 < bytes.length; i += 2) units.push(bytes[i] | (bytes[i + 1] << 8));
    return fromCodes(units);
  });
  def(P, "write", function write(string, offset, length, enc) {
    // write(string[, offset[, length]][, encoding]): the encoding may come
    // in any of the later places.
    if (typeof offset === "string") [enc, offset, length] = [offset, 0, undefined];
    else if (typeof length === "string") [enc, length] = [length, undefined];
    const e = normalize(enc);
    if (e === "utf8" || e === "hex" || e === "base64") return libWrite.call(this, string, offset ?? 0, length ?? this.length - (offset ?? 0), e);
    const bytes = stringBytes(string, e);
    const at = offset ?? 0;
    const n = Math.min(bytes.length, length ?? this.length - at, this.length - at);
    this.set(Uint8Array.prototype.subarray.call(bytes, 0, n), at);
    return n;
  });
  def(P, "swap16", function () { for (let i = 0; i + 1 < this.length; i += 2) { const t = this[i]; this[i] = this[i + 1]; this[i + 1] = t; } return this; });
  return { Buffer };
})
