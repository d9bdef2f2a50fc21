// A Hono app as the room's onRequest router: path and query parameters,
// regexp-constrained routes, JSON bodies with the validator, middleware
// (CORS, ETag, basic auth, secure headers, pretty JSON), cookies, HTML via
// hono/html, errors and 404s. Hono's RegExpRouter builds one large regexp
// from all routes; its Request/Response handling runs on the Workers API.
import type * as Party from "partykit/server";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import { basicAuth } from "hono/basic-auth";
import { secureHeaders } from "hono/secure-headers";
import { prettyJSON } from "hono/pretty-json";
import { getCookie, setCookie } from "hono/cookie";
import { validator } from "hono/validator";
import { html } from "hono/html";
import { HTTPException } from "hono/http-exception";

type Env = { Variables: { room: string } };

function app(room: Party.Room) {
  const api = new Hono<Env>().basePath("/parties/main/:room");
  api.use("*", async (c, next) => {
    c.set("room", room.id);
    await next();
    c.header("x-room", room.id);
  });
  api.use("/api/*", cors({ origin: ["https://a.example", "https://b.example"], allowMethods: ["GET", "POST"], exposeHeaders: ["x-room"] }));
  api.use("/api/*", prettyJSON());
  api.use("/page/*", etag(), secureHeaders());
  api.use("/admin/*", basicAuth({ username: "ada", password: "lovelace" }));

  api.get("/", (c) => c.text(`room ${c.get("room")}`));
  api.get("/api/users/:id{[0-9]+}", (c) => c.json({ id: Number(c.req.param("id")), query: c.req.queries(), q: c.req.query("q") ?? null }));
  api.get("/api/users/:name", (c) => c.json({ name: c.req.param("name"), decoded: decodeURIComponent(c.req.param("name")) }));
  api.get("/api/files/*", (c) => c.json({ path: c.req.path, routePath: c.req.routePath }));
  api.get("/api/posts/:year{\\d{4}}/:slug?", (c) => c.json(c.req.param()));
  api.post(
    "/api/echo",
    validator("json", (value, c) => {
      if (typeof value?.text !== "string") return c.json({ error: "text must be a string" }, 400);
      return { text: value.text as string, n: Number(value.n ?? 0) };
    }),
    (c) => {
      const { text, n } = c.req.valid("json");
      return c.json({ text: text.toUpperCase(), n: n + 1, length: [...text].length }, 201);
    },
  );
  api.post("/api/form", async (c) => c.json(await c.req.parseBody()));
  api.get("/page/:name", (c) => {
    const visits = Number(getCookie(c, "visits") ?? "0") + 1;
    setCookie(c, "visits", String(visits), { path: "/", httpOnly: true, sameSite: "Lax", maxAge: 60 });
    return c.html(html`<h1>Hello ${c.req.param("name")}</h1><p>${"<script>x</script>"} visit ${visits}</p>`);
  });
  api.get("/admin/stats", (c) => c.json({ secret: 42 }));
  api.get("/teapot", () => {
    throw new HTTPException(418, { message: "I am a teapot" });
  });
  api.get("/boom", () => {
    throw new Error("boom");
  });
  api.notFound((c) => c.json({ notFound: c.req.path }, 404));
  api.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.json({ error: err.message }, 500)));
  return api;
}

export default class HonoParty implements Party.Server {
  api: Hono<Env>;

  constructor(readonly room: Party.Room) {
    this.api = app(room);
  }

  onRequest(req: Party.Request) {
    return this.api.fetch(req as unknown as Request);
  }
}
