// Alarms driven over HTTP, recording what each onAlarm run saw.
//
//   GET ?do=set&at=MS&mode=M  -> setAlarm(MS); M is how onAlarm behaves:
//                                ok, or throw1 (fails on its first run)
//   GET ?do=get               -> getAlarm()
//   GET ?do=log               -> the runs: {at, inside, id | idError}
import type * as Party from "partykit/server";

type Run = { at: number; inside: number | null; id?: string; idError?: string };

export default class Alarms implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const q = new URL(req.url).searchParams;
    const storage = this.room.storage;
    switch (q.get("do")) {
      case "set":
        await storage.put("mode", q.get("mode") ?? "ok");
        await storage.setAlarm(Number(q.get("at")));
        return new Response(String(await storage.getAlarm()));
      case "get":
        return new Response(String(await storage.getAlarm()));
      case "log":
        return Response.json((await storage.get<Run[]>("log")) ?? []);
    }
    return new Response("unknown ?do", { status: 400 });
  }

  async onAlarm() {
    const storage = this.room.storage;
    const run: Run = { at: Date.now(), inside: await storage.getAlarm() };
    try {
      run.id = this.room.id;
    } catch (e) {
      run.idError = (e as Error).message;
    }
    const log = (await storage.get<Run[]>("log")) ?? [];
    log.push(run);
    await storage.put("log", log);
    console.log(`onAlarm run ${log.length} ${run.id === undefined ? "in a room the alarm woke" : "in a live room"}`);
    if ((await storage.get("mode")) === "throw1" && log.length === 1) {
      throw new Error("onAlarm fails on its first run");
    }
  }
}
