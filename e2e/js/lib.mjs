// Helpers shared by the e2e Node scripts: real partysocket clients (with the
// `ws` WebSocket, as a Node user would) whose incoming frames are queued so a
// script can await them one at a time, with a bound on every wait.
import PartySocket from "partysocket";
import WebSocket from "ws";

export const WAIT_MS = Number(process.env.GOPK_E2E_WAIT_MS ?? 10000);

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

// connect opens a PartySocket to the server named by GOPK_HOST and resolves
// once it is open. options are PartySocket options (room, party, id, ...).
export async function connect(options) {
  const socket = new PartySocket({
    host: env("GOPK_HOST"),
    WebSocket,
    // A dropped socket must fail the test, not be silently reopened.
    maxRetries: 0,
    ...options,
  });
  const client = new Client(socket);
  await client.opened;
  return client;
}

export class Client {
  constructor(socket) {
    this.socket = socket;
    this.queue = [];
    this.waiters = [];
    this.closed = null;
    this.opened = new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve, { once: true });
      setTimeout(() => reject(new Error(`${this.label()}: not open after ${WAIT_MS} ms`)), WAIT_MS).unref();
    });
    socket.addEventListener("message", (event) => this.push(event.data));
    socket.addEventListener("close", (event) => {
      this.closed = event;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.label()}: closed ${event.code} ${event.reason} while waiting`));
    });
  }

  get id() {
    return this.socket.id;
  }

  label() {
    return `client ${this.socket.id} of room ${this.socket.room}`;
  }

  push(data) {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(data);
    else this.queue.push(data);
  }

  // next resolves with the next frame's data (string for text frames).
  next() {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${this.label()}: no frame within ${WAIT_MS} ms`));
      }, WAIT_MS);
      waiter.resolve = (v) => (clearTimeout(timer), resolve(v));
      waiter.reject = (e) => (clearTimeout(timer), reject(e));
      this.waiters.push(waiter);
    });
  }

  async nextJSON() {
    const data = await this.next();
    if (typeof data !== "string") throw new Error(`${this.label()}: got a binary frame, want JSON text`);
    return JSON.parse(data);
  }

  send(data) {
    this.socket.send(typeof data === "string" ? data : JSON.stringify(data));
  }

  // close starts the closing handshake. It does not wait for it: workerd
  // never answers a client's close frame, and ws would wait 30 s for it.
  close() {
    this.socket.close();
  }
}

// finish prints the script's result and exits at once, without waiting for
// sockets that are still closing.
export function finish(result) {
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0));
}
