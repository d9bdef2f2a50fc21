// A party whose onStart and onConnect take time, to check ordering: the
// upgrade completes only after onConnect, frames sent in onConnect arrive
// first, onStart runs once, and (documented semantics) events wait for it.
import type * as Party from "partykit/server";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default class Slow implements Party.Server {
  starts = 0;
  started = false;
  events: string[] = [];
  ready = new Set<string>();

  constructor(readonly room: Party.Room) {}

  async onStart() {
    this.starts++;
    this.events.push("start-begin");
    await sleep(400);
    this.started = true;
    this.events.push("start-end");
  }

  async onConnect(conn: Party.Connection) {
    conn.send(`first started=${this.started}`);
    await sleep(300);
    conn.send("second");
    this.ready.add(conn.id);
  }

  onMessage(message: string, sender: Party.Connection) {
    sender.send(`reply to ${message} ready=${this.ready.has(sender.id)}`);
  }

  async onRequest(req: Party.Request) {
    const name = new URL(req.url).searchParams.get("name") ?? "?";
    this.events.push(`req:${name}`);
    return Response.json({ starts: this.starts, started: this.started, events: this.events });
  }
}
