import type * as Party from "partykit/server";
import { verify } from "./keys";

// Authentication at the edge as PartyKit's docs show it: a static
// onBeforeConnect verifies the JWT in ?token= with jose and either passes
// the request on (with who it is for in a header) or answers 401.
export default class AuthServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  static async onBeforeConnect(request: Party.Request, lobby: Party.Lobby) {
    try {
      const token = new URL(request.url).searchParams.get("token") ?? "";
      const { user, alg } = await verify(token, lobby.env);
      request.headers.set("X-User", user);
      request.headers.set("X-Alg", alg);
      return request;
    } catch (e) {
      const err = e as { code?: string; message: string };
      return new Response(`invalid token: ${err.code ?? err.message}`, { status: 401 });
    }
  }

  static async onBeforeRequest(request: Party.Request, lobby: Party.Lobby) {
    const token = (request.headers.get("Authorization") ?? "").replace(/^Bearer /, "");
    try {
      const { user } = await verify(token, lobby.env);
      request.headers.set("X-User", user);
      return request;
    } catch (e) {
      const err = e as { code?: string; message: string };
      return new Response(`invalid token: ${err.code ?? err.message}`, { status: 401 });
    }
  }

  onConnect(conn: Party.Connection, ctx: Party.ConnectionContext) {
    const h = ctx.request.headers;
    conn.send(JSON.stringify({ room: this.room.id, user: h.get("X-User"), alg: h.get("X-Alg") }));
  }

  onRequest(request: Party.Request) {
    return Response.json({ room: this.room.id, user: request.headers.get("X-User") });
  }
}
