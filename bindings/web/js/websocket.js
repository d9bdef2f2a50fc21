// WebSocket (outbound client, and both ends of a WebSocketPair) as an
// EventTarget. Go owns the connection state; it calls `fire` on the loop to
// deliver open/message/close/error events.
(function (native) {
  "use strict";
  const { EventTarget, Event, MessageEvent, CloseEvent, ErrorEvent } = native;
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });
  const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
  const pairKey = Symbol("pair end");
  let setState, handleOf;

  class WebSocket extends EventTarget {
    #h;
    #url = "";
    #state = CONNECTING;
    #protocol = "";
    #binaryType = "arraybuffer";
    #handlers = Object.create(null);
    constructor(url, protocols = undefined) {
      super();
      if (url === pairKey) {
        this.#h = protocols;
        this.#state = OPEN;
        return;
      }
      let u;
      try {
        u = new URL(`${url}`);
      } catch {
        throw new (native.DOMException())(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`, "SyntaxError");
      }
      if (u.protocol === "http:") u.protocol = "ws:";
      if (u.protocol === "https:") u.protocol = "wss:";
      if (u.protocol !== "ws:" && u.protocol !== "wss:") {
        throw new (native.DOMException())(`Failed to construct 'WebSocket': The URL's scheme must be either 'ws' or 'wss'. '${u.protocol}' is not allowed.`, "SyntaxError");
      }
      if (u.hash) throw new (native.DOMException())("Failed to construct 'WebSocket': The URL contains a fragment identifier.", "SyntaxError");
      this.#url = u.href;
      const list = protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : [...protocols].map(String);
      this.#h = native.dial(this, this.#url, list);
    }
    get url() { return this.#url; }
    get readyState() { return this.#state; }
    get protocol() { return this.#protocol; }
    get extensions() { return ""; }
    get bufferedAmount() { return 0; }
    get binaryType() { return this.#binaryType; }
    set binaryType(v) { if (v === "blob" || v === "arraybuffer") this.#binaryType = v; }
    accept() { native.accept(this.#h); }
    send(data) {
      if (this.#state === CONNECTING) throw new (native.DOMException())("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", "InvalidStateError");
      if (this.#state !== OPEN) return;
      if (typeof data !== "string" && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
        if (typeof Blob === "function" && data instanceof Blob) throw new TypeError("WebSocket.send: Blob data is not supported; send its arrayBuffer()");
        data = `${data}`;
      }
      native.send(this.#h, data);
    }
    close(code = undefined, reason = undefined) {
      if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
        throw new (native.DOMException())(`Failed to execute 'close' on 'WebSocket': The code must be either 1000, or between 3000 and 4999. ${code} is neither.`, "InvalidAccessError");
      }
      if (reason !== undefined && new TextEncoder().encode(`${reason}`).byteLength > 123) {
        throw new (native.DOMException())("Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes.", "SyntaxError");
      }
      if (this.#state === CLOSING || this.#state === CLOSED) return;
      this.#state = CLOSING;
      native.close(this.#h, code ?? 1000, reason === undefined ? "" : `${reason}`);
    }
    static {
      handleOf = (ws) => (ws instanceof WebSocket ? ws.#h : null);
      setState = (ws, state, protocol) => {
        ws.#state = state;
        if (protocol !== undefined) ws.#protocol = protocol;
      };
    }
  }
  for (const type of ["open", "message", "close", "error"]) {
    Object.defineProperty(WebSocket.prototype, `on${type}`, {
      get() { return this[`__on${type}`] ?? null; },
      set(fn) {
        const prev = this[`__on${type}`];
        if (prev) this.removeEventListener(type, prev);
        Object.defineProperty(this, `__on${type}`, { value: typeof fn === "function" ? fn : null, writable: true, configurable: true });
        if (typeof fn === "function") this.addEventListener(type, fn);
      },
      configurable: true,
      enumerable: true,
    });
  }
  const constants = { CONNECTING, OPEN, CLOSING, CLOSED, READY_STATE_CONNECTING: CONNECTING, READY_STATE_OPEN: OPEN, READY_STATE_CLOSING: CLOSING, READY_STATE_CLOSED: CLOSED };
  for (const [k, v] of Object.entries(constants)) {
    Object.defineProperty(WebSocket, k, { value: v, enumerable: true });
    Object.defineProperty(WebSocket.prototype, k, { value: v, enumerable: true });
  }
  tag(WebSocket, "WebSocket");

  class WebSocketPair {
    constructor() {
      const [a, b] = native.pair();
      const client = new WebSocket(pairKey, a);
      const server = new WebSocket(pairKey, b);
      native.bind(a, client);
      native.bind(b, server);
      this[0] = client;
      this[1] = server;
    }
  }
  tag(WebSocketPair, "WebSocketPair");

  // fire delivers one event from Go.
  const fire = (ws, type, a, b, c) => {
    switch (type) {
      case "open":
        setState(ws, OPEN, a);
        ws.dispatchEvent(new Event("open"));
        break;
      case "message": {
        let data = a;
        if (typeof data !== "string" && ws.binaryType === "blob") data = new Blob([data]);
        ws.dispatchEvent(new MessageEvent("message", { data }));
        break;
      }
      case "close":
        setState(ws, CLOSED);
        ws.dispatchEvent(new CloseEvent("close", { code: a, reason: b, wasClean: c }));
        break;
      case "error":
        ws.dispatchEvent(new ErrorEvent("error", { message: a, error: new Error(a) }));
        break;
    }
  };

  return { WebSocket, WebSocketPair, fire, handleOf };
})
