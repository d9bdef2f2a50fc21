// run.mjs runs the probe of one corpus fixture twice and prints both results
// as one JSON object, {server, node}, for compat_test.go to compare:
//
//   server: the probe talks HTTP and WebSocket to the real server at
//           COMPAT_HOST (gopk dev, or partykit dev), as any client would;
//   node:   the probe talks to the same party module, bundled by esbuild for
//           Node 20 (no syntax lowering, so V8 runs the npm code as published),
//           running in a small in-process room (room.ts-like fakes below).
//
// A probe is testdata/<pkg>/probe.mjs: `export default async function (t)`
// returning a plain object of named observations. t is a Target (below).
//
// Environment: COMPAT_DIR (the copied fixture project), COMPAT_HOST
// (host:port of the server). Node runs with TZ=UTC, as gopk rooms do.
import * as esbuild from "esbuild";
import WebSocket from "ws";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const WAIT_MS = 10000;

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

// Target is what a probe drives. Both implementations share the helpers and
// differ only in how a request or a socket reaches the party.
class Target {
  // request sends an HTTP request and returns {status, contentType, body}
  // with the body as text.
  async request(path, init = {}) {
    const res = await this.fetch(path, init);
    return {
      status: res.status,
      contentType: res.headers.get("content-type"),
      body: await res.text(),
    };
  }

  // json POSTs value as JSON and returns the parsed JSON answer; an answer
  // that is not 200 or not JSON comes back as {status, body} so it shows in
  // the comparison rather than throwing.
  async json(path, value) {
    const res = await this.request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(value),
    });
    if (res.status !== 200) return { status: res.status, body: res.body };
    try {
      return JSON.parse(res.body);
    } catch {
      return { status: res.status, notJSON: res.body };
    }
  }
}

// Queue hands out incoming frames one at a time, with a bound on each wait.
class Queue {
  constructor(label) {
    this.label = label;
    this.items = [];
    this.waiters = [];
    this.closed = null;
  }
  push(item) {
    const w = this.waiters.shift();
    if (w) w.resolve(item);
    else this.items.push(item);
  }
  close(reason) {
    this.closed = reason;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.label}: ${reason} while waiting for a frame`));
  }
  next() {
    if (this.items.length) return Promise.resolve(this.items.shift());
    if (this.closed) return Promise.reject(new Error(`${this.label}: ${this.closed}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no frame within ${WAIT_MS} ms`)), WAIT_MS);
      this.waiters.push({
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }
}

// ServerTarget talks to the real server over the network.
class ServerTarget extends Target {
  constructor(host) {
    super();
    this.host = host;
    this.sockets = [];
  }

  fetch(path, init) {
    return fetch(`http://${this.host}${path}`, { ...init, signal: AbortSignal.timeout(WAIT_MS) });
  }

  // connect opens a WebSocket and resolves once it is open. Frames come out
  // of next() as strings (text) or Uint8Arrays (binary).
  connect(path) {
    const ws = new WebSocket(`ws://${this.host}${path}`);
    this.sockets.push(ws);
    const queue = new Queue(`socket ${path}`);
    ws.on("message", (data, isBinary) => queue.push(isBinary ? new Uint8Array(data) : data.toString()));
    ws.on("close", (code, reason) => queue.close(`closed ${code} ${reason}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket ${path}: not open within ${WAIT_MS} ms`)), WAIT_MS);
      ws.on("error", (err) => (clearTimeout(timer), reject(err)));
      ws.on("open", () => {
        clearTimeout(timer);
        resolve({
          send: (data) => ws.send(data),
          next: () => queue.next(),
          close: () => ws.close(),
        });
      });
    });
  }

  done() {
    for (const ws of this.sockets) ws.terminate();
  }
}

// NodeTarget runs the party module in this process. Each room is one server
// instance; its events run one after another, as in a room's actor.
class NodeTarget extends Target {
  constructor(parties, origin) {
    super();
    this.parties = parties; // name -> server class
    this.origin = origin;
    this.rooms = new Map();
    this.nextConn = 0;
  }

  route(path) {
    const url = new URL(path, this.origin);
    const m = /^\/parties\/([^/]+)\/([^/?]+)/.exec(url.pathname) ?? /^\/(party)\/([^/?]+)/.exec(url.pathname);
    if (!m) throw new Error(`NodeTarget: ${path} is not a room URL`);
    const party = m[1] === "party" ? "main" : m[1];
    if (!this.parties[party]) throw new Error(`NodeTarget: no party ${party}`);
    return this.room(party, m[2]);
  }

  room(party, id) {
    const key = `${party}/${id}`;
    let r = this.rooms.get(key);
    if (!r) {
      r = new FakeRoom(party, id);
      r.server = new this.parties[party](r);
      r.queue = Promise.resolve(r.server.onStart?.());
      this.rooms.set(key, r);
    }
    return r;
  }

  async fetch(path, init) {
    const room = this.route(path);
    const req = new Request(this.origin + path, init);
    return room.run(async () => {
      if (!room.server.onRequest) return new Response("Not Found", { status: 404 });
      try {
        return await room.server.onRequest(req);
      } catch (err) {
        return new Response(String(err?.stack ?? err), { status: 500 });
      }
    });
  }

