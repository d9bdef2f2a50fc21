import type * as Party from "partykit/server";

// The e2e tests of gopk deploy rewrite this line to make a new version.
const VERSION = "v1";

type State = { joined: string; messages: number };

export default class DeployApp implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(conn: Party.Connection<State>) {
    conn.setState({ joined: VERSION, messages: 0 });
    conn.send(JSON.stringify({ type: "hello", version: VERSION, id: conn.id }));
  }

  async onMessage(message: string, conn: Party.Connection<State>) {
    const state = conn.state!;
    conn.setState({ ...state, messages: state.messages + 1 });
    const colon = message.indexOf(":");
    const cmd = colon < 0 ? message : message.slice(0, colon);
    const arg = colon < 0 ? "" : message.slice(colon + 1);
    switch (cmd) {
      case "seq":
        conn.send(`${VERSION} seq:${arg}`);
        return;
      case "state":
        conn.send(JSON.stringify({ type: "state", version: VERSION, state: conn.state }));
        return;
      case "put": {
        const [key, value] = arg.split("=");
        await this.room.storage.put(key, value);
        conn.send(`ok:${key}`); // held by the output gate until the write is durable
        return;
      }
      case "get":
        conn.send(`val:${await this.room.storage.get(arg)}`);
        return;
      case "env":
        conn.send(`env:${this.room.env[arg]}`);
        return;
      case "log":
        console.log(`log ${arg}`);
        conn.send("logged");
        return;
      case "logsecret":
        console.log(`the secret is ${this.room.env.SECRET}`);
        conn.send("logged");
        return;
      case "throw":
        throw new Error("boom from onMessage");
    }
  }

  onRequest(req: Party.Request) {
    const url = new URL(req.url);
    if (url.searchParams.has("storage")) {
      return new Response(typeof this.room.storage);
    }
    return new Response(VERSION);
  }
}
