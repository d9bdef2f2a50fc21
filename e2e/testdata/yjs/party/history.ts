import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

// y-partykit keeping the whole update history (bounded by maxUpdates), so
// the log is trimmed rather than merged when the last client leaves.
export default class HistoryServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    return onConnect(conn, this.room, { persist: { mode: "history", maxUpdates: 1000 } });
  }
}
