// Headers, Request and Response as workerd exposes them. The classes are JS
// (their constructors are dictionaries of options and edge cases that read
// best as JS); header storage and UTF-8 work are Go natives, and Go builds
// and reads these objects through the `internal` hooks at the bottom.
(function (native) {
  "use strict";

  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });
  const inspectSym = Symbol.for("nodejs.util.inspect.custom");

  let adoptHandle = null; // a Go header list to adopt in the next Headers constructor

  class Headers {
    #h;
    constructor(init = undefined) {
      if (adoptHandle !== null) {
        this.#h = adoptHandle;
        adoptHandle = null;
        return;
      }
      this.#h = native.headersNew();
      if (init === undefined || init === null) return;
      if (init instanceof Headers) {
        this.#h = native.headersCopy(init.#h);
        return;
      }
      if (typeof init !== "object" && typeof init !== "function") {
        throw new TypeError("Headers: init must be an object, an iterable of pairs, or Headers");
      }
      if (typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const p = [...pair];
          if (p.length !== 2) throw new TypeError("Headers: every pair must have exactly two items");
          native.headersAppend(this.#h, p[0], p[1]);
        }
        return;
      }
      for (const key of Reflect.ownKeys(init)) {
        const d = Reflect.getOwnPropertyDescriptor(init, key);
        if (d === undefined || !d.enumerable) continue;
        if (typeof key === "symbol") throw new TypeError("Headers: symbol keys are not header names");
        native.headersAppend(this.#h, key, init[key]);
      }
    }
    append(name, value) { native.headersAppend(this.#h, `${name}`, `${value}`); }
    delete(name) { native.headersDelete(this.#h, `${name}`); }
    get(name) { return native.headersGet(this.#h, `${name}`); }
    getAll(name) {
      // workerd keeps this non-standard method for Set-Cookie only.
      if (`${name}`.toLowerCase() !== "set-cookie") throw new TypeError('getAll() can only be used with the header name "Set-Cookie".');
      return native.headersGetSetCookie(this.#h);
    }
    getSetCookie() { return native.headersGetSetCookie(this.#h); }
    has(name) { return native.headersHas(this.#h, `${name}`); }
    set(name, value) { native.headersSet(this.#h, `${name}`, `${value}`); }
    forEach(callback, thisArg = undefined) {
      for (const [k, v] of native.headersEntries(this.#h)) callback.call(thisArg, v, k, this);
    }
    *entries() { yield* native.headersEntries(this.#h); }
    *keys() { for (const [k] of native.headersEntries(this.#h)) yield k; }
    *values() { for (const [, v] of native.headersEntries(this.#h)) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    [inspectSym]() {
      const o = Object.create(null);
      for (const [k, v] of native.headersEntries(this.#h)) o[k] = v;
      return `Headers ${JSON.stringify(o)}`;
    }
    static {
      headersHandle = (h) => h.#h;
    }
  }
  var headersHandle;
  tag(Headers, "Headers");

  const wrapHeaders = (handle) => {
    adoptHandle = handle;
    return new Headers();
  };

  // ---- bodies ----------------------------------------------------------

  const enc = (s) => native.encodeUTF8(s);
  const isBufferSource = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);
  const copyBytes = (v) =>
    v instanceof ArrayBuffer ? new Uint8Array(v.slice(0)) : new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));

  // extractBody turns a BodyInit into [source, contentType]. source is null,
  // a private Uint8Array, or a ReadableStream.
  const extractBody = (body) => {
    if (body === null || body === undefined) return [null, null];
    if (typeof body === "string") return [enc(body), "text/plain;charset=UTF-8"];
    if (isBufferSource(body)) return [copyBytes(body), null];
    if (typeof URLSearchParams === "function" && body instanceof URLSearchParams) {
      return [enc(body.toString()), "application/x-www-form-urlencoded;charset=UTF-8"];
    }
    if (native.isReadableStream(body)) {
      if (body.locked || body._disturbed) throw new TypeError("The ReadableStream body is locked or already read.");
      return [body, null];
    }
    if (native.extractExtra) {
      const r = native.extractExtra(body);
      if (r) return r;
    }
    return [enc(`${body}`), "text/plain;charset=UTF-8"];
  };

  const usedError = () => new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");

  // Body holds what Request and Response share. Its private state is reached
  // by the module through the functions its static block hands out, so no
  // helper methods show up on the public prototypes.
  let bodyInit, bodyRaw, bodyMarkUsed, bodyCloneSource, bodyConsume;

  class Body {
    #source = null;
    #used = false;
    #stream = null;
    get body() {
      if (this.#source === null) return null;
      if (this.#stream === null) {
        if (!native.bytesToStream) throw new TypeError("Body streams are not available");
        this.#stream = this.#source instanceof Uint8Array ? native.bytesToStream(this.#source) : this.#source;
        this.#source = this.#stream;
      }
      return this.#stream;
    }
    get bodyUsed() {
      if (this.#used) return true;
      // The polyfill records reads in _disturbed, as the spec's [[disturbed]].
      return this.#stream !== null && this.#stream._disturbed === true;
    }
    async arrayBuffer() {
      const b = await bodyConsume(this);
      return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer;
    }
    async bytes() { return bodyConsume(this); }
    async text() { return native.decodeUTF8(await bodyConsume(this)); }
    async json() { return JSON.parse(await this.text()); }
    async blob() {
      const b = await bodyConsume(this);
      return new Blob([b], { type: this.headers.get("content-type") ?? "" });
    }
    async formData() {
      if (!native.parseFormData) throw new TypeError("formData() is not available");
      const b = await bodyConsume(this);
      return native.parseFormData(b, this.headers.get("content-type") ?? "");
    }
    static {
      bodyInit = (o, source) => { o.#source = source; o.#stream = null; o.#used = false; };
      bodyRaw = (o) => o.#source;
      bodyMarkUsed = (o) => { o.#used = true; };
      // bodyCloneSource gives a clone its own copy of the body (tee for streams).
      bodyCloneSource = (o) => {
        if (o.bodyUsed) throw new TypeError("Cannot clone a body that has already been used.");
        const src = o.#source;
        if (src === null) return null;
        if (src instanceof Uint8Array) return src.slice();
        const [a, b] = src.tee();
        o.#source = a;
        o.#stream = a;
        return b;
      };
      // bodyConsume resolves with all of the body as a private Uint8Array.
      bodyConsume = async (o) => {
        if (o.bodyUsed) throw usedError();
        o.#used = true;
        const src = o.#source;
        if (src === null) return new Uint8Array(0);
        if (src instanceof Uint8Array) return src;
        return native.readAllStream(src);
      };
    }
  }

  // ---- Request -------------------------------------------------------------

  const normalMethods = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"];
  const normalizeMethod = (m) => {
    m = `${m}`;
    const up = m.toUpperCase();
    return normalMethods.includes(up) ? up : m;
  };
  const parseURL = (u) => {
    try {
      return new URL(`${u}`).href;
    } catch {
      throw new TypeError(`Invalid URL: ${u}`);
    }
  };
  const redirectModes = ["follow", "manual", "error"];

  class Request extends Body {
    #method = "GET";
    #url;
    #headers;
    #redirect = "follow";
    #signal = null;
    #cf = undefined;
    #fetcher = null;
    #integrity = "";
    #keepalive = false;
    constructor(input, init = undefined) {
      super();
      if (arguments.length === 0) throw new TypeError("Request constructor: the input argument is required");
      init = init ?? {};
      let source = null;
      let inputHeaders = null;
      if (input instanceof Request) {
        this.#url = input.#url;
        this.#method = input.#method;
        this.#redirect = input.#redirect;
        this.#signal = input.#signal;
        this.#cf = input.#cf;
        this.#fetcher = input.#fetcher;
        inputHeaders = input.#headers;
        if (init.body === undefined && bodyRaw(input) !== null) {
          if (input.bodyUsed) throw new TypeError("Cannot reconstruct a Request with a used body.");
          source = bodyRaw(input);
          bodyMarkUsed(input);
        }
      } else {
        this.#url = parseURL(input);
      }
      if (init.method !== undefined) this.#method = normalizeMethod(init.method);
      if (init.redirect !== undefined) {
        if (!redirectModes.includes(`${init.redirect}`)) throw new TypeError(`Invalid redirect value: ${init.redirect}`);
        this.#redirect = `${init.redirect}`;
      }
      if (init.signal !== undefined) this.#signal = init.signal;
      if (init.cf !== undefined) this.#cf = init.cf;
      if (init.integrity !== undefined) this.#integrity = `${init.integrity}`;
      if (init.keepalive !== undefined) this.#keepalive = !!init.keepalive;
      this.#headers = new Headers(init.headers !== undefined ? init.headers : inputHeaders ?? undefined);
      if (init.body !== undefined && init.body !== null) {
        if (this.#method === "GET" || this.#method === "HEAD") {
          throw new TypeError("Request with a GET or HEAD method cannot have a body.");
        }
        const [src, type] = extractBody(init.body);
        source = src;
        if (type !== null && !this.#headers.has("content-type")) this.#headers.set("content-type", type);
      } else if (source !== null && (this.#method === "GET" || this.#method === "HEAD")) {
        throw new TypeError("Request with a GET or HEAD method cannot have a body.");
      }
      bodyInit(this, source);
    }
    get method() { return this.#method; }
    get url() { return this.#url; }
    get headers() { return this.#headers; }
    get redirect() { return this.#redirect; }
    get signal() {
      if (this.#signal === null) this.#signal = new AbortController().signal;
      return this.#signal;
    }
    get cf() { return this.#cf; }
    get fetcher() { return this.#fetcher; }
    get integrity() { return this.#integrity; }
    get keepalive() { return this.#keepalive; }
    get cache() { return undefined; }
    clone() {
      const body = bodyCloneSource(this);
      const r = new Request(this.#url, {
        method: this.#method,
        headers: this.#headers,
        redirect: this.#redirect,
        signal: this.#signal ?? undefined,
        cf: this.#cf,
      });
      bodyInit(r, body);
      return r;
    }
    static {
      requestParts = (r) => [r.#method, r.#url, headersHandle(r.#headers), bodyRaw(r), r.#redirect, r.#signal];
      makeIncoming = (method, url, headers, body, cf) => {
        const r = new Request(url);
        r.#method = method;
        r.#headers = wrapHeaders(headers);
        r.#cf = cf;
        bodyInit(r, body);
        return r;
      };
    }
  }
  var requestParts, makeIncoming;
  tag(Request, "Request");

  // ---- Response ------------------------------------------------------------

  const nullBodyStatus = (s) => s === 101 || s === 204 || s === 205 || s === 304;
  const redirectStatus = (s) => s === 301 || s === 302 || s === 303 || s === 307 || s === 308;

  class Response extends Body {
    #status = 200;
    #statusText = "";
    #headers;
    #type = "default";
    #url = "";
    #redirected = false;
    #webSocket = null;
    #cf = undefined;
    constructor(body = null, init = undefined) {
      super();
      init = init ?? {};
      if (init.status !== undefined) {
        const s = Number(init.status);
        const ws = init.webSocket !== undefined && init.webSocket !== null;
        if (!Number.isInteger(s) || ((s < 200 || s > 599) && !(s === 101 && ws))) {
          throw new RangeError(`Responses may only be constructed with status codes in the range 200 to 599, inclusive. Got ${init.status}.`);
        }
        this.#status = s;
      }
      if (init.statusText !== undefined) {
        const t = `${init.statusText}`;
        if (/[^\t\x20-\x7e\x80-\xff]/.test(t)) throw new TypeError("Invalid statusText");
        this.#statusText = t;
      }
      if (init.webSocket !== undefined && init.webSocket !== null) {
        if (this.#status !== 101) throw new RangeError("Responses with a WebSocket must have status code 101.");
        this.#webSocket = init.webSocket;
      }
      if (init.cf !== undefined) this.#cf = init.cf;
      this.#headers = new Headers(init.headers);
      let source = null;
      if (body !== null && body !== undefined) {
        if (nullBodyStatus(this.#status)) {
          throw new TypeError(`Response with null body status (${this.#status}) cannot have a body.`);
        }
        const [src, type] = extractBody(body);
        source = src;
        if (type !== null && !this.#headers.has("content-type")) this.#headers.set("content-type", type);
      }
      bodyInit(this, source);
    }
    get status() { return this.#status; }
    get statusText() { return this.#statusText; }
    get ok() { return this.#status >= 200 && this.#status <= 299; }
    get headers() { return this.#headers; }
    get type() { return this.#type; }
    get url() { return this.#url; }
    get redirected() { return this.#redirected; }
    get webSocket() { return this.#webSocket; }
    get cf() { return this.#cf; }
    clone() {
      if (this.#webSocket !== null) throw new TypeError("Cannot clone a response to a WebSocket handshake.");
      const body = bodyCloneSource(this);
      const r = new Response(null, { status: this.#status, statusText: this.#statusText, headers: this.#headers });
      r.#type = this.#type;
      r.#url = this.#url;
      r.#redirected = this.#redirected;
      bodyInit(r, body);
      return r;
    }
    static json(data, init = undefined) {
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError("Response.json: the value cannot be serialised to JSON");
      const headers = new Headers(init?.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      return new Response(text, { ...(init ?? {}), headers });
    }
    static redirect(url, status = 302) {
      const href = parseURL(url);
      status = Number(status);
      if (!redirectStatus(status)) throw new RangeError(`Invalid redirect status code ${status}`);
      const r = new Response(null, { status, headers: { location: href } });
      native.headersFreeze(headersHandle(r.#headers));
      return r;
    }
    static error() {
      const r = new Response(null, { status: 200 });
      r.#status = 0;
      r.#type = "error";
      native.headersFreeze(headersHandle(r.#headers));
      return r;
    }
    static {
      responseParts = (r) =>
        r instanceof Response ? [r.#status, r.#statusText, headersHandle(r.#headers), bodyRaw(r), r.#webSocket] : null;
      makeFetched = (status, statusText, headers, body, url, redirected) => {
        const r = new Response(null);
        r.#status = status;
        r.#statusText = statusText;
        r.#headers = wrapHeaders(headers);
        r.#url = url;
        r.#redirected = redirected;
        bodyInit(r, body);
        return r;
      };
    }
  }
  var responseParts, makeFetched;
  tag(Response, "Response");

  // ---- fetch -------------------------------------------------------------

  async function fetch(input, init = undefined) {
    const req = new Request(input, init);
    const [method, url, headers, source, redirect, signal] = requestParts(req);
    if (signal !== null && signal.aborted) throw signal.reason;
    if (!/^https?:/i.test(url)) throw new TypeError(`Fetch API cannot load: ${url}`);
    let body = source;
    if (body !== null && !(body instanceof Uint8Array)) body = await native.readAllStream(body);
    bodyMarkUsed(req);
    return new Promise((resolve, reject) => {
      let settled = false;
      const abort = native.fetch(method, url, headers, body, redirect, (err, res) => {
        settled = true;
        if (err) reject(err);
        else resolve(res);
      });
      if (signal !== null) {
        signal.addEventListener("abort", () => {
          // Aborting also errors a body still being read.
          abort(signal.reason);
          if (!settled) reject(signal.reason);
        }, { once: true });
      }
    });
  }

  return {
    Headers,
    Request,
    Response,
    fetch,
    internal: { makeIncoming, requestParts, responseParts, makeFetched, wrapHeaders, headersHandle, extractBody },
  };
})