  async connect(path) {
    const room = this.route(path);
    const url = new URL(path, this.origin);
    const queue = new Queue(`socket ${path}`);
    const conn = new FakeConnection(url.searchParams.get("_pk") ?? `conn-${++this.nextConn}`, url.href, queue, room);
    room.connections.set(conn.id, conn);
    await room.run(() => room.server.onConnect?.(conn, { request: new Request(url.href) }));
    return {
      send: (data) => {
        // The server sees text as a string and binary as an ArrayBuffer.
        const message = typeof data === "string" ? data : toArrayBuffer(data);
        room.run(() => room.server.onMessage?.(message, conn)).catch((err) => queue.close(`onMessage threw ${err?.stack ?? err}`));
      },
      next: () => queue.next(),
      close: () => {
        room.connections.delete(conn.id);
        room.run(() => room.server.onClose?.(conn));
      },
    };
  }

  done() {}
}

function toArrayBuffer(data) {
  const view = ArrayBuffer.isView(data) ? data : new Uint8Array(data);
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}

function toBytes(data) {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  throw new TypeError(`send: unsupported message type ${Object.prototype.toString.call(data)}`);
}

// FakeRoom is the part of Party.Room the corpus uses: id, name, env,
// broadcast, connections and an in-memory storage with clone semantics.
class FakeRoom {
  constructor(name, id) {
    this.name = name;
    this.id = id;
    this.internalID = `${name}/${id}`;
    this.env = {};
    this.connections = new Map();
    this.storage = new FakeStorage();
    this.context = { parties: {} };
  }
  run(fn) {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => {});
    return result;
  }
  broadcast(message, without = []) {
    for (const conn of this.connections.values()) if (!without.includes(conn.id)) conn.send(message);
  }
  getConnection(id) {
    return this.connections.get(id);
  }
  *getConnections() {
    yield* this.connections.values();
  }
}

class FakeConnection {
  constructor(id, uri, queue, room) {
    this.id = id;
    this.uri = uri;
    this.queue = queue;
    this.room = room;
    this.state = null;
    this.readyState = 1;
  }
  send(data) {
    this.queue.push(toBytes(data));
  }
  setState(next) {
    this.state = typeof next === "function" ? next(this.state) : next;
    return this.state;
  }
  close(code, reason) {
    this.room.connections.delete(this.id);
    this.queue.close(`closed ${code} ${reason}`);
  }
}

class FakeStorage {
  constructor() {
    this.map = new Map();
  }
  async get(key) {
    if (Array.isArray(key)) return new Map(key.filter((k) => this.map.has(k)).sort().map((k) => [k, structuredClone(this.map.get(k))]));
    return structuredClone(this.map.get(key));
  }
  async put(key, value) {
    if (typeof key === "object") for (const [k, v] of Object.entries(key)) this.map.set(k, structuredClone(v));
    else this.map.set(key, structuredClone(value));
  }
  async delete(key) {
    return this.map.delete(key);
  }
  async list({ prefix = "" } = {}) {
    const keys = [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort();
    return new Map(keys.map((k) => [k, structuredClone(this.map.get(k))]));
  }
}

// loadParties bundles every party of the project for Node, with PartyKit's
// resolve conditions so the same package entry points are chosen as in the
// server's bundle, and imports them.
async function loadParties(dir) {
  const config = JSON.parse(readFileSync(join(dir, "partykit.json"), "utf8"));
  const entries = { main: config.main, ...(config.parties ?? {}) };
  const out = mkdtempSync(join(tmpdir(), "gopk-compat-"));
  try {
    const parties = {};
    for (const [name, entry] of Object.entries(entries)) {
      const result = await esbuild.build({
        entryPoints: [join(dir, entry)],
        absWorkingDir: dir,
        bundle: true,
        write: false,
        format: "esm",
        platform: "browser",
        target: "esnext",
        conditions: ["partykit", "workerd", "worker"],
        external: ["node:*", "cloudflare:*"],
        sourcemap: "inline",
        logLevel: "silent",
      });
      const file = join(out, `${name}.mjs`);
      writeFileSync(file, result.outputFiles[0].contents);
      const mod = await import(pathToFileURL(file).href);
      if (typeof mod.default !== "function") throw new Error(`party ${name} (${entry}): the corpus needs a class server as default export`);
      parties[name] = mod.default;
    }
    return parties;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// encode turns bytes into {bytes: base64} so results survive JSON.
function replacer(key, value) {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("base64") };
  return value;
}

async function runProbe(probe, target) {
  try {
    return await probe(target);
  } catch (err) {
    return { probeFailed: String(err?.stack ?? err) };
  } finally {
    target.done();
  }
}

const dir = env("COMPAT_DIR");
const host = env("COMPAT_HOST");
const { default: probe } = await import(pathToFileURL(join(dir, "probe.mjs")).href);
const server = await runProbe(probe, new ServerTarget(host));
const node = await runProbe(probe, new NodeTarget(await loadParties(dir), `http://${host}`));
process.stdout.write(JSON.stringify({ server, node }, replacer) + "\n");
