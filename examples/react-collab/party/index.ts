import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

// One Yjs document per room, synced with every editor in it. "snapshot"
// keeps the document in room storage: every update is stored as it comes,
// and the log is merged into one snapshot when the last editor leaves.
export default class EditorServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    return onConnect(conn, this.room, { persist: { mode: "snapshot" } });
  }
}

EditorServer satisfies Party.Worker;
