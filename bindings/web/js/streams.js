// Stream helpers and the encoding/compression transform streams, over the
// vendored web-streams-polyfill classes (native.ps). Go-sourced bodies pull
// chunks through native.pull, one loop round trip per chunk.
(function (native) {
  "use strict";
  const { ReadableStream, TransformStream } = native.ps;
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });

  const bytesToStream = (bytes) =>
    new ReadableStream({
      start(c) {
        if (bytes.byteLength > 0) c.enqueue(bytes);
        c.close();
      },
    });

  // goStream wraps a Go reader handle; cancel closes it. Its controller is
  // kept so that an aborted fetch can error the body with the abort reason
  // (errorGoStream), as the Fetch spec says, even with no read pending.
  const goControllers = new WeakMap();
  const goStream = (handle) => {
    let controller;
    const stream = new ReadableStream({
      start(c) { controller = c; },
      pull(c) {
        return native.pull(handle).then((chunk) => {
          if (chunk === null) c.close();
          else c.enqueue(chunk);
        });
      },
      cancel(reason) { native.cancel(handle, reason); },
    }, { highWaterMark: 0 });
    goControllers.set(stream, controller);
    return stream;
  };
  // errorGoStream errors a goStream with reason; it does nothing to a
  // stream that has already closed or errored.
  const errorGoStream = (stream, reason) => goControllers.get(stream)?.error(reason);

  // readAll drains a stream of BufferSource chunks into one Uint8Array.
  const readAll = async (stream) => {
    const reader = stream.getReader();
    const parts = [];
    let n = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let chunk = value;
      if (typeof chunk === "string") chunk = new TextEncoder().encode(chunk);
      else if (chunk instanceof ArrayBuffer) chunk = new Uint8Array(chunk);
      else if (ArrayBuffer.isView(chunk)) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      else throw new TypeError("This ReadableStream did not return bytes.");
      parts.push(chunk);
      n += chunk.byteLength;
    }
    if (parts.length === 1) return parts[0].slice();
    const out = new Uint8Array(n);
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.byteLength; }
    return out;
  };

  class TextEncoderStream extends TransformStream {
    constructor() {
      let pending = "";
      super({
        transform(chunk, c) {
          let s = pending + `${chunk}`;
          pending = "";
          // A high surrogate at the end may pair with the next chunk.
          const last = s.charCodeAt(s.length - 1);
          if (last >= 0xd800 && last <= 0xdbff) { pending = s.slice(-1); s = s.slice(0, -1); }
          if (s.length > 0) c.enqueue(native.encode(s));
        },
        flush(c) { if (pending) c.enqueue(native.encode(pending)); },
      });
    }
    get encoding() { return "utf-8"; }
  }
  tag(TextEncoderStream, "TextEncoderStream");

  class TextDecoderStream extends TransformStream {
    #d;
    constructor(label = "utf-8", options = undefined) {
      const d = new native.TextDecoder(label, options);
      super({
        transform(chunk, c) {
          const s = d.decode(chunk, { stream: true });
          if (s) c.enqueue(s);
        },
        flush(c) {
          const s = d.decode();
          if (s) c.enqueue(s);
        },
      });
      this.#d = d;
    }
    get encoding() { return this.#d.encoding; }
    get fatal() { return this.#d.fatal; }
    get ignoreBOM() { return this.#d.ignoreBOM; }
  }
  tag(TextDecoderStream, "TextDecoderStream");

  const formats = ["gzip", "deflate", "deflate-raw"];
  const codecStream = (format, compress) => {
    format = `${format}`;
    if (!formats.includes(format)) throw new TypeError(`Unsupported compression format: '${format}'`);
    const h = native.codecNew(format, compress);
    return {
      transform(chunk, c) {
        if (!(chunk instanceof ArrayBuffer) && !ArrayBuffer.isView(chunk)) throw new TypeError("The chunk must be an ArrayBuffer or ArrayBufferView");
        const out = native.codecWrite(h, chunk, false);
        if (out.byteLength > 0) c.enqueue(out);
      },
      flush(c) {
        const out = native.codecWrite(h, new Uint8Array(0), true);
        if (out.byteLength > 0) c.enqueue(out);
      },
    };
  };
  class CompressionStream extends TransformStream {
    constructor(format) { super(codecStream(format, true)); }
  }
  tag(CompressionStream, "CompressionStream");
  class DecompressionStream extends TransformStream {
    constructor(format) { super(codecStream(format, false)); }
  }
  tag(DecompressionStream, "DecompressionStream");

  return { bytesToStream, goStream, errorGoStream, readAll, TextEncoderStream, TextDecoderStream, CompressionStream, DecompressionStream };
})
