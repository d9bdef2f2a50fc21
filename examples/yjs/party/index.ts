import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

// One Yjs document per room, kept in sync between everyone in the room by
// y-partykit. "snapshot" persists it in room storage: each update is stored
// as it arrives, and the log is merged into one snapshot when the last
// editor leaves, so the document outlives the server.
export default class YjsServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    return onConnect(conn, this.room, { persist: { mode: "snapshot" } });
  }
}

YjsServer satisfies Party.Worker;
