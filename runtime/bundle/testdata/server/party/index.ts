// A small but typical PartyKit server: chat with presence and history, used
// by the build benchmark.
import type * as Party from "partykit/server";
import { RateLimiter } from "./limits";
import { type ClientMessage, type ServerMessage, parseMessage } from "./protocol";

type Presence = { name: string; color: string; cursor?: { x: number; y: number } };
type ChatLine = { from: string; text: string; at: number };

const HISTORY = 50;
const COLORS = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4"];

export default class ChatServer implements Party.Server {
  options: Party.ServerOptions = { hibernate: false };
  #presence = new Map<string, Presence>();
  #history: ChatLine[] = [];
  #limiter = new RateLimiter(10, 1000);

  constructor(readonly room: Party.Room) {}

  async onStart() {
    this.#history = (await this.room.storage.get<ChatLine[]>("history")) ?? [];
  }

  onConnect(conn: Party.Connection, ctx: Party.ConnectionContext) {
    const url = new URL(ctx.request.url);
    const name = url.searchParams.get("name") ?? `guest-${conn.id.slice(0, 4)}`;
    const color = COLORS[this.#presence.size % COLORS.length];
    this.#presence.set(conn.id, { name, color });
    this.#send(conn, { type: "welcome", id: conn.id, history: this.#history });
    this.#broadcast({ type: "join", id: conn.id, name, color }, [conn.id]);
    this.#broadcastPresence();
  }

  async onMessage(raw: string | ArrayBuffer, sender: Party.Connection) {
    if (typeof raw !== "string") return;
    if (!this.#limiter.allow(sender.id)) {
      this.#send(sender, { type: "error", message: "slow down" });
      return;
    }
    let msg: ClientMessage;
    try {
      msg = parseMessage(raw);
    } catch (err) {
      this.#send(sender, { type: "error", message: (err as Error).message });
      return;
    }
    const me = this.#presence.get(sender.id);
    if (!me) return;
    switch (msg.type) {
      case "identify":
        me.name = msg.name.slice(0, 32);
        this.#broadcastPresence();
        break;
      case "chat": {
        const line: ChatLine = { from: me.name, text: msg.text.slice(0, 500), at: Date.now() };
        this.#history.push(line);
        if (this.#history.length > HISTORY) this.#history.splice(0, this.#history.length - HISTORY);
        await this.room.storage.put("history", this.#history);
        this.#broadcast({ type: "chat", ...line });
        break;
      }
      case "cursor":
        me.cursor = { x: msg.x, y: msg.y };
        this.#broadcast({ type: "cursor", id: sender.id, x: msg.x, y: msg.y }, [sender.id]);
        break;
    }
  }

  onClose(conn: Party.Connection) {
    const me = this.#presence.get(conn.id);
    this.#presence.delete(conn.id);
    this.#limiter.forget(conn.id);
    if (me) this.#broadcast({ type: "leave", id: conn.id, name: me.name });
    this.#broadcastPresence();
  }

  async onRequest(req: Party.Request) {
    if (req.method === "GET") {
      return Response.json({ online: this.#presence.size, history: this.#history.length });
    }
    return new Response("Method not allowed", { status: 405 });
  }

  #broadcastPresence() {
    const users = [...this.#presence.entries()].map(([id, p]) => ({ id, name: p.name, color: p.color }));
    this.#broadcast({ type: "presence", users });
  }

  #broadcast(msg: ServerMessage, without?: string[]) {
    this.room.broadcast(JSON.stringify(msg), without);
  }

  #send(conn: Party.Connection, msg: ServerMessage) {
    conn.send(JSON.stringify(msg));
  }
}

ChatServer satisfies Party.Worker;
