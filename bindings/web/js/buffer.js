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
    if (typeof value !== "string") return fill.call(this, value, offset, end);
    const pat = Buffer.from(value, typeof offset === "string" ? offset : enc);
    if (pat.length === 0) return fill.call(this, 0, offset, end);
    for (let i = offset; i < end; i++) this[i] = pat[(i - offset) % pat.length];
    return this;
  });
  def(P, "swap16", function () { for (let i = 0; i + 1 < this.length; i += 2) { const t = this[i]; this[i] = this[i + 1]; this[i + 1] = t; } return this; });
  return { Buffer };
})
