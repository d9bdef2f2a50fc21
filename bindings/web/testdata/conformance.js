// Globals conformance: one check per item of issue 3 (Deliver 1 and 2) and
// per global PartyKit's workerd exposes (PARTYKIT.md §11). Each check
// returns (or resolves to) true, or throws / returns a string saying what is
// wrong. The Go test runs them all in a room VM and fails on any failure.
(function (require, base) {
  "use strict";
  const te = new TextEncoder();
  const eq = (a, b) => {
    const x = JSON.stringify(a), y = JSON.stringify(b);
    return x === y || `got ${x}, want ${y}`;
  };
  const present = (name) => () => (typeof globalThis[name] !== "undefined") || `${name} is missing`;
  const checks = [];
  const check = (name, fn) => checks.push([name, fn]);

  // PARTYKIT.md §11: present in workerd (compat date 2024-06-01).
  for (const name of ["fetch", "Request", "Response", "Headers", "URL", "URLSearchParams", "crypto", "TextEncoder",
    "TextDecoder", "TextDecoderStream", "setTimeout", "setInterval", "queueMicrotask", "WebSocket", "WebSocketPair",
    "structuredClone", "atob", "btoa", "ReadableStream", "TransformStream", "CompressionStream", "AbortController",
    "AbortSignal", "caches", "navigator", "performance", "Buffer", "process", "global", "self", "EventTarget", "Event",
    "MessageEvent", "CloseEvent", "Blob", "FormData", "File", "HTMLRewriter", "scheduler", "URLPattern", "WebAssembly",
    "console", "Intl"]) {
    check(`§11 present: ${name}`, present(name));
  }
  check("§11 absent: setImmediate", () => typeof setImmediate === "undefined" || "setImmediate must be absent, as in workerd");

  // Deliver 1.
  check("fetch: status, headers, text", async () => {
    const r = await fetch(base + "/hello", { headers: { "x-ask": "1" } });
    return eq([r.status, r.headers.get("x-reply"), await r.text()], [201, "yes", "hello 1"]);
  });
  check("fetch: streamed body", async () => {
    const r = await fetch(base + "/stream");
    const reader = r.body.getReader();
    let n = 0, text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      n++;
      text += new TextDecoder().decode(value);
    }
    return (n >= 2 && text === "a;b;c;") || `got ${n} chunks: ${text}`;
  });
  check("fetch: redirects", async () => {
    const r = await fetch(base + "/redirect");
    return eq([r.status, r.redirected], [201, true]);
  });
  check("fetch: AbortController", async () => {
    const c = new AbortController();
    const p = fetch(base + "/slow", { signal: c.signal });
    c.abort();
    return p.then(() => "resolved", (e) => e.name === "AbortError" || e.name);
  });
  check("fetch: AbortSignal.timeout", async () =>
    fetch(base + "/slow", { signal: AbortSignal.timeout(10) }).then(() => "resolved", (e) => e.name === "TimeoutError" || e.name));
  check("Request/Response/Headers: all body readers", async () => {
    const mk = () => new Response("a=1", { headers: { "content-type": "application/x-www-form-urlencoded" } });
    const [t, j, ab, b, fd, by] = await Promise.all([mk().text(), new Response("[1]").json(), mk().arrayBuffer(), mk().blob(), mk().formData(), mk().bytes()]);
    return eq([t, j, ab.byteLength, b.size, fd.get("a"), by.length], ["a=1", [1], 3, 3, "1", 3]);
  });
  check("Response: clone, json, redirect, error", async () => {
    const r = new Response("x");
    const c = r.clone();
    return eq([await r.text(), await c.text(), (await Response.json({ a: 1 }).json()).a, Response.redirect("https://e.com/", 307).status, Response.error().type],
      ["x", "x", 1, 307, "error"]);
  });
  check("Request: clone and body", async () => {
    const q = new Request("https://h/", { method: "POST", body: "b" });
    return eq([await q.clone().text(), await q.text(), q.method], ["b", "b", "POST"]);
  });
  check("Headers", () => {
    const h = new Headers([["B", "2"], ["a", "1"], ["set-cookie", "x"], ["set-cookie", "y"]]);
    return eq([...h], [["a", "1"], ["b", "2"], ["set-cookie", "x"], ["set-cookie", "y"]]);
  });
  check("URL / URLSearchParams", () => {
    const u = new URL("https://x.example/?q=1");
    u.searchParams.append("r", "a b&c");
    return eq([u.href, new URL("http://[::1]:8080/").origin], ["https://x.example/?q=1&r=a+b%26c", "http://[::1]:8080"]);
  });
  check("URLPattern", () => eq(new URLPattern({ pathname: "/rooms/:id" }).exec("https://h/rooms/7").pathname.groups, { id: "7" }));
  check("TextEncoder/TextDecoder: fatal, ignoreBOM, stream", () => {
    const d = new TextDecoder("utf-8", { ignoreBOM: true });
    const s = new TextDecoder();
    let fatal = "no throw";
    try { new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff])); } catch (e) { fatal = e.name; }
    return eq([d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])).length, s.decode(new Uint8Array([0xe2, 0x82]), { stream: true }) + s.decode(new Uint8Array([0xac])), fatal, new TextEncoder().encodeInto("é", new Uint8Array(4)).written],
      [2, "€", "TypeError", 2]);
  });
  check("TextDecoderStream with pipeThrough and async iteration", async () => {
    const rs = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([0xe2, 0x82])); c.enqueue(new Uint8Array([0xac, 0x21])); c.close(); } });
    let out = "";
    const it = rs.pipeThrough(new TextDecoderStream())[Symbol.asyncIterator]();
    for (;;) {
      const { value, done } = await it.next();
      if (done) break;
      out += value;
    }
    return eq(out, "€!");
  });
  check("crypto.getRandomValues / randomUUID", () => {
    const a = crypto.getRandomValues(new Uint8Array(16));
    return (a.some((x) => x) && /^[0-9a-f-]{36}$/.test(crypto.randomUUID())) || "bad randomness";
  });
  check("crypto.subtle: digest SHA-1/256/384/512", async () => {
    const lens = await Promise.all(["SHA-1", "SHA-256", "SHA-384", "SHA-512"].map((h) => crypto.subtle.digest(h, te.encode("x")).then((b) => b.byteLength)));
    return eq(lens, [20, 32, 48, 64]);
  });
  const signs = async (alg, gen, signAlg) => {
    const { publicKey, privateKey } = await crypto.subtle.generateKey(gen, true, ["sign", "verify"]);
    const sig = await crypto.subtle.sign(signAlg, privateKey, te.encode("m"));
    return (await crypto.subtle.verify(signAlg, publicKey, sig, te.encode("m"))) && !(await crypto.subtle.verify(signAlg, publicKey, sig, te.encode("n"))) || `${alg} failed`;
  };
  check("crypto.subtle: HMAC", async () => {
    const k = await crypto.subtle.importKey("raw", te.encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    const sig = await crypto.subtle.sign("HMAC", k, te.encode("m"));
    return (await crypto.subtle.verify("HMAC", k, sig, te.encode("m"))) || "HMAC verify failed";
  });
  check("crypto.subtle: ECDSA P-256", () => signs("ECDSA", { name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }));
  check("crypto.subtle: Ed25519", () => signs("Ed25519", { name: "Ed25519" }, "Ed25519"));
  check("crypto.subtle: RSASSA-PKCS1-v1_5", () => signs("RSASSA", { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, "RSASSA-PKCS1-v1_5"));
  check("crypto.subtle: RSA-PSS", () => signs("RSA-PSS", { name: "RSA-PSS", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, { name: "RSA-PSS", saltLength: 32 }));
  check("crypto.subtle: AES-GCM", async () => {
    const k = await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt", "decrypt"]);
    const iv = new Uint8Array(12);
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k, te.encode("p"));
    return eq(new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, k, ct)), "p");
  });
  check("crypto.subtle: importKey raw/jwk/spki/pkcs8", async () => {
    const { publicKey, privateKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const alg = { name: "ECDSA", namedCurve: "P-256" };
    const got = await Promise.all([
      crypto.subtle.importKey("raw", await crypto.subtle.exportKey("raw", publicKey), alg, true, ["verify"]),
      crypto.subtle.importKey("jwk", await crypto.subtle.exportKey("jwk", privateKey), alg, true, ["sign"]),
      crypto.subtle.importKey("spki", await crypto.subtle.exportKey("spki", publicKey), alg, true, ["verify"]),
      crypto.subtle.importKey("pkcs8", await crypto.subtle.exportKey("pkcs8", privateKey), alg, true, ["sign"]),
    ]);
    return eq(got.map((k) => k.type), ["public", "private", "public", "private"]);
  });
  check("atob / btoa", () => eq([btoa("hi"), atob("aGk=")], ["aGk=", "hi"]));
  check("structuredClone", () => {
    const m = new Map([[1, { d: new Date(0) }]]);
    const c = structuredClone(m);
    return (c !== m && c.get(1).d.getTime() === 0) || "structuredClone did not deep-copy";
  });
  check("Event / EventTarget / MessageEvent / CloseEvent / ErrorEvent", () => {
    const t = new EventTarget();
    const got = [];
    t.addEventListener("m", (e) => got.push(e.data));
    t.dispatchEvent(new MessageEvent("m", { data: 1 }));
    return eq([got, new CloseEvent("close", { code: 1000 }).code, new ErrorEvent("error", { message: "x" }).message, new Event("e").type], [[1], 1000, "x", "e"]);
  });
  check("ReadableStream / WritableStream / TransformStream: pipeTo, tee", async () => {
    const chunks = [];
    const [a, b] = new ReadableStream({ start(c) { c.enqueue("x"); c.close(); } }).tee();
    await a.pipeThrough(new TransformStream({ transform(ch, c) { c.enqueue(ch.toUpperCase()); } })).pipeTo(new WritableStream({ write(ch) { chunks.push(ch); } }));
    return eq([chunks, (await b.getReader().read()).value], [["X"], "x"]);
  });
  check("Response.body is a ReadableStream", () => (new Response("x").body instanceof ReadableStream) || "not a ReadableStream");
  check("CompressionStream / DecompressionStream", async () => {
    const packed = new Response("hello".repeat(20)).body.pipeThrough(new CompressionStream("gzip"));
    return eq(await new Response(packed.pipeThrough(new DecompressionStream("gzip"))).text(), "hello".repeat(20));
  });
  check("Blob / File / FormData", async () => {
    const fd = new FormData();
    fd.append("f", new File(["abc"], "a.txt"));
    const back = await new Request("https://h/", { method: "POST", body: fd }).formData();
    return eq([await back.get("f").text(), back.get("f").name, new Blob(["ab"]).size], ["abc", "a.txt", 2]);
  });
  check("performance.now", () => (typeof performance.now() === "number" && performance.now() >= 0) || "bad performance.now");
  check("navigator.userAgent", () => eq(navigator.userAgent, "Cloudflare-Workers"));
  check("WebSocket (outbound client)", () => new Promise((res) => {
    const ws = new WebSocket(base.replace("http", "ws") + "/ws");
    ws.onmessage = (e) => { res(eq(e.data, "echo:ping")); ws.close(); };
    ws.onopen = () => ws.send("ping");
    ws.onerror = (e) => res(`error: ${e.message}`);
  }));
  check("WebSocketPair and a 101 Response", () => {
    const { 0: client, 1: server } = new WebSocketPair();
    server.accept();
    return eq(new Response(null, { status: 101, webSocket: client }).status, 101);
  });
  check("self / global / globalThis", () => (self === globalThis && global === globalThis) || "aliases differ");
  check("Buffer", () => eq(Buffer.from("hi").toString("base64"), "aGk="));
  check("process.env from .env only", () => eq([process.env.FROM_DOTENV, process.env.HOME], ["yes", undefined]));
  check("scheduler.wait", async () => { await scheduler.wait(1); return true; });
  check("setTimeout / setInterval / queueMicrotask", () => new Promise((res) => {
    const log = [];
    const id = setInterval(() => { log.push("i"); clearInterval(id); }, 1);
    setTimeout(() => res(eq(log, ["m", "i"])), 20);
    queueMicrotask(() => log.push("m"));
  }));
  check("console", () => { console.log("conformance %s", "ok"); return true; });
  check("WebAssembly: Module, Instance, imports, memory, traps, i64", async () => {
    // (module (import "env" "f" (func (param i32) (result i32))) (memory (export "mem") 1)
    //   (func (export "run") (param i32) (result i32) (i32.load (call 0 (local.get 0))))
    //   (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
    //   (func (export "trap") unreachable))
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 15, 3, 96, 1, 127, 1, 127, 96, 2, 126, 126, 1, 126, 96, 0, 0,
      2, 9, 1, 3, 101, 110, 118, 1, 102, 0, 0, 3, 4, 3, 0, 1, 2, 5, 3, 1, 0, 1,
      7, 28, 4, 3, 109, 101, 109, 2, 0, 3, 114, 117, 110, 0, 1, 5, 97, 100, 100, 54, 52, 0, 2, 4, 116, 114, 97, 112, 0, 3,
      10, 23, 3, 9, 0, 32, 0, 16, 0, 40, 2, 0, 11, 7, 0, 32, 0, 32, 1, 124, 11, 3, 0, 0, 11]);
    const { module, instance } = await WebAssembly.instantiate(bytes, { env: { f: (x) => x * 4 } });
    const { mem, run, add64, trap } = instance.exports;
    new Int32Array(mem.buffer)[3] = 1234;
    let trapped;
    try { trap(); } catch (e) { trapped = e instanceof WebAssembly.RuntimeError && e.message; }
    return eq([module instanceof WebAssembly.Module, run(3), add64(2n ** 63n - 1n, 1n) === -(2n ** 63n), trapped,
      WebAssembly.Module.imports(module)], [true, 1234, true, "unreachable", [{ module: "env", name: "f", kind: "function" }]]);
  });
  check("HTMLRewriter: attributes, async text handler, Content-Length dropped", async () => {
    const res = new HTMLRewriter()
      .on("a[href]", { element: (e) => e.setAttribute("rel", "nofollow") })
      .on("p", { async text(t) { await null; if (t.text === "hi") t.replace("<b>bye</b>", { html: true }); } })
      .transform(new Response("<a href=x>l</a><p>hi</p>", { headers: { "content-length": "24" } }));
    return eq([await res.text(), res.headers.has("content-length")], ['<a href=x rel="nofollow">l</a><p><b>bye</b></p>', false]);
  });

  // Deliver 2: Node built-ins, with and without node:.
  for (const name of ["buffer", "events", "util", "path", "string_decoder", "assert", "stream", "crypto", "async_hooks", "diagnostics_channel"]) {
    check(`require("${name}") and require("node:${name}")`, () => (require(name) === require(`node:${name}`) && require(name) !== undefined) || "differ");
  }
  check("node:crypto randomBytes/createHash/createHmac/timingSafeEqual", () => {
    const c = require("node:crypto");
    return eq([c.randomBytes(4).length, c.createHash("sha256").update("").digest("hex").slice(0, 8), c.createHmac("sha1", "k").update("m").digest("hex").length, c.timingSafeEqual(Buffer.from("a"), Buffer.from("a"))], [4, "e3b0c442", 40, true]);
  });
  check("node:async_hooks AsyncLocalStorage", async () => {
    const als = new (require("node:async_hooks").AsyncLocalStorage)();
    return eq(await als.run(7, async () => { await null; return als.getStore(); }), 7);
  });
  check("unknown built-in throws Cannot find module", () => {
    try { require("node:fs"); return "no throw"; } catch (e) { return e.message.includes("Cannot find module 'node:fs'") || e.message; }
  });

  // Run everything; one result per check.
  return Promise.all(checks.map(([name, fn]) =>
    Promise.resolve().then(fn).then(
      (r) => ({ name, ok: r === true, detail: r === true ? "" : `${r}` }),
      (e) => ({ name, ok: false, detail: `threw ${e && e.stack ? e.stack : e}` }),
    )));
})
