// AbortController and AbortSignal (abort, timeout, any) over EventTarget.
(function (native) {
  "use strict";
  const { Event, EventTarget } = native;
  const DOMException = native.DOMException();
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });

  let signalAbort, newSignal; // internal hooks, set in AbortSignal's static block
  const illegal = Symbol("illegal constructor guard");

  class AbortSignal extends EventTarget {
    #aborted = false;
    #reason = undefined;
    #onabort = null;
    constructor(key) {
      if (key !== illegal) throw new TypeError("Illegal constructor");
      super();
    }
    get aborted() { return this.#aborted; }
    get reason() { return this.#reason; }
    get onabort() { return this.#onabort; }
    set onabort(fn) {
      if (this.#onabort) this.removeEventListener("abort", this.#onabort);
      this.#onabort = typeof fn === "function" ? fn : null;
      if (this.#onabort) this.addEventListener("abort", this.#onabort);
    }
    throwIfAborted() { if (this.#aborted) throw this.#reason; }
    static abort(reason = undefined) {
      const s = new AbortSignal(illegal);
      signalAbort(s, reason);
      return s;
    }
    static timeout(ms) {
      ms = Number(ms);
      if (!Number.isFinite(ms) || ms < 0) throw new TypeError("AbortSignal.timeout: the delay must be a non-negative number");
      const s = new AbortSignal(illegal);
      native.setTimeout(() => signalAbort(s, new DOMException("The operation was aborted due to timeout", "TimeoutError")), ms);
      return s;
    }
    static any(signals) {
      const s = new AbortSignal(illegal);
      const list = [...signals];
      for (const dep of list) {
        if (!(dep instanceof AbortSignal)) throw new TypeError("AbortSignal.any: every item must be an AbortSignal");
        if (dep.aborted) { signalAbort(s, dep.reason); return s; }
      }
      for (const dep of list) dep.addEventListener("abort", () => signalAbort(s, dep.reason), { once: true });
      return s;
    }
    static {
      newSignal = () => new AbortSignal(illegal);
      signalAbort = (s, reason) => {
        if (s.#aborted) return;
        s.#aborted = true;
        s.#reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
        s.dispatchEvent(new Event("abort"));
      };
    }
  }
  tag(AbortSignal, "AbortSignal");

  class AbortController {
    #signal = newSignal();
    get signal() { return this.#signal; }
    abort(reason = undefined) { signalAbort(this.#signal, reason); }
  }
  tag(AbortController, "AbortController");

  return { AbortSignal, AbortController };
})
