import type * as Party from "partykit/server";

// P4 new rooms: the first frame a socket gets comes from onConnect of a room
// that did not exist a moment before.
export default class Hello implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    conn.send("hello " + this.room.id + " " + conn.id);
  }
}
