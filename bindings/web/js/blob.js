// Blob, File and FormData. Blob bytes live in one private Uint8Array;
// FormData keeps its entries in order. Multipart encoding and parsing are
// Go natives (mime/multipart).
(function (native) {
  "use strict";
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });

  let blobBytes;
  const partBytes = (p) => {
    if (p instanceof Blob) return blobBytes(p);
    if (p instanceof ArrayBuffer) return new Uint8Array(p.slice(0));
    if (ArrayBuffer.isView(p)) return new Uint8Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength));
    return new TextEncoder().encode(`${p}`);
  };
  const concat = (chunks) => {
    if (chunks.length === 1) return chunks[0];
    const n = chunks.reduce((s, c) => s + c.byteLength, 0);
    const out = new Uint8Array(n);
    let off = 0;
    for (const c of chunks) { out.set(c, off); off += c.byteLength; }
    return out;
  };
  const normType = (t) => {
    t = `${t ?? ""}`;
    return /[^\x20-\x7e]/.test(t) ? "" : t.toLowerCase();
  };

  class Blob {
    #bytes;
    #type;
    constructor(parts = [], options = undefined) {
      if (typeof parts !== "object" || parts === null || typeof parts[Symbol.iterator] !== "function") {
        throw new TypeError("Blob: the parts must be an iterable");
      }
      const chunks = [...parts].map(partBytes).filter((c) => c.byteLength > 0);
      this.#bytes = chunks.length === 0 ? new Uint8Array(0) : concat(chunks);
      this.#type = normType(options?.type);
    }
    get size() { return this.#bytes.byteLength; }
    get type() { return this.#type; }
    async arrayBuffer() { return this.#bytes.slice().buffer; }
    async bytes() { return this.#bytes.slice(); }
    async text() { return new TextDecoder().decode(this.#bytes); }
    slice(start = 0, end = this.size, type = "") {
      const b = new Blob([], { type });
      b.#bytes = this.#bytes.slice(start, end);
      return b;
    }
    stream() {
      const bytes = this.#bytes.slice();
      return new ReadableStream({ start(c) { if (bytes.byteLength) c.enqueue(bytes); c.close(); } });
    }
    static {
      blobBytes = (b) => b.#bytes;
    }
  }
  tag(Blob, "Blob");

  class File extends Blob {
    #name;
    #lastModified;
    constructor(parts, name, options = undefined) {
      if (arguments.length < 2) throw new TypeError("File: a name is required");
      super(parts, options);
      this.#name = `${name}`;
      this.#lastModified = options?.lastModified !== undefined ? Number(options.lastModified) : Date.now();
    }
    get name() { return this.#name; }
    get lastModified() { return this.#lastModified; }
  }
  tag(File, "File");

  const entryValue = (value, filename) => {
    if (value instanceof Blob) {
      if (!(value instanceof File) || filename !== undefined) {
        return new File([value], filename !== undefined ? `${filename}` : value instanceof File ? value.name : "blob", { type: value.type });
      }
      return value;
    }
    return `${value}`;
  };

  class FormData {
    #entries = [];
    constructor(form = undefined) {
      if (form !== undefined) throw new TypeError("FormData: HTML forms do not exist here");
    }
    append(name, value, filename = undefined) { this.#entries.push([`${name}`, entryValue(value, filename)]); }
    set(name, value, filename = undefined) {
      name = `${name}`;
      const v = entryValue(value, filename);
      const i = this.#entries.findIndex(([k]) => k === name);
      if (i < 0) { this.#entries.push([name, v]); return; }
      this.#entries[i] = [name, v];
      this.#entries = this.#entries.filter(([k], j) => k !== name || j === i);
    }
    get(name) { const e = this.#entries.find(([k]) => k === `${name}`); return e ? e[1] : null; }
    getAll(name) { return this.#entries.filter(([k]) => k === `${name}`).map(([, v]) => v); }
    has(name) { return this.#entries.some(([k]) => k === `${name}`); }
    delete(name) { this.#entries = this.#entries.filter(([k]) => k !== `${name}`); }
    forEach(cb, thisArg = undefined) { for (const [k, v] of this.#entries.slice()) cb.call(thisArg, v, k, this); }
    *entries() { yield* this.#entries.slice(); }
    *keys() { for (const [k] of this.#entries.slice()) yield k; }
    *values() { for (const [, v] of this.#entries.slice()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
  }
  tag(FormData, "FormData");

  // encode gives [bytes, contentType] for a Blob or FormData body.
  const encode = (body) => {
    if (body instanceof Blob) return [blobBytes(body).slice(), body.type || null];
    if (body instanceof FormData) {
      const parts = [];
      for (const [k, v] of body) {
        if (v instanceof File) parts.push([k, v.name, v.type || "application/octet-stream", blobBytes(v)]);
        else parts.push([k, null, null, new TextEncoder().encode(v)]);
      }
      return native.multipartEncode(parts);
    }
    return null;
  };

  // parse turns a body into FormData from its bytes and content type.
  const parse = (bytes, contentType) => {
    const fd = new FormData();
    const type = contentType.split(";")[0].trim().toLowerCase();
    if (type === "application/x-www-form-urlencoded") {
      for (const [k, v] of new URLSearchParams(new TextDecoder().decode(bytes))) fd.append(k, v);
      return fd;
    }
    if (type === "multipart/form-data") {
      for (const [name, filename, ptype, data] of native.multipartDecode(bytes, contentType)) {
        if (filename === null) fd.append(name, new TextDecoder().decode(data));
        else fd.append(name, new File([data], filename, { type: ptype }));
      }
      return fd;
    }
    throw new TypeError(`Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded. Got ${contentType || "none"}.`);
  };

  return { Blob, File, FormData, encode, parse };
})
