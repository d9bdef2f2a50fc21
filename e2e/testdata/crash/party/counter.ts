// A counter per room, for the crash test: each "inc" message increments it
// and acknowledges the new value only after the write (the output gate holds
// the frame until it is durable). Also used for room isolation checks.
//
// WebSocket:  "inc"            -> the new count
// HTTP:       GET              -> {count, value, keys} of this room
//             PUT body         -> stores body as "value"
//             POST ?stubs      -> body is a JSON list of room ids; through
//                                 room.context.parties, PUT "stub:<id>" into
//                                 each, then GET each; answers the list
import type * as Party from "partykit/server";

export default class Counter implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onMessage(message: string, sender: Party.Connection) {
    if (message !== "inc") return;
    const count = ((await this.room.storage.get<number>("count")) ?? 0) + 1;
    await this.room.storage.put("count", count);
    sender.send(String(count));
  }

  async onRequest(req: Party.Request) {
    const storage = this.room.storage;
    if (req.method === "PUT") {
      await storage.put("value", await req.text());
    } else if (req.method === "POST" && new URL(req.url).searchParams.has("stubs")) {
      const ids: string[] = await req.json();
      const main = this.room.context.parties.main;
      for (const id of ids) {
        await main.get(id).fetch({ method: "PUT", body: "stub:" + id });
      }
      const seen = [];
      for (const id of ids) {
        seen.push(await (await main.get(id).fetch({ method: "GET" })).json());
      }
      return Response.json(seen);
    }
    return Response.json({
      count: (await storage.get<number>("count")) ?? 0,
      value: (await storage.get<string>("value")) ?? null,
      keys: [...(await storage.list()).keys()],
    });
  }
}
