// A party without onRequest: HTTP to its rooms must answer 500.
import type * as Party from "partykit/server";

export default class NoRequest implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    conn.send("no-request party here");
  }
}
