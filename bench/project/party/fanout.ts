import type * as Party from "partykit/server";

// P1 fan-out: every message goes to every socket in the room, the sender
// included, exactly as the client sent it.
export default class Fanout implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onMessage(message: string | ArrayBuffer, _sender: Party.Connection) {
    this.room.broadcast(message);
  }
}
