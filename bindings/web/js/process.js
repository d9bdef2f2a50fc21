// `process` as PartyKit's bundle sees it: unenv's polyfill shape (so
// libraries do not mistake a room for Node and reach for `fs`), with env
// holding only the project's .env values.
(function (native) {
  "use strict";
  const noop = function () { return process; };
  const start = Date.now();
  const process = {
    title: "workerd",
    env: native.env,
    argv: [],
    execArgv: [],
    version: "",
    versions: {},
    platform: "",
    arch: "",
    release: { name: "workerd" },
    browser: false,
    pid: 1,
    ppid: 0,
    exitCode: undefined,
    nextTick(fn, ...args) {
      if (typeof fn !== "function") throw new TypeError("process.nextTick: the callback must be a function");
      queueMicrotask(() => fn(...args));
    },
    cwd() { return "/"; },
    chdir() { throw new Error("process.chdir is not supported"); },
    umask() { return 0o22; },
    uptime() { return (Date.now() - start) / 1000; },
    hrtime: Object.assign(function hrtime(prev) {
      const ns = native.hrtimeNs();
      let s = Math.floor(ns / 1e9), n = ns % 1e9;
      if (prev) { s -= prev[0]; n -= prev[1]; if (n < 0) { s--; n += 1e9; } }
      return [s, n];
    }, { bigint() { return BigInt(Math.round(native.hrtimeNs())); } }),
    memoryUsage() { return { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }; },
    emitWarning(w) { console.warn(typeof w === "string" ? `Warning: ${w}` : w); },
    exit(code) { throw new Error(`process.exit(${code ?? ""}) is not supported in a room`); },
    abort() { throw new Error("process.abort is not supported in a room"); },
    kill() { throw new Error("process.kill is not supported in a room"); },
    on: noop, once: noop, off: noop, addListener: noop, removeListener: noop,
    removeAllListeners: noop, prependListener: noop, prependOnceListener: noop,
    emit() { return false; },
    listeners() { return []; },
    listenerCount() { return 0; },
    binding() { throw new Error("process.binding is not supported"); },
    features: {},
  };
  Object.defineProperty(process, Symbol.toStringTag, { value: "process" });

  const scheduler = {
    wait(ms, options = undefined) {
      return new Promise((resolve, reject) => {
        const signal = options?.signal;
        if (signal?.aborted) return reject(signal.reason);
        const id = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => { clearTimeout(id); reject(signal.reason); }, { once: true });
      });
    },
  };

  // workerd's cache API. Rooms have no HTTP cache here: like workerd on a
  // workers.dev hostname, every operation succeeds and stores nothing.
  class Cache {
    async match() { return undefined; }
    async put(request, response) {
      if (!(response instanceof Response)) throw new TypeError("Cache.put: the response must be a Response");
      return undefined;
    }
    async delete() { return false; }
  }
  const caches = {
    default: new Cache(),
    async open() { return new Cache(); },
  };

  return { process, scheduler, caches };
})
