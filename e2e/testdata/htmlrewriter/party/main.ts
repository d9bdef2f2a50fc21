import type * as Party from "partykit/server";

// A room that rewrites HTML with HTMLRewriter the way a site proxy would.
// GET /parties/main/<room>?case=<name> answers with the rewritten document
// itself (the test compares its bytes with what workerd produced);
// &log=1 answers instead with what the handlers saw, as JSON.
//
//   page      a whole page: attributes, inner content, text replacement,
//             removal, comments, doctype, an async handler, end tags and
//             content appended at the end of the document
//   streamed  a body that arrives in chunks, cut inside tags, text and a
//             UTF-8 character
//   fetched   a page fetched from TARGET (a --var), rewritten on its way
//   source    the page before rewriting, as JSON {source}
//   corpus    POST a JSON array of chunks (strings, or arrays of bytes): the
//             body made of them rewritten by corpusRewriter, as JSON
//             {out, log} (the generated documents of
//             bindings/web/testdata/htmlrewriter_corpus.json)

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Demo &amp; test</title>
  <link rel="stylesheet" href="/style.css">
  <script src="/tracker.js"></script>
  <style>body { color: red; } a > b {}</style>
</head>
<body class="home">
  <!-- banner -->
  <header id="top"><h1>Welcome, <em>guest</em>!</h1></header>
  <nav><ul><li><a href="/">Home</a></li><li class="active"><a href="/about">About</a></li><li><a href="https://example.com/">Away</a></li></ul></nav>
  <main>
    <p>First paragraph with a <a href="/more">link</a>.</p>
    <p class="ad">Buy now! <!-- sponsored --></p>
    <p>Last &lt;paragraph&gt; with <b>bold</b> words.</p>
    <img src="/a.png" alt="A"><br>
  </main>
  <footer>© 2024 <span class="year">then</span></footer>
