// The WebAssembly namespace of one room. The classes are written in JS so
// that their shape is the JS API's (constructors that need `new`, members on
// prototypes, brand checks through private fields); the work is done by
// `host`, the Go side (realm.go). Objects made by Go are built with the
// `internal` token, which never leaves this function.
(function (host) {
  "use strict";
  const internal = Symbol("internal");

  // WebIDL members are enumerable; class members are not. (Index loops:
  // goja allocates an object per step of for-of.)
  const enumerable = (o, names) => {
    for (let i = 0; i < names.length; i++) {
      const d = Object.getOwnPropertyDescriptor(o, names[i]);
      d.enumerable = true;
      Object.defineProperty(o, names[i], d);
    }
  };
  const idl = (cls, tag, members, statics) => {
    enumerable(cls.prototype, members);
    if (statics) enumerable(cls, statics);
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  };

  const errorClass = (name) => {
    const E = class extends Error {
      constructor(message) {
        super(message, arguments[1]);
      }
    };
    Object.defineProperty(E, "name", { value: name, configurable: true });
    Object.defineProperty(E.prototype, "name", { value: name, writable: true, configurable: true });
    Object.defineProperty(E.prototype, "message", { value: "", writable: true, configurable: true });
    return E;
  };
  const CompileError = errorClass("CompileError");
  const LinkError = errorClass("LinkError");
  const RuntimeError = errorClass("RuntimeError");

  let moduleOf, memoryOf, globalOf, tableOf;
  const isObject = (v) => (typeof v === "object" && v !== null) || typeof v === "function";

  class Module {
    #compiled;
    constructor(bytes) {
      this.#compiled = bytes === internal ? arguments[1] : host.compile(bytes, "WebAssembly.Module()");
    }
    static exports(module) {
      return host.moduleExports(moduleOf(module, "WebAssembly.Module.exports()"));
    }
    static imports(module) {
      return host.moduleImports(moduleOf(module, "WebAssembly.Module.imports()"));
    }
    static customSections(module, sectionName) {
      const c = moduleOf(module, "WebAssembly.Module.customSections()");
      if (sectionName === undefined) {
        throw new TypeError("WebAssembly.Module.customSections(): Argument 1 is required");
      }
      return host.customSections(c, String(sectionName));
    }
    static {
      moduleOf = (m, api) => {
        if (!isObject(m) || !(#compiled in m)) throw new TypeError(`${api}: Argument 0 must be a WebAssembly.Module`);
        return m.#compiled;
      };
    }
  }
  idl(Module, "WebAssembly.Module", [], ["exports", "imports", "customSections"]);
  // Bundled .wasm imports (runtime/bundle) make their Module here: the
  // base64 text is shared by every room running the bundle, so the engine
  // compiles and decodes it once per process.
  Object.defineProperty(Module, Symbol.for(host.embeddedKey), {
    value: (base64) => new Module(internal, host.compileEmbedded(base64)),
  });

  class Instance {
    #exports;
    constructor(module, importObject) {
      this.#exports = host.instantiate(moduleOf(module, "WebAssembly.Instance()"), importObject, "WebAssembly.Instance()");
    }
    get exports() {
      return this.#exports;
    }
  }
  idl(Instance, "WebAssembly.Instance", ["exports"]);

  class Memory {
    #memory;
    constructor(descriptor) {
      this.#memory = descriptor === internal ? arguments[1] : host.memoryNew(descriptor, this);
    }
    grow(delta) {
      return host.memoryGrow(this.#memory, delta);
    }
    get buffer() {
      return host.memoryBuffer(this.#memory);
    }
    static {
      memoryOf = (v) => (isObject(v) && #memory in v ? v.#memory : undefined);
    }
  }
  idl(Memory, "WebAssembly.Memory", ["grow", "buffer"]);

  class Table {
    #table;
    constructor(descriptor) {
      this.#table = descriptor === internal ? arguments[1] : host.tableNew(descriptor, arguments[1], arguments.length > 1, this);
    }
    get length() {
      return host.tableLength(this.#table);
    }
    grow(delta) {
      return host.tableGrow(this.#table, delta, arguments[1], arguments.length > 1);
    }
    set(index) {
      host.tableSet(this.#table, index, arguments[1], arguments.length > 1);
    }
    get(index) {
      return host.tableGet(this.#table, index);
    }
    static {
      tableOf = (v) => (isObject(v) && #table in v ? v.#table : undefined);
    }
  }
  idl(Table, "WebAssembly.Table", ["length", "grow", "set", "get"]);

  class Global {
    #global;
    constructor(descriptor) {
      this.#global = descriptor === internal ? arguments[1] : host.globalNew(descriptor, arguments[1], this);
    }
    valueOf() {
      return host.globalGet(this.#global);
    }
    get value() {
      return host.globalGet(this.#global);
    }
    set value(v) {
      host.globalSet(this.#global, v);
    }
    static {
      globalOf = (v) => (isObject(v) && #global in v ? v.#global : undefined);
    }
  }
  idl(Global, "WebAssembly.Global", ["valueOf", "value"]);

  const isModule = (v) => {
    try {
      moduleOf(v, "");
      return true;
    } catch {
      return false;
    }
  };

  // Promises settle in a later job, as the JS API says, even when the work
  // is done at once.
  const later = (fn) => new Promise((resolve) => resolve()).then(fn);

  const responseBytes = async (source, api) => {
    const response = await source;
    if (!isObject(response) || typeof response.arrayBuffer !== "function" || !response.headers) {
      throw new TypeError(`${api}: Argument 0 must be a Response or a Promise of one`);
    }
    const type = response.headers.get("Content-Type");
    if (type === null || type.split(";")[0].trim().toLowerCase() !== "application/wasm") {
      throw new TypeError(`${api}: Incorrect response MIME type. Expected 'application/wasm'.`);
    }
    if (!response.ok) throw new TypeError(`${api}: HTTP status code is not ok`);
    return response.arrayBuffer();
  };

  const namespace = {
    compile(bytes) {
      try {
        return host.compileAsync(bytes, "WebAssembly.compile()").then((c) => new Module(internal, c));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    validate(bytes) {
      return host.validate(bytes, "WebAssembly.validate()");
    },
    instantiate(source, importObject) {
      if (isModule(source)) return later(() => new Instance(source, importObject));
      try {
        return host.compileAsync(source, "WebAssembly.instantiate()").then((c) => {
          const module = new Module(internal, c);
          return { module, instance: new Instance(module, importObject) };
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
    async compileStreaming(source) {
      return namespace.compile(await responseBytes(source, "WebAssembly.compileStreaming()"));
    },
    async instantiateStreaming(source, importObject) {
      return namespace.instantiate(await responseBytes(source, "WebAssembly.instantiateStreaming()"), importObject);
    },
  };
  const WebAssembly = namespace; // its functions are enumerable data properties already
  const classes = [Module, Instance, Table, Memory, Global, CompileError, LinkError, RuntimeError];
  for (let i = 0; i < classes.length; i++) {
    Object.defineProperty(WebAssembly, classes[i].name, { value: classes[i], writable: true, configurable: true });
  }
  Object.defineProperty(WebAssembly, Symbol.toStringTag, { value: "WebAssembly", configurable: true });

  return {
    WebAssembly,
    CompileError,
    LinkError,
    RuntimeError,
    wrapMemory: (m) => new Memory(internal, m),
    wrapTable: (t) => new Table(internal, t),
    wrapGlobal: (g) => new Global(internal, g),
    memoryOf,
    tableOf,
    globalOf,
  };
});
