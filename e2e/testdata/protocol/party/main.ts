// The main party of the protocol fixture: a class server whose behaviour is
// driven by the client, so one server can answer many protocol checks.
//
// WebSocket query parameters:  ?throw=connect  -> onConnect throws
//                              ?tag=a&tag=b    -> tags from getConnectionTags
// Text commands (onMessage):   see the switch below; binary frames are
//                              broadcast back to everyone as they came.
// HTTP (onRequest):            ?op=info|throw|throwcode|closed|tagged|callother|socketother
import type * as Party from "partykit/server";

type Closed = { id: string; remaining: string[] };

export default class Main implements Party.Server {
  handled = 0;
  closed: Closed[] = [];

  constructor(readonly room: Party.Room) {}

  getConnectionTags(conn: Party.Connection, ctx: Party.ConnectionContext) {
    return new URL(ctx.request.url).searchParams.getAll("tag");
  }

  onConnect(conn: Party.Connection, ctx: Party.ConnectionContext) {
    const url = new URL(ctx.request.url);
    if (url.searchParams.get("throw") === "connect") {
      throw new Error("onConnect failed on purpose");
    }
    conn.send(
      JSON.stringify({
        type: "welcome",
        id: conn.id,
        uri: conn.uri,
        requestUrl: ctx.request.url,
        room: this.room.id,
        party: this.room.name,
        state: conn.state,
        connections: this.ids(),
      })
    );
  }

  onMessage(message: string | ArrayBuffer, sender: Party.Connection) {
    this.handled++;
    if (typeof message !== "string") {
      this.room.broadcast(message);
      return;
    }
    const [cmd, ...rest] = message.split(":");
    const arg = rest.join(":");
    switch (cmd) {
      case "bcast":
        this.room.broadcast(`from ${sender.id}: ${arg}`);
        break;
      case "bcast-others":
        this.room.broadcast(`from ${sender.id}: ${arg}`, [sender.id]);
        break;
      case "close":
        sender.close(4001, arg || "asked to close");
        break;
      case "throw":
        throw new Error("onMessage failed on purpose");
      case "count":
        sender.send(`handled:${this.handled}`);
        break;
      case "ids":
        sender.send(JSON.stringify(this.ids()));
        break;
      case "tagged":
        sender.send(JSON.stringify([...this.room.getConnections(arg)].map((c) => c.id).sort()));
        break;
      case "setstate":
        sender.setState({ value: arg });
        sender.send(JSON.stringify(sender.state));
        break;
      case "bumpstate": {
        const next = sender.setState((prev: { value?: string; n?: number } | null) => ({
          ...prev,
          n: (prev?.n ?? 0) + 1,
        }));
        sender.send(JSON.stringify({ returned: next, state: sender.state }));
        break;
      }
      case "getstate":
        sender.send(JSON.stringify(sender.state));
        break;
      case "len":
        sender.send(`len:${message.length}`);
        break;
      default:
        sender.send(`unknown command ${cmd}`);
    }
  }

  onClose(conn: Party.Connection) {
    this.closed.push({ id: conn.id, remaining: this.ids() });
  }

  async onRequest(req: Party.Request) {
    const url = new URL(req.url);
    switch (url.searchParams.get("op")) {
      case "throw":
        throw new Error("onRequest failed on purpose");
      case "throwcode": {
        const err = new Error("I'm a teapot") as Error & { code: number };
        err.code = 418;
        throw err;
      }
      case "closed":
        return Response.json(this.closed);
      case "callother": {
        const res = await this.room.context.parties.other
          .get("o1")
          .fetch("/sub?q=1", { method: "POST", body: "hello other" });
        return new Response(`${res.status} ${await res.text()}`);
      }
      case "socketother": {
        const ws = await this.room.context.parties.other.get("o2").socket();
        const first = await new Promise<string>((resolve) => {
          ws.addEventListener("message", (e) => resolve(String(e.data)), { once: true });
        });
        ws.close();
        return new Response(first);
      }
      default:
        return Response.json({
          room: this.room.id,
          party: this.room.name,
          method: req.method,
          url: req.url,
          body: await req.text(),
          connections: this.ids(),
        });
    }
  }

  ids() {
    return [...this.room.getConnections()].map((c) => c.id).sort();
  }
}

Main satisfies Party.Worker;
