import type * as Party from "partykit/server";

// P2 fan-out with storage: each message reads and writes the room's counter
// before it is broadcast, so every broadcast waits for a durable write (the
// output gate) on both runtimes.
export default class FanoutStore implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onMessage(message: string | ArrayBuffer, _sender: Party.Connection) {
    const count = ((await this.room.storage.get<number>("count")) ?? 0) + 1;
    await this.room.storage.put("count", count);
    this.room.broadcast(message);
  }
}
