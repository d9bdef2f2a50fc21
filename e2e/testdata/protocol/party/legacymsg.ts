// The legacy object API with onMessage(message, connection, room).
import type * as Party from "partykit/server";

export default {
  onConnect(conn: Party.Connection, room: Party.Room) {
    conn.send(`legacymsg-hello room=${room.id}`);
  },
  onMessage(message: string | ArrayBuffer, conn: Party.Connection, room: Party.Room) {
    room.broadcast(`legacymsg ${message} from=${conn.id} room=${room.id}`);
  },
} satisfies Party.PartyKitServer;
