// The edge fixture: every static hook of a class server, plus static assets
// (serve: "public"), to check their order and their return-value semantics.
//
// ?mode=reject -> the onBefore* hook answers 403 itself
// ?mode=throw  -> the hook throws (the client gets 401)
// ?mode=header -> the hook adds an x-edge header to the request it forwards
// otherwise    -> onBeforeConnect returns nothing, onBeforeRequest the request as is
import type * as Party from "partykit/server";

function mode(req: Party.Request) {
  return new URL(req.url).searchParams.get("mode");
}

export default class Edge implements Party.Server {
  constructor(readonly room: Party.Room) {}

  static async onBeforeConnect(req: Party.Request, lobby: Party.Lobby) {
    switch (mode(req)) {
      case "reject":
        return new Response(`onBeforeConnect rejected room ${lobby.id}`, { status: 403 });
      case "throw":
        throw new Error("onBeforeConnect threw");
      case "header":
        req.headers.set("x-edge", `connect ${lobby.id}`);
        return req;
    }
  }

  static async onBeforeRequest(req: Party.Request, lobby: Party.Lobby) {
    switch (mode(req)) {
      case "reject":
        return new Response(`onBeforeRequest rejected room ${lobby.id}`, { status: 403 });
      case "throw":
        throw new Error("onBeforeRequest threw");
      case "header":
        req.headers.set("x-edge", `request ${lobby.id}`);
        return req;
    }
    return req;
  }

  static async onFetch(req: Party.Request) {
    const url = new URL(req.url);
    if (!url.pathname.startsWith("/fetch/")) {
      return null;
    }
    return new Response(`onFetch ${req.method} ${url.pathname}${url.search} body=${await req.text()}`, {
      headers: { "x-from": "onFetch" },
    });
  }

  static async onSocket(socket: Party.FetchSocket) {
    socket.send(`onSocket ${new URL(socket.request.url).pathname}`);
    socket.addEventListener("message", (event) => {
      socket.send(`onSocket echo ${event.data}`);
    });
  }

  onConnect(conn: Party.Connection, ctx: Party.ConnectionContext) {
    conn.send(JSON.stringify({ room: this.room.id, edge: ctx.request.headers.get("x-edge") }));
  }

  async onRequest(req: Party.Request) {
    return Response.json({
      room: this.room.id,
      method: req.method,
      edge: req.headers.get("x-edge"),
      body: await req.text(),
    });
  }
}

Edge satisfies Party.Worker;
