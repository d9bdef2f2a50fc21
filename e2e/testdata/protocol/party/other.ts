// A second party. Its edge hooks refuse everything from outside, which shows
// that room-to-room stubs (context.parties.other.get(id)) bypass them.
import type * as Party from "partykit/server";

export default class Other implements Party.Server {
  constructor(readonly room: Party.Room) {}

  static onBeforeRequest() {
    throw new Error("other refuses outside requests");
  }

  static onBeforeConnect() {
    throw new Error("other refuses outside sockets");
  }

  onConnect(conn: Party.Connection) {
    conn.send(`other-welcome room=${this.room.id} party=${this.room.name} id=${conn.id}`);
  }

  async onRequest(req: Party.Request) {
    return new Response(
      `other room=${this.room.id} party=${this.room.name} ${req.method} ${req.url} body=${await req.text()}`
    );
  }
}

Other satisfies Party.Worker;
