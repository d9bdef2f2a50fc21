import type * as Party from "partykit/server";
// add.wasm: (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
import add from "./add.wasm";
import addModule from "./add.wasm?module";
// lib.wasm: imports env.double (func (param i32) (result i32)) and env.mem
// (memory 1); exports callDouble(x) = double(x) + 1, load(addr) and
// store(addr, v) (i32 at addr), grow(pages) (memory.grow), trap()
// (unreachable), div(a, b) (i32.div_s) and add64(a, b) (i64.add).
import lib from "./lib.wasm";
// spin.wasm: (func (export "spin") (loop (br 0))) — never returns.
import spin from "./spin.wasm";

// WebAssembly in a room, one case per request: GET
// /parties/main/<room>?case=<name> answers what the room observed as JSON.
export default class WasmServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(request: Party.Request) {
    const url = new URL(request.url);
    const run = cases[url.searchParams.get("case") ?? ""];
    if (!run) return new Response("no such case", { status: 404 });
    try {
      return Response.json(await run(url.searchParams));
    } catch (e) {
      const err = e as Error;
      return Response.json({ threw: `${err.name}: ${err.message}` }, { status: 500 });
    }
  }
}

type Lib = {
  callDouble(x: number): number;
  load(addr: number): number;
  store(addr: number, v: number): void;
  grow(pages: number): number;
  trap(): void;
  div(a: number, b: number): number;
  add64(a: bigint, b: bigint): bigint;
};

function instantiateLib(double: (x: number) => number = (x) => x * 2) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  const instance = new WebAssembly.Instance(lib, { env: { double, mem: memory } });
  return { memory, exports: instance.exports as unknown as Lib };
}

function caught(fn: () => unknown) {
  try {
    fn();
    return { threw: false };
  } catch (e) {
    const err = e as Error;
    return {
      name: err.name,
      message: err.message,
      isRuntimeError: err instanceof WebAssembly.RuntimeError,
      isLinkError: err instanceof WebAssembly.LinkError,
      isCompileError: err instanceof WebAssembly.CompileError,
      isTypeError: err instanceof TypeError,
      isError: err instanceof Error,
    };
  }
}

const cases: Record<string, (q: URLSearchParams) => unknown> = {
  add(q) {
    const a = Number(q.get("a")), b = Number(q.get("b"));
    const call = (m: WebAssembly.Module) => (new WebAssembly.Instance(m).exports.add as (a: number, b: number) => number)(a, b);
    return {
      plain: call(add),
      withQuery: call(addModule),
      modules: [add instanceof WebAssembly.Module, addModule instanceof WebAssembly.Module],
      tag: Object.prototype.toString.call(add),
      exports: WebAssembly.Module.exports(add),
      imports: WebAssembly.Module.imports(lib),
    };
  },
  async instantiate() {
    const instance = await WebAssembly.instantiate(addModule);
    const fn = instance.exports.add as (a: number, b: number) => number;
    return { isInstance: instance instanceof WebAssembly.Instance, sum: fn(40, 2), name: fn.name, length: fn.length };
  },
  imports() {
    const seen: number[] = [];
    const { exports } = instantiateLib((x) => {
      seen.push(x);
      return x * 3;
    });
    return { results: [exports.callDouble(5), exports.callDouble(-2)], seen };
  },
  throwingImport() {
    const err = new Error("from the import");
    const { exports } = instantiateLib(() => {
      throw err;
    });
    try {
      exports.callDouble(1);
      return { same: false };
    } catch (e) {
      return { same: e === err, message: (e as Error).message };
    }
  },
  memory() {
    const { memory, exports } = instantiateLib();
    new DataView(memory.buffer).setInt32(8, 0x01020304, true);
    const fromJS = exports.load(8);
    exports.store(16, -99);
    const fromWasm = new Int32Array(memory.buffer)[4];
    const before = memory.buffer;
    const grownByWasm = exports.grow(1);
    const grownByJS = memory.grow(1);
    return {
      fromJS, fromWasm, grownByWasm, grownByJS,
      oldLength: before.byteLength, newLength: memory.buffer.byteLength,
      kept: exports.load(8),
    };
  },
  traps() {
    const { exports } = instantiateLib();
    return { unreachable: caught(() => exports.trap()), divide: caught(() => exports.div(1, 0)), afterTrap: exports.div(9, 3) };
  },
  i64() {
    const { exports } = instantiateLib();
    return {
      sums: [exports.add64(1n, 2n), exports.add64(2n ** 63n - 1n, 1n), exports.add64(-5n, 2n)].map(String),
      type: typeof exports.add64(0n, 0n),
      number: caught(() => exports.add64(1 as unknown as bigint, 2n)),
    };
  },
  linkErrors() {
    return {
      noImports: caught(() => new WebAssembly.Instance(lib)),
      notCallable: caught(() => new WebAssembly.Instance(lib, { env: { double: 1, mem: new WebAssembly.Memory({ initial: 1 }) } })),
      notMemory: caught(() => new WebAssembly.Instance(lib, { env: { double: () => 0, mem: {} } })),
    };
  },
  spin() {
    (new WebAssembly.Instance(spin).exports.spin as () => void)();
    return { returned: true };
  },
  fromBytes() {
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    return caught(() => new WebAssembly.Module(bytes));
  },
};
