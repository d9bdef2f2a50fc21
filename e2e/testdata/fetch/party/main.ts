import type * as Party from "partykit/server";

// Outbound fetch from a room, one case per request: GET
// /parties/main/<room>?case=<name> runs the case against TARGET (the test's
// HTTP server, set with --var) and answers what the room observed as JSON.
export default class FetchServer implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(request: Party.Request) {
    const name = new URL(request.url).searchParams.get("case") ?? "";
    const run = cases[name];
    if (!run) return new Response(`no case ${name}`, { status: 404 });
    const target = this.room.env.TARGET as string;
    try {
      const out = await run(target);
      return out instanceof Response ? out : Response.json(out);
    } catch (e) {
      const err = e as Error;
      return Response.json({ threw: `${err.name}: ${err.message}` }, { status: 500 });
    }
  }
}

const decoder = new TextDecoder();

// failure reports how a rejected promise failed.
async function failure(p: Promise<unknown>) {
  try {
    await p;
    return { name: "resolved" };
  } catch (e) {
    const err = e as Error;
    return { name: err.name, isDOMException: err instanceof DOMException, isTypeError: err instanceof TypeError };
  }
}

const cases: Record<string, (target: string) => Promise<unknown>> = {
  // Status, status text, response headers, and the request's own headers.
  async status(target) {
    const r = await fetch(`${target}/status`, { headers: { "X-Ask": "please", Accept: "text/plain" } });
    return {
      status: r.status,
      statusText: r.statusText,
      ok: r.ok,
      url: r.url,
      redirected: r.redirected,
      contentType: r.headers.get("content-type"),
      reply: r.headers.get("x-reply"),
      multi: r.headers.get("x-multi"),
      cookies: r.headers.getSetCookie(),
      body: await r.text(),
    };
  },

  // A POST with a JSON body and a binary one, echoed back by the server.
  async post(target) {
    const json = await fetch(`${target}/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ hello: "wörld" }),
    }).then((r) => r.json());
    const bytes = new Uint8Array(256).map((_, i) => i);
    const back = new Uint8Array(await fetch(`${target}/echo`, { method: "PUT", body: bytes }).then((r) => r.arrayBuffer()));
    return { json, binaryRoundTrip: back.length === 256 && back.every((b, i) => b === i) };
  },

  // The body arrives as it is sent: the server holds back the rest until the
  // room has read the first chunk and said so on a second request.
  async stream(target) {
    const r = await fetch(`${target}/stream`);
    const reader = r.body!.getReader();
    const first = await reader.read();
    const chunks = [decoder.decode(first.value)];
    await fetch(`${target}/stream-ack`);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    return { first: chunks[0], text: chunks.join("") };
  },

  // A fetched body passed straight on as the room's response.
  async proxy(target) {
    const r = await fetch(`${target}/stream-to-client`);
    return new Response(r.body, { headers: { "Content-Type": "text/plain", "X-Proxied": "yes" } });
  },

  // Aborting a request that the server has received but not answered.
  async abort(target) {
    const c = new AbortController();
    const pending = fetch(`${target}/hang?id=abort`, { signal: c.signal });
    await fetch(`${target}/arrived?id=abort`);
    c.abort();
    return failure(pending);
  },

  // Aborting while the body is streaming ends the body with the abort.
  async "abort-body"(target) {
    const c = new AbortController();
    const r = await fetch(`${target}/endless?id=abort-body`, { signal: c.signal });
    const reader = r.body!.getReader();
    const first = decoder.decode((await reader.read()).value);
    c.abort();
    return { first, read: await failure(reader.read()) };
  },

  // An already aborted signal fails at once, without a request.
  async "abort-before"(target) {
    return failure(fetch(`${target}/hang?id=never`, { signal: AbortSignal.abort() }));
  },

  // AbortSignal.timeout on a request that is never answered.
  async timeout(target) {
    const started = Date.now();
    const result = await failure(fetch(`${target}/hang?id=timeout`, { signal: AbortSignal.timeout(300) }));
    return { ...result, waitedAtLeastTimeout: Date.now() - started >= 290 };
  },

  // Redirects: followed by default, handed back with "manual", refused with "error".
  async redirect(target) {
    const follow = await fetch(`${target}/redirect`);
    const manual = await fetch(`${target}/redirect`, { redirect: "manual" });
    return {
      follow: { status: follow.status, redirected: follow.redirected, url: follow.url, body: await follow.text() },
      manual: { status: manual.status, location: manual.headers.get("location"), redirected: manual.redirected },
      error: await failure(fetch(`${target}/redirect`, { redirect: "error" })),
    };
  },

  // Nobody listens: fetch rejects with a TypeError.
  async refused(_target) {
    return failure(fetch("http://127.0.0.1:1/"));
  },
};
