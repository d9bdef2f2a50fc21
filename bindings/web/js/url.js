// URL and URLSearchParams over the Go WHATWG parser (nlnwa/whatwg-url).
// The JS classes hold a Go handle; every getter and setter is one native call.
(function (native) {
  "use strict";
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: name, configurable: true });
  const inspectSym = Symbol.for("nodejs.util.inspect.custom");

  // Field numbers shared with url.go.
  const HREF = 0, ORIGIN = 1, PROTOCOL = 2, USERNAME = 3, PASSWORD = 4, HOST = 5, HOSTNAME = 6,
    PORT = 7, PATHNAME = 8, SEARCH = 9, HASH = 10;

  let adoptParams = null; // a Go search-params handle bound to a URL
  let paramsOwner = null;

  class URLSearchParams {
    #p;
    #url = null;
    constructor(init = undefined) {
      if (adoptParams !== null) {
        this.#p = adoptParams;
        this.#url = paramsOwner;
        adoptParams = paramsOwner = null;
        return;
      }
      this.#p = native.paramsNew();
      if (init === undefined || init === null) return;
      if (typeof init === "object" || typeof init === "function") {
        if (typeof init[Symbol.iterator] === "function") {
          for (const pair of init) {
            const p = [...pair];
            if (p.length !== 2) throw new TypeError("URLSearchParams: every pair must have exactly two items");
            native.paramsOp(this.#p, "append", `${p[0]}`, `${p[1]}`);
          }
          return;
        }
        for (const key of Reflect.ownKeys(init)) {
          const d = Reflect.getOwnPropertyDescriptor(init, key);
          if (d === undefined || !d.enumerable || typeof key === "symbol") continue;
          native.paramsOp(this.#p, "set", key, `${init[key]}`);
        }
        return;
      }
      let s = `${init}`;
      if (s.startsWith("?")) s = s.slice(1);
      native.paramsOp(this.#p, "init", s);
    }
    get size() { return native.paramsOp(this.#p, "size"); }
    append(name, value) { native.paramsOp(this.#p, "append", `${name}`, `${value}`); }
    delete(name, value = undefined) {
      native.paramsOp(this.#p, "delete", `${name}`, value === undefined ? undefined : `${value}`);
    }
    get(name) { return native.paramsOp(this.#p, "get", `${name}`); }
    getAll(name) { return native.paramsOp(this.#p, "getAll", `${name}`); }
    has(name, value = undefined) {
      return native.paramsOp(this.#p, "has", `${name}`, value === undefined ? undefined : `${value}`);
    }
    set(name, value) { native.paramsOp(this.#p, "set", `${name}`, `${value}`); }
    sort() { native.paramsOp(this.#p, "sort"); }
    forEach(callback, thisArg = undefined) {
      for (const [k, v] of native.paramsOp(this.#p, "entries")) callback.call(thisArg, v, k, this);
    }
    *entries() { yield* native.paramsOp(this.#p, "entries"); }
    *keys() { for (const [k] of native.paramsOp(this.#p, "entries")) yield k; }
    *values() { for (const [, v] of native.paramsOp(this.#p, "entries")) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return native.paramsOp(this.#p, "toString"); }
    [inspectSym]() {
      const inner = native.paramsOp(this.#p, "entries").map(([k, v]) => `${JSON.stringify(k)} => ${JSON.stringify(v)}`);
      return `URLSearchParams { ${inner.join(", ")}${inner.length ? " " : ""}}`;
    }
  }
  tag(URLSearchParams, "URLSearchParams");

  class URL {
    #u;
    #params = null;
    constructor(url, base = undefined) {
      if (arguments.length === 0) throw new TypeError("URL constructor: the url argument is required");
      this.#u = native.urlParse(`${url}`, base === undefined ? undefined : `${base}`, true);
    }
    static canParse(url, base = undefined) {
      return native.urlParse(`${url}`, base === undefined ? undefined : `${base}`, false) !== null;
    }
    static parse(url, base = undefined) {
      try {
        return new URL(url, base);
      } catch {
        return null;
      }
    }
    get href() { return native.urlGet(this.#u, HREF); }
    set href(v) { native.urlSet(this.#u, HREF, `${v}`); }
    get origin() { return native.urlGet(this.#u, ORIGIN); }
    get protocol() { return native.urlGet(this.#u, PROTOCOL); }
    set protocol(v) { native.urlSet(this.#u, PROTOCOL, `${v}`); }
    get username() { return native.urlGet(this.#u, USERNAME); }
    set username(v) { native.urlSet(this.#u, USERNAME, `${v}`); }
    get password() { return native.urlGet(this.#u, PASSWORD); }
    set password(v) { native.urlSet(this.#u, PASSWORD, `${v}`); }
    get host() { return native.urlGet(this.#u, HOST); }
    set host(v) { native.urlSet(this.#u, HOST, `${v}`); }
    get hostname() { return native.urlGet(this.#u, HOSTNAME); }
    set hostname(v) { native.urlSet(this.#u, HOSTNAME, `${v}`); }
    get port() { return native.urlGet(this.#u, PORT); }
    set port(v) { native.urlSet(this.#u, PORT, `${v}`); }
    get pathname() { return native.urlGet(this.#u, PATHNAME); }
    set pathname(v) { native.urlSet(this.#u, PATHNAME, `${v}`); }
    get search() { return native.urlGet(this.#u, SEARCH); }
    set search(v) { native.urlSet(this.#u, SEARCH, `${v}`); }
    get hash() { return native.urlGet(this.#u, HASH); }
    set hash(v) { native.urlSet(this.#u, HASH, `${v}`); }
    get searchParams() {
      if (this.#params === null) {
        adoptParams = native.urlParams(this.#u);
        paramsOwner = this;
        this.#params = new URLSearchParams();
      }
      return this.#params;
    }
    toString() { return native.urlGet(this.#u, HREF); }
    toJSON() { return native.urlGet(this.#u, HREF); }
    [inspectSym]() {
      const o = {};
      for (const k of ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"]) o[k] = this[k];
      return `URL ${JSON.stringify(o, null, 2)}`;
    }
  }
  tag(URL, "URL");

  return { URL, URLSearchParams };
})
