import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

// y-partykit posting the document to CALLBACK_URL (set with --var) shortly
// after each burst of edits, as its `callback` option does.
export default class CallbackServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection) {
    return onConnect(conn, this.room, {
      callback: {
        url: this.room.env.CALLBACK_URL as string,
        headers: new Headers({ "x-callback-token": "e2e-secret" }),
        objects: { text: "Text", list: "Array" },
        debounceWait: 50,
        debounceMaxWait: 200,
      },
    });
  }
}
