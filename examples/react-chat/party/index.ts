import type * as Party from "partykit/server";

// A chat room with presence: people identify with a name, see who is
// online, chat (the last 50 messages are kept in storage), and see each
// other's cursors.

type User = { id: string; name: string; color: string };
type Message = { id: string; user: User; text: string; at: number };

type ClientMessage =
  | { type: "identify"; name: string }
  | { type: "chat"; text: string }
  | { type: "cursor"; x: number; y: number };

type ServerMessage =
  | { type: "history"; messages: Message[] }
  | { type: "presence"; users: User[] }
  | { type: "join"; user: User }
  | { type: "leave"; id: string }
  | { type: "chat"; message: Message }
  | { type: "cursor"; id: string; x: number; y: number }
  | { type: "error"; message: string };

const HISTORY_LIMIT = 50;
const MAX_TEXT = 2000;
const COLORS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#469990"];

function colorFor(id: string): string {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[hash % COLORS.length];
}

export default class ChatServer implements Party.Server {
  #users = new Map<string, User>();
  #history: Message[] = [];

  constructor(readonly room: Party.Room) {}

  async onStart() {
    this.#history = (await this.room.storage.get<Message[]>("history")) ?? [];
  }

  onConnect(conn: Party.Connection) {
    this.#send(conn, { type: "history", messages: this.#history });
    this.#send(conn, { type: "presence", users: [...this.#users.values()] });
  }

  async onMessage(raw: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection) {
    if (typeof raw !== "string") return;
    let msg: ClientMessage;
    try {
      msg = JSON.parse(raw);
    } catch {
      this.#send(sender, { type: "error", message: "messages must be JSON" });
      return;
    }

    switch (msg.type) {
      case "identify": {
        const name = String(msg.name ?? "").trim().slice(0, 40) || "anonymous";
        const user: User = { id: sender.id, name, color: colorFor(sender.id) };
        this.#users.set(sender.id, user);
        this.#broadcast({ type: "join", user });
        this.#broadcastPresence();
        return;
      }
      case "chat": {
        const user = this.#users.get(sender.id);
        if (!user) {
          this.#send(sender, { type: "error", message: "identify first" });
          return;
        }
        const text = String(msg.text ?? "").slice(0, MAX_TEXT);
        if (!text.trim()) return;
        const message: Message = { id: crypto.randomUUID(), user, text, at: Date.now() };
        this.#history = [...this.#history, message].slice(-HISTORY_LIMIT);
        await this.room.storage.put("history", this.#history);
        this.#broadcast({ type: "chat", message });
        return;
      }
      case "cursor": {
        if (typeof msg.x !== "number" || typeof msg.y !== "number") return;
        this.#broadcast({ type: "cursor", id: sender.id, x: msg.x, y: msg.y }, [sender.id]);
        return;
      }
    }
  }

  onClose(conn: Party.Connection) {
    // Another socket of the same person (same id) may still be open.
    for (const other of this.room.getConnections()) {
      if (other.id === conn.id) return;
    }
    if (this.#users.delete(conn.id)) {
      this.#broadcast({ type: "leave", id: conn.id });
      this.#broadcastPresence();
    }
  }

  onError(conn: Party.Connection) {
    this.onClose(conn);
  }

  async onRequest(req: Party.Request) {
    if (req.method === "GET") {
      return Response.json({ users: [...this.#users.values()], messages: this.#history });
    }
    return new Response("Method not allowed", { status: 405 });
  }

  #send(conn: Party.Connection, msg: ServerMessage) {
    conn.send(JSON.stringify(msg));
  }

  #broadcast(msg: ServerMessage, without?: string[]) {
    this.room.broadcast(JSON.stringify(msg), without);
  }

  #broadcastPresence() {
    this.#broadcast({ type: "presence", users: [...this.#users.values()] });
  }
}

ChatServer satisfies Party.Worker;