</body>
</html>
`;

function pageRewriter(log: unknown[]) {
  return new HTMLRewriter()
    .onDocument({
      doctype(d) { log.push(["doctype", d.name, d.publicId, d.systemId]); },
      comments(c) { log.push(["comment", c.text]); c.text = ` ${c.text.trim().toUpperCase()} `; },
      end(end) { end.append("<!-- rewritten -->", { html: true }); },
    })
    .on("a[href^='http']", { element(e) { e.setAttribute("target", "_blank"); e.setAttribute("rel", "noopener"); } })
    .on("a", {
      async element(e) {
        await new Promise((r) => setTimeout(r, 1));
        log.push(["a", e.getAttribute("href"), [...e.attributes].length]);
        e.setAttribute("data-checked", "1");
      },
    })
    .on("script[src]", { element(e) { e.remove(); } })
    .on("p.ad", {
      element(e) { e.remove(); },
      comments(c) { log.push(["ad comment", c.text]); },
    })
    .on("h1", { text(t) { log.push(["h1", t.text, t.lastInTextNode]); if (t.text.includes("Welcome")) t.replace("Hello & welcome, "); } })
    .on("em", { element(e) { e.setInnerContent("<strong>friend</strong>", { html: true }); } })
    .on("li.active", { element(e) { e.prepend("→ "); e.append(" ←"); } })
    .on("main p:first-child", { element(e) { e.before("<section>", { html: true }); } })
    .on("main p:nth-of-type(3)", {
      element(e) { e.after("</section>", { html: true }); },
      text(t) { if (t.text.includes("paragraph")) t.replace(t.text.replace("paragraph", "<em>para</em>"), { html: true }); },
    })
    .on("title", { text(t) { log.push(["title", t.text, t.lastInTextNode]); } })
    .on("footer", { element(e) { e.removeAndKeepContent(); } })
    .on("footer .year", { element(e) { e.tagName = "time"; e.setInnerContent("2024"); } })
    .on("img", { element(e) { e.setAttribute("loading", "lazy"); e.setAttribute("alt", 'say "A"'); } })
    .on("head", { element(e) { e.append(`<meta name="x" content='y'>`, { html: true }); } })
    .on("body", {
      element(e) {
        e.onEndTag((end) => { log.push(["end tag", end.name]); end.before("<script>done()</script>", { html: true }); });
      },
    });
}

function streamedRewriter(log: unknown[]) {
  return new HTMLRewriter()
    .on("p", { element(e) { log.push(["p", e.getAttribute("class")]); e.setAttribute("id", "1"); } })
    .onDocument({ text(t) { log.push(["text", t.text, t.lastInTextNode]); } });
}

// Chunks cut inside a tag, inside text, inside "</script>" and between
// the two bytes of "é".
function streamedBody() {
  const enc = new TextEncoder();
  const e = enc.encode("é");
  const chunks = ["<p cla", "ss=x>Hel", "lo wor", "ld</p><div>a &am", "p; b</div", "><script>x<", "/scr", "ipt><p>caf"].map((s) => enc.encode(s));
  chunks.push(e.slice(0, 1), new Uint8Array([...e.slice(1), ...enc.encode("!</p>")]));
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
}

// corpusRewriter touches every kind of content. The same handlers are in
// bindings/web/testdata/htmlrewriter_cases.js; keep the two alike.
function corpusRewriter(log: unknown[]) {
  return new HTMLRewriter()
    .on("*", {
      element(e) {
        log.push(["el", e.tagName, e.namespaceURI, [...e.attributes], e.removed]);
        if (e.hasAttribute("data-x")) e.setAttribute("data-x", "y");
        if (e.tagName === "b") e.setInnerContent("B<>");
        if (e.tagName === "i") e.remove();
        if (e.tagName === "u") e.removeAndKeepContent();
        if (e.tagName === "s") e.onEndTag((t) => { log.push(["end", t.name]); t.after("/s"); });
        if (e.tagName === "em") e.setAttribute("k", "v");
        if (e.tagName === "q") e.tagName = "blockquote";
      },
      comments(c) { log.push(["c", c.text]); if (c.text.includes("x")) c.text = "X"; },
    })
    .on("p > span, div span:first-child, a[href$='.png'], li:nth-child(2n), [class~=k], td:nth-of-type(2)", {
      element(e) { log.push(["sel", e.tagName]); e.before("«"); e.append("»"); },
    })
    .on("p", { text(t) { log.push(["pt", t.text, t.lastInTextNode]); if (t.text === "zap") t.replace("ZAP"); } })
    .onDocument({
      text(t) { log.push(["t", t.text, t.lastInTextNode]); },
      doctype(d) { log.push(["d", d.name, d.publicId, d.systemId]); },
      comments(c) { log.push(["dc", c.text]); },
      end(e) { e.append("<!--end-->", { html: true }); },
    });
}

function chunkStream(chunks: (string | number[])[]) {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(typeof chunk === "string" ? enc.encode(chunk) : new Uint8Array(chunk));
      c.close();
    },
  });
}

export default class Server implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const url = new URL(req.url);
    const name = url.searchParams.get("case");
    const log: unknown[] = [];
    let res: Response;
    switch (name) {
      case "page":
        res = pageRewriter(log).transform(new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8", "x-origin": "page" } }));
        break;
      case "streamed":
        res = streamedRewriter(log).transform(new Response(streamedBody(), { headers: { "content-type": "text/html" } }));
        break;
      case "fetched": {
        const upstream = await fetch(`${this.room.env.TARGET}/page.html`);
        res = pageRewriter(log).transform(upstream);
        break;
      }
      case "source":
        return Response.json({ source: PAGE });
      case "corpus": {
        const rewritten = corpusRewriter(log).transform(new Response(chunkStream(await req.json())));
        let out: string;
        try {
          out = await rewritten.text();
        } catch (e) {
          out = `REJECTED: ${e}`;
        }
        return Response.json({ out, log });
      }
      default:
        return new Response(`unknown case ${name}`, { status: 404 });
    }
    if (url.searchParams.get("log") !== "1") return res;
    const out = await res.text();
    return Response.json({ log, length: out.length });
  }
}
