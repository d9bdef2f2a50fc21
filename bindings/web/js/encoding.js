// TextEncoder and TextDecoder: thin JS classes over Go codecs (the UTF-8
// work, BOM handling and streaming state all live in Go).
(function (native) {
  "use strict";
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });

  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") { return native.encode(`${input}`); }
    encodeInto(source, destination) {
      if (!(destination instanceof Uint8Array)) {
        throw new TypeError("TextEncoder.encodeInto: the destination must be a Uint8Array");
      }
      const r = native.encodeInto(`${source}`, destination);
      return { read: r[0], written: r[1] };
    }
  }
  tag(TextEncoder, "TextEncoder");

  class TextDecoder {
    #d;
    #encoding;
    #fatal;
    #ignoreBOM;
    constructor(label = "utf-8", options = undefined) {
      this.#fatal = !!options?.fatal;
      this.#ignoreBOM = !!options?.ignoreBOM;
      const [d, name] = native.decoder(`${label}`, this.#fatal, this.#ignoreBOM);
      this.#d = d;
      this.#encoding = name;
    }
    get encoding() { return this.#encoding; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input = undefined, options = undefined) {
      return native.decode(this.#d, input, !!options?.stream);
    }
  }
  tag(TextDecoder, "TextDecoder");

  return { TextEncoder, TextDecoder };
})
