import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

// The y-partykit server as PartyKit's docs write it: every update is stored
// as it arrives and the log is merged into one snapshot when the last
// client leaves.
export default class SnapshotServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    return onConnect(conn, this.room, { persist: { mode: "snapshot" } });
  }
}
