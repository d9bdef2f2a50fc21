// Event, EventTarget and friends as workerd exposes them. Hand-written: the
// DOM event model is small, and a JS implementation lets listeners, `once`,
// `signal` and re-entrant dispatch behave exactly as the spec says without a
// Go round trip per listener.
(function (native) {
  "use strict";

  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });

  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  const start = Date.now();
  let dispatchState; // set in Event's static block: internal access to private fields

  class Event {
    #type;
    #bubbles;
    #cancelable;
    #composed;
    #canceled = false;
    #stop = false;
    #stopNow = false;
    #target = null;
    #current = null;
    #phase = NONE;
    #dispatching = false;
    #passive = false;
    #timeStamp;
    constructor(type, init = undefined) {
      if (arguments.length === 0) throw new TypeError("Event constructor: the type argument is required");
      this.#type = `${type}`;
      init = init ?? {};
      this.#bubbles = !!init.bubbles;
      this.#cancelable = !!init.cancelable;
      this.#composed = !!init.composed;
      this.#timeStamp = Date.now() - start;
    }
    get type() { return this.#type; }
    get target() { return this.#target; }
    get srcElement() { return this.#target; }
    get currentTarget() { return this.#current; }
    get eventPhase() { return this.#phase; }
    get bubbles() { return this.#bubbles; }
    get cancelable() { return this.#cancelable; }
    get composed() { return this.#composed; }
    get defaultPrevented() { return this.#canceled; }
    get returnValue() { return !this.#canceled; }
    set returnValue(v) { if (!v) this.preventDefault(); }
    get cancelBubble() { return this.#stop; }
    set cancelBubble(v) { if (v) this.#stop = true; }
    get isTrusted() { return false; }
    get timeStamp() { return this.#timeStamp; }
    composedPath() { return this.#dispatching && this.#current ? [this.#current] : []; }
    stopPropagation() { this.#stop = true; }
    stopImmediatePropagation() { this.#stop = true; this.#stopNow = true; }
    preventDefault() { if (this.#cancelable && !this.#passive) this.#canceled = true; }
    static {
      dispatchState = {
        isDispatching: (e) => e.#dispatching,
        begin(e, target) { e.#dispatching = true; e.#target = target; e.#current = target; e.#phase = AT_TARGET; e.#stop = false; e.#stopNow = false; },
        end(e) { e.#dispatching = false; e.#current = null; e.#phase = NONE; e.#passive = false; },
        stoppedNow: (e) => e.#stopNow,
        passive(e, p) { e.#passive = p; },
      };
    }
  }
  for (const [k, v] of Object.entries({ NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE })) {
    Object.defineProperty(Event, k, { value: v, enumerable: true });
    Object.defineProperty(Event.prototype, k, { value: v, enumerable: true });
  }
  tag(Event, "Event");

  const flag = (options, name) =>
    typeof options === "boolean" ? (name === "capture" ? options : false) : !!(options && options[name]);

  class EventTarget {
    // type -> array of {callback, capture, once, passive, removed}
    #listeners = Object.create(null);
    addEventListener(type, callback, options = undefined) {
      if (callback === null || callback === undefined) return;
      if (typeof callback !== "function" && typeof callback !== "object") {
        throw new TypeError("addEventListener: the listener must be a function or an object");
      }
      type = `${type}`;
      const capture = flag(options, "capture");
      const signal = options && typeof options === "object" ? options.signal : undefined;
      if (signal !== undefined && signal.aborted) return;
      const list = this.#listeners[type] || (this.#listeners[type] = []);
      if (list.some((l) => l.callback === callback && l.capture === capture)) return;
      const entry = { callback, capture, once: flag(options, "once"), passive: flag(options, "passive"), removed: false };
      list.push(entry);
      if (signal !== undefined) {
        signal.addEventListener("abort", () => this.removeEventListener(type, callback, { capture }));
      }
    }
    removeEventListener(type, callback, options = undefined) {
      const list = this.#listeners[`${type}`];
      if (!list) return;
      const capture = flag(options, "capture");
      const i = list.findIndex((l) => l.callback === callback && l.capture === capture);
      if (i >= 0) {
        list[i].removed = true;
        list.splice(i, 1);
      }
    }
    dispatchEvent(event) {
      if (!(event instanceof Event)) throw new TypeError("dispatchEvent: the argument must be an Event");
      if (dispatchState.isDispatching(event)) {
        throw new (native.DOMException())("The event is already being dispatched.", "InvalidStateError");
      }
      dispatchState.begin(event, this);
      try {
        const list = this.#listeners[event.type];
        if (list) {
          for (const l of list.slice()) {
            if (l.removed) continue;
            if (l.once) this.removeEventListener(event.type, l.callback, { capture: l.capture });
            dispatchState.passive(event, l.passive);
            try {
              if (typeof l.callback === "function") l.callback.call(this, event);
              else if (typeof l.callback.handleEvent === "function") l.callback.handleEvent(event);
            } catch (err) {
              native.reportError(err);
            }
            dispatchState.passive(event, false);
            if (dispatchState.stoppedNow(event)) break;
          }
        }
      } finally {
        dispatchState.end(event);
      }
      return !event.defaultPrevented;
    }
  }
  tag(EventTarget, "EventTarget");

  class CustomEvent extends Event {
    #detail;
    constructor(type, init = undefined) {
      super(type, init);
      this.#detail = init?.detail ?? null;
    }
    get detail() { return this.#detail; }
  }
  tag(CustomEvent, "CustomEvent");

  class MessageEvent extends Event {
    #data; #origin; #lastEventId; #source; #ports;
    constructor(type, init = undefined) {
      super(type, init);
      this.#data = init?.data ?? null;
      this.#origin = `${init?.origin ?? ""}`;
      this.#lastEventId = `${init?.lastEventId ?? ""}`;
      this.#source = init?.source ?? null;
      this.#ports = Object.freeze([...(init?.ports ?? [])]);
    }
    get data() { return this.#data; }
    get origin() { return this.#origin; }
    get lastEventId() { return this.#lastEventId; }
    get source() { return this.#source; }
    get ports() { return this.#ports; }
  }
  tag(MessageEvent, "MessageEvent");

  class CloseEvent extends Event {
    #code; #reason; #wasClean;
    constructor(type, init = undefined) {
      super(type, init);
      this.#code = (init?.code ?? 0) & 0xffff;
      this.#reason = `${init?.reason ?? ""}`;
      this.#wasClean = !!init?.wasClean;
    }
    get code() { return this.#code; }
    get reason() { return this.#reason; }
    get wasClean() { return this.#wasClean; }
  }
  tag(CloseEvent, "CloseEvent");

  class ErrorEvent extends Event {
    #message; #filename; #lineno; #colno; #error;
    constructor(type, init = undefined) {
      super(type, init);
      this.#message = `${init?.message ?? ""}`;
      this.#filename = `${init?.filename ?? ""}`;
      this.#lineno = (init?.lineno ?? 0) >>> 0;
      this.#colno = (init?.colno ?? 0) >>> 0;
      this.#error = init?.error;
    }
    get message() { return this.#message; }
    get filename() { return this.#filename; }
    get lineno() { return this.#lineno; }
    get colno() { return this.#colno; }
    get error() { return this.#error; }
  }
  tag(ErrorEvent, "ErrorEvent");

  return { Event, EventTarget, CustomEvent, MessageEvent, CloseEvent, ErrorEvent };
})
