// require("string_decoder"): StringDecoder over TextDecoder (UTF-8 and
// UTF-16LE keep partial characters between writes) and Buffer (the rest).
(function (exports, require, module, native) {
  "use strict";
  const { Buffer } = require("buffer");
  const norm = (enc) => {
    const e = `${enc ?? "utf8"}`.toLowerCase();
    if (e === "utf8" || e === "utf-8") return "utf8";
    if (e === "ucs2" || e === "ucs-2" || e === "utf16le" || e === "utf-16le") return "utf16le";
    if (Buffer.isEncoding(e)) return e;
    throw new TypeError(`Unknown encoding: ${enc}`);
  };
  class StringDecoder {
    #d = null;
    #pending = null; // base64: bytes not yet making a whole group
    constructor(encoding) {
      this.encoding = norm(encoding);
      if (this.encoding === "utf8") this.#d = new TextDecoder("utf-8");
      else if (this.encoding === "utf16le") this.#d = new TextDecoder("utf-16le");
    }
    write(buf) {
      if (typeof buf === "string") return buf;
      if (this.#d) return this.#d.decode(buf, { stream: true });
      if (this.encoding === "base64" || this.encoding === "base64url") {
        let b = Buffer.from(buf);
        if (this.#pending) { b = Buffer.concat([this.#pending, b]); this.#pending = null; }
        const whole = b.length - (b.length % 3);
        if (whole < b.length) this.#pending = b.subarray(whole);
        return b.subarray(0, whole).toString(this.encoding);
      }
      return Buffer.from(buf).toString(this.encoding);
    }
    end(buf) {
      let out = buf === undefined ? "" : this.write(buf);
      if (this.#d) out += this.#d.decode();
      if (this.#pending) { out += this.#pending.toString(this.encoding); this.#pending = null; }
      return out;
    }
  }
  exports.StringDecoder = StringDecoder;
})
