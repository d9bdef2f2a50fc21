// require("diagnostics_channel"): channels that work (subscribers receive
// what is published) but nothing in the runtime publishes to them.
(function (exports, require, module, native) {
  "use strict";
  const channels = new Map();
  class Channel {
    #subs = [];
    constructor(name) { this.name = name; }
    get hasSubscribers() { return this.#subs.length > 0; }
    subscribe(fn) { this.#subs.push(fn); }
    unsubscribe(fn) {
      const i = this.#subs.indexOf(fn);
      if (i < 0) return false;
      this.#subs.splice(i, 1);
      return true;
    }
    publish(message) { for (const fn of this.#subs.slice()) fn(message, this.name); }
    bindStore() {}
    unbindStore() { return false; }
    runStores(data, fn, thisArg, ...args) { this.publish(data); return fn.apply(thisArg, args); }
  }
  const channel = (name) => {
    let c = channels.get(name);
    if (!c) channels.set(name, (c = new Channel(name)));
    return c;
  };
  const tracingChannel = (name) => {
    const t = {};
    for (const k of ["start", "end", "asyncStart", "asyncEnd", "error"]) t[k] = channel(`tracing:${name}:${k}`);
    t.subscribe = (h) => { for (const k in h) t[k]?.subscribe(h[k]); };
    t.unsubscribe = (h) => { for (const k in h) t[k]?.unsubscribe(h[k]); };
    t.traceSync = (fn, ctx, thisArg, ...args) => fn.apply(thisArg, args);
    t.tracePromise = (fn, ctx, thisArg, ...args) => fn.apply(thisArg, args);
    t.traceCallback = (fn, pos, ctx, thisArg, ...args) => fn.apply(thisArg, args);
    return t;
  };
  Object.assign(exports, {
    channel,
    hasSubscribers: (name) => channels.get(name)?.hasSubscribers ?? false,
    subscribe: (name, fn) => channel(name).subscribe(fn),
    unsubscribe: (name, fn) => channel(name).unsubscribe(fn),
    tracingChannel,
    Channel,
  });
})
