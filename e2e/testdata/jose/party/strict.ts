import type * as Party from "partykit/server";
import { verify } from "./keys";

// The same check without a catch: jose's error escapes onBeforeConnect, and
// the platform answers 401 with its message.
export default class StrictServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  static async onBeforeConnect(request: Party.Request, lobby: Party.Lobby) {
    await verify(new URL(request.url).searchParams.get("token") ?? "", lobby.env);
  }

  onConnect(conn: Party.Connection) {
    conn.send("welcome");
  }
}
