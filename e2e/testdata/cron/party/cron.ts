// onCron records what it was given in the room "log", through the lobby.
//
//   GET /parties/main/log -> the runs: {name, cron, scheduledTime, lobby keys, env}
import type * as Party from "partykit/server";

export default class Cron implements Party.Server {
  constructor(readonly room: Party.Room) {}

  static async onCron(cron: Party.Cron, lobby: Party.CronLobby) {
    await lobby.parties.main.get("log").fetch({
      method: "POST",
      body: JSON.stringify({
        name: cron.name,
        cron: cron.cron,
        scheduledTime: typeof cron.scheduledTime,
        lobby: Object.keys(lobby).sort(),
        greeting: lobby.env.GREETING,
      }),
    });
  }

  async onRequest(req: Party.Request) {
    const log = (await this.room.storage.get<unknown[]>("log")) ?? [];
    if (req.method === "POST") {
      log.push(await req.json());
      await this.room.storage.put("log", log);
    }
    return Response.json(log);
  }
}
