// require("async_hooks"): AsyncLocalStorage over goja's async context
// tracking (promise reactions) and the room's timers.
(function (exports, require, module, native) {
  "use strict";
  class AsyncLocalStorage {
    run(store, fn, ...args) {
      const prev = native.enter(this, store);
      try {
        return fn(...args);
      } finally {
        native.restore(prev);
      }
    }
    exit(fn, ...args) { return this.run(undefined, fn, ...args); }
    getStore() { return native.get(this); }
    enterWith(store) { native.enter(this, store); }
    disable() { native.enter(this, undefined); }
    static bind(fn) { return AsyncLocalStorage.snapshot().bind(null, fn); }
    static snapshot() {
      const ctx = native.current();
      return (fn, ...args) => {
        const prev = native.swap(ctx);
        try {
          return fn(...args);
        } finally {
          native.restore(prev);
        }
      };
    }
  }
  class AsyncResource {
    #ctx = native.current();
    constructor(type) { this.type = type; }
    runInAsyncScope(fn, thisArg, ...args) {
      const prev = native.swap(this.#ctx);
      try {
        return fn.apply(thisArg, args);
      } finally {
        native.restore(prev);
      }
    }
    bind(fn) { return (...args) => this.runInAsyncScope(fn, undefined, ...args); }
    static bind(fn, type) { return new AsyncResource(type ?? "bound-anonymous-fn").bind(fn); }
    emitDestroy() { return this; }
    asyncId() { return 0; }
    triggerAsyncId() { return 0; }
  }
  const hook = { enable() { return hook; }, disable() { return hook; } };
  Object.assign(exports, {
    AsyncLocalStorage,
    AsyncResource,
    createHook: () => hook,
    executionAsyncId: () => 0,
    triggerAsyncId: () => 0,
    executionAsyncResource: () => ({}),
  });
})
