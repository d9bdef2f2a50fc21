// A counter kept in storage: POST adds one, GET reads it.
import type * as Party from "partykit/server";

export default class Counter implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    let n = (await this.room.storage.get<number>("n")) ?? 0;
    if (req.method === "POST") {
      n++;
      await this.room.storage.put("n", n);
    }
    return new Response(String(n));
  }
}
