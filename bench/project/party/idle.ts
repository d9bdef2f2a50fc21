import type * as Party from "partykit/server";

// P5 many idle rooms: one socket each that says nothing after its greeting.
// Hibernation lets an idle room's VM (or isolate state) go while the socket
// stays open, on PartyKit and on gopk alike.
export default class Idle implements Party.Server {
  options: Party.ServerOptions = { hibernate: true };

  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    conn.send("ready");
  }

  onMessage(message: string | ArrayBuffer, sender: Party.Connection) {
    sender.send(message);
  }
}
