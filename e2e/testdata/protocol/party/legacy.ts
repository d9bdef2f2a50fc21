// The legacy object API in its classic style: listeners added on the socket
// inside onConnect, the room passed as the last argument.
import type * as Party from "partykit/server";

export default {
  onConnect(ws: Party.Connection, room: Party.Room) {
    ws.send(`legacy-hello room=${room.id} party=${room.name}`);
    ws.addEventListener("message", (event) => {
      ws.send(`legacy-echo ${event.data}`);
    });
  },
} satisfies Party.PartyKitServer;
