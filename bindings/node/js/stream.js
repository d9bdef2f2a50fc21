// require("stream"), basic: Readable, Writable, Duplex, Transform and
// PassThrough over EventEmitter, enough for packages that pipe a few
// chunks; plus the web streams under stream/web. Back-pressure is
// simplified: writes complete synchronously and reads are push-driven.
(function (exports, require, module, native) {
  "use strict";
  const EventEmitter = require("events");

  class Stream extends EventEmitter {
    pipe(dest) {
      this.on("data", (chunk) => dest.write(chunk));
      this.on("end", () => dest.end());
      return dest;
    }
  }

  class Readable extends Stream {
    constructor(options = {}) {
      super();
      this.readable = true;
      this.readableEnded = false;
      this.destroyed = false;
      this._buffer = [];
      this._flowing = false;
      this._objectMode = !!options.objectMode;
      if (typeof options.read === "function") this._read = options.read;
    }
    static from(iterable) {
      // goja has no for-await: walk the async (or sync) iterator by hand.
      const r = new Readable({ objectMode: true });
      const it = typeof iterable[Symbol.asyncIterator] === "function" ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
      const step = () => Promise.resolve(it.next()).then(({ value, done }) => {
        if (done) { r.push(null); return; }
        return Promise.resolve(value).then((v) => { r.push(v); return step(); });
      });
      step().catch((e) => r.destroy(e));
      return r;
    }
    _read() {}
    push(chunk) {
      if (chunk === null) {
        this._ended = true;
        queueMicrotask(() => this._drain());
        return false;
      }
      this._buffer.push(chunk);
      queueMicrotask(() => this._drain());
      return true;
    }
    _drain() {
      if (!this._flowing) return;
      while (this._buffer.length) this.emit("data", this._buffer.shift());
      if (this._ended && !this.readableEnded) {
        this.readableEnded = true;
        this.emit("end");
        this.emit("close");
      }
    }
    on(ev, fn) {
      super.on(ev, fn);
      if (ev === "data" && !this._flowing) this.resume();
      return this;
    }
    resume() { this._flowing = true; this._read(); queueMicrotask(() => this._drain()); return this; }
    pause() { this._flowing = false; return this; }
    read() { return this._buffer.length ? this._buffer.shift() : null; }
    setEncoding(enc) { this._encoding = enc; return this; }
    destroy(err) {
      this.destroyed = true;
      if (err) this.emit("error", err);
      this.emit("close");
      return this;
    }
    [Symbol.asyncIterator]() {
      const chunks = [];
      let done = false, wake = null, failure = null;
      this.on("data", (c) => { chunks.push(c); wake?.(); });
      this.on("end", () => { done = true; wake?.(); });
      this.on("error", (e) => { failure = e; wake?.(); });
      const next = () => {
        if (failure) return Promise.reject(failure);
        if (chunks.length) return Promise.resolve({ value: chunks.shift(), done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((r) => { wake = r; }).then(() => { wake = null; return next(); });
      };
      return { next, return: () => Promise.resolve({ value: undefined, done: true }), [Symbol.asyncIterator]() { return this; } };
    }
  }

  class Writable extends Stream {
    constructor(options = {}) {
      super();
      this.writable = true;
      this.writableEnded = false;
      this.destroyed = false;
      if (typeof options.write === "function") this._write = options.write;
      if (typeof options.final === "function") this._final = options.final;
    }
    _write(chunk, enc, cb) { cb(); }
    write(chunk, enc, cb) {
      if (typeof enc === "function") { cb = enc; enc = undefined; }
      this._write(chunk, enc ?? "utf8", (err) => {
        if (err) this.emit("error", err);
        cb?.(err);
      });
      return true;
    }
    end(chunk, enc, cb) {
      if (typeof chunk === "function") { cb = chunk; chunk = undefined; }
      if (chunk !== undefined && chunk !== null) this.write(chunk, enc);
      const finish = () => {
        this.writableEnded = true;
        this.emit("finish");
        this.emit("close");
        cb?.();
      };
      if (this._final) this._final((err) => (err ? this.emit("error", err) : finish()));
      else queueMicrotask(finish);
      return this;
    }
    destroy(err) {
      this.destroyed = true;
      if (err) this.emit("error", err);
      this.emit("close");
      return this;
    }
  }

  class Duplex extends Readable {
    constructor(options = {}) {
      super(options);
      this.writable = true;
      if (typeof options.write === "function") this._write = options.write;
      if (typeof options.final === "function") this._final = options.final;
    }
  }
  for (const k of ["write", "end", "_write"]) Duplex.prototype[k] = Writable.prototype[k];

  class Transform extends Duplex {
    constructor(options = {}) {
      super(options);
      if (typeof options.transform === "function") this._transform = options.transform;
      if (typeof options.flush === "function") this._flush = options.flush;
    }
    _transform(chunk, enc, cb) { cb(null, chunk); }
    _write(chunk, enc, cb) {
      this._transform(chunk, enc, (err, out) => {
        if (out !== undefined && out !== null) this.push(out);
        cb(err);
      });
    }
    end(chunk, enc, cb) {
      if (typeof chunk === "function") { cb = chunk; chunk = undefined; }
      if (chunk !== undefined && chunk !== null) this.write(chunk, enc);
      const done = () => { this.push(null); this.emit("finish"); cb?.(); };
      if (this._flush) this._flush((err, out) => { if (out != null) this.push(out); err ? this.emit("error", err) : done(); });
      else done();
      return this;
    }
  }
  class PassThrough extends Transform {}

  function finished(stream, cb) {
    let called = false;
    const once = (err) => { if (!called) { called = true; cb(err); } };
    stream.on("end", () => once());
    stream.on("finish", () => once());
    stream.on("error", once);
    return () => {};
  }
  function pipeline(...streams) {
    const cb = typeof streams[streams.length - 1] === "function" ? streams.pop() : null;
    for (let i = 0; i < streams.length - 1; i++) streams[i].pipe(streams[i + 1]);
    const last = streams[streams.length - 1];
    if (cb) finished(last, cb);
    return last;
  }

  const promises = {
    finished: (s) => new Promise((res, rej) => finished(s, (e) => (e ? rej(e) : res()))),
    pipeline: (...s) => new Promise((res, rej) => pipeline(...s, (e) => (e ? rej(e) : res()))),
  };

  Stream.Stream = Stream;
  Object.assign(Stream, { Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline, promises });
  module.exports = Stream;
})
