// HTMLRewriter cases with what workerd answered for each: the output and
// what the handlers saw. Every "want" below was produced by `partykit dev`
// 0.0.115 (workerd 1.20240718) running these same handlers, and is checked
// against gopk by htmlrewriter_test.go.
(function () {
  "use strict";
  // body makes a Response body: a string as it is, an array as a stream of
  // those chunks (strings are UTF-8 encoded), so text is cut where they end.
  const body = (html) => {
    if (typeof html === "string") return html;
    return new ReadableStream({
      start(c) {
        for (const h of html) c.enqueue(typeof h === "string" ? new TextEncoder().encode(h) : h);
        c.close();
      },
    });
  };
  // tc logs each text chunk a handler receives.
  const tc = (log, tag = "t") => (t) => log.push([tag, t.text, t.lastInTextNode, t.removed]);

  // run rewrites c.html with c.build's handlers and resolves with what
  // happened; an output of "REJECTED: ..." means reading the body failed.
  const run = async (c) => {
    const log = [];
    const res = c.build(new HTMLRewriter(), log).transform(new Response(body(c.html), { headers: { "content-type": "text/html" } }));
    let out;
    try {
      out = await res.text();
    } catch (e) {
      out = "REJECTED: " + String(e);
    }
    return { out, log };
  };

  const cases = [
    {
      name: "attrs",
      html: `<a href=foo CLASS='x' disabled data-q="a&amp;b" title="say &quot;hi&quot;">x</a><img src=a.png/>`,
      build: (rw, log) => rw.on("a", {
        element(e) {
          log.push([e.tagName, [...e.attributes], e.getAttribute("class"), e.getAttribute("data-q"), e.getAttribute("nope"),
            e.hasAttribute("DISABLED"), e.namespaceURI, e.removed]);
          e.setAttribute("data-new", 'q"<&>');
          e.setAttribute("class", "y");
        },
      }).on("img", { element(e) { log.push([e.tagName, [...e.attributes]]); e.setAttribute("alt", ""); } }),
      want: {"out": "<a href=foo CLASS=\"y\" disabled data-q=\"a&amp;b\" title=\"say &quot;hi&quot;\" data-new=\"q&quot;<&>\">x</a><img src=a.png/ alt=\"\">", "log": [["a", [["href", "foo"], ["class", "x"], ["disabled", ""], ["data-q", "a&amp;b"], ["title", "say &quot;hi&quot;"]], "x", "a&amp;b", null, true, "http://www.w3.org/1999/xhtml", false], ["img", [["src", "a.png/"]]]]},
    },
    {
      name: "attrsRemove",
      html: `<p a=1 b c="3" D='4'>x</p><br/><br x=1/>`,
      build: (rw, log) => rw.on("p", { element(e) { e.removeAttribute("b"); e.removeAttribute("d"); log.push([...e.attributes]); } })
        .on("br", { element(e) { e.setAttribute("k", "v"); } }),
      want: {"out": "<p a=1 c=\"3\">x</p><br k=\"v\" /><br x=1/ k=\"v\">", "log": [[["a", "1"], ["c", "3"]]]},
    },
    {
      name: "unmodified",
      html: `<P   Class = "x" >t</P ><DIV/>`,
      build: (rw, log) => rw.on("p", { element(e) { log.push(e.tagName, [...e.attributes]); } }).on("div", { element(e) { log.push([e.tagName]); } }),
      want: {"out": "<P   Class = \"x\" >t</P ><DIV/>", "log": ["p", [["class", "x"]], ["div"]]},
    },
    {
      name: "textChunks",
      html: `<p>Hello &amp; world a < b <<i>x</i> c</p>tail`,
      build: (rw, log) => rw.onDocument({ text: tc(log, "doc") }).on("p", { text: tc(log, "p") }),
      want: {"out": "<p>Hello &amp; world a < b <<i>x</i> c</p>tail", "log": [["p", "Hello &amp; world a ", false, false], ["doc", "Hello &amp; world a ", false, false], ["p", "<", false, false], ["doc", "<", false, false], ["p", " b ", false, false], ["doc", " b ", false, false], ["p", "<", false, false], ["doc", "<", false, false], ["p", "", true, false], ["doc", "", true, false], ["p", "x", false, false], ["doc", "x", false, false], ["p", "", true, false], ["doc", "", true, false], ["p", " c", false, false], ["doc", " c", false, false], ["p", "", true, false], ["doc", "", true, false], ["doc", "tail", false, false], ["doc", "", true, false]]},
    },
    {
      name: "textLong",
      html: `<p>${"a".repeat(3000)}</p><p>${"é".repeat(600)}</p><p>${"€".repeat(400)}</p>`,
      build: (rw, log) => rw.on("p", { text: (t) => log.push([t.text.length, new TextEncoder().encode(t.text).length, t.lastInTextNode]) }),
      // The text is not changed: the output is the input.
      want: {"log": [[1024, 1024, false], [1024, 1024, false], [952, 952, false], [0, 0, true], [512, 1024, false], [88, 176, false], [0, 0, true], [341, 1023, false], [59, 177, false], [0, 0, true]]},
    },
    {
      name: "textHuge",
      html: `<div>${"x".repeat(70000)}</div>`,
      build: (rw, log) => rw.on("div", { text: (t) => log.push([t.text.length, t.lastInTextNode]) }),
      // The text is not changed: the output is the input.
      want: {"log": [[1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [1024, false], [368, false], [0, true]]},
    },
    {
      name: "textStreamed",
      html: ["<p>Hel", "lo wor", "ld</p><p>a<", "b>c</p>x\u00e9".slice(0, 8), "\u00e9y"],
      build: (rw, log) => rw.onDocument({ text: tc(log) }),
      want: {"out": "<p>Hello world</p><p>a<b>c</p>xéy", "log": [["t", "Hel", false, false], ["t", "lo wor", false, false], ["t", "ld", false, false], ["t", "", true, false], ["t", "a", false, false], ["t", "", true, false], ["t", "c", false, false], ["t", "", true, false], ["t", "x", false, false], ["t", "éy", false, false], ["t", "", true, false]]},
    },
    {
      name: "textSplitUtf8",
      // Chunks that cut é and € between their bytes.
      html: (() => { const b = new TextEncoder().encode("<p>aé€b</p>"); return [b.slice(0, 5), b.slice(5, 8), b.slice(8)]; })(),
      build: (rw, log) => rw.onDocument({ text: tc(log) }),
      want: {"out": "<p>aé€b</p>", "log": [["t", "a", false, false], ["t", "é", false, false], ["t", "€b", false, false], ["t", "", true, false]]},
    },
    {
      name: "rawText",
      html: `<style>a<b</x>c</style><script>if (a<b) x="</y>"; <!-- q --></script><title>T&amp;<i></title><textarea>a</b</textarea>`,
      build: (rw, log) => rw.onDocument({ text: tc(log) }),
      want: {"out": "<style>a<b</x>c</style><script>if (a<b) x=\"</y>\"; <!-- q --></script><title>T&amp;<i></title><textarea>a</b</textarea>", "log": [["t", "a", false, false], ["t", "<", false, false], ["t", "b", false, false], ["t", "</x", false, false], ["t", ">c", false, false], ["t", "", true, false], ["t", "if (a", false, false], ["t", "<", false, false], ["t", "b) x=\"", false, false], ["t", "</y", false, false], ["t", ">\"; ", false, false], ["t", "<!-- q --", false, false], ["t", ">", false, false], ["t", "", true, false], ["t", "T&amp;", false, false], ["t", "<", false, false], ["t", "i>", false, false], ["t", "", true, false], ["t", "a", false, false], ["t", "</b", false, false], ["t", "", true, false]]},
    },
    {
      name: "mutations",
      html: `<div id=a><span>inner</span></div><p>para</p><i>x</i>`,
      build: (rw, log) => rw
        .on("div", { element(e) { e.before("<b1>"); e.before("<b2>", { html: true }); e.after("<a1>"); e.after("<a2>", { html: true }); e.prepend("p1"); e.prepend("p2"); e.append("e1"); e.append("e2"); } })
        .on("p", { element(e) { e.setInnerContent("<new & \"q\" 'x'>"); e.append("!"); } })
        .on("i", { element(e) { e.replace("<em>r</em>", { html: true }); log.push(e.removed); } }),
      want: {"out": "&lt;b1&gt;<b2><div id=a>p2p1<span>inner</span>e1e2</div><a2>&lt;a1&gt;<p>&lt;new &amp; \"q\" 'x'&gt;!</p><em>r</em>", "log": [true]},
    },
    {
      name: "removal",
      html: `<ul><li>1</li><li class=k>2<b>bold</b></li><li>3</li></ul><section><h1>T</h1>body</section>`,
      build: (rw, log) => rw
        .on("li", { element(e) { if (e.getAttribute("class") !== "k") e.remove(); log.push(["li", e.removed]); }, text: tc(log, "li") })
        .on("b", { element(e) { log.push("b seen"); e.setAttribute("x", "y"); } })
        .on("section", { element(e) { e.removeAndKeepContent(); log.push(["sec", e.removed]); } }),
      want: {"out": "<ul><li class=k>2<b x=\"y\">bold</b></li></ul><h1>T</h1>body", "log": [["li", true], ["li", "1", false, false], ["li", "", true, false], ["li", false], ["li", "2", false, false], ["li", "", true, false], "b seen", ["li", "bold", false, false], ["li", "", true, false], ["li", true], ["li", "3", false, false], ["li", "", true, false], ["sec", true]]},
    },
    {
      name: "innerThenAppend",
      html: `<div>old<span>s</span></div>`,
      build: (rw, log) => rw.on("div", { element(e) { e.append("A1"); e.setInnerContent("new"); e.append("A2"); e.prepend("P"); } }).on("span", { element(e) { log.push("span seen"); e.after("X"); } , text: tc(log, "span")}),
      want: {"out": "<div>PnewA2</div>", "log": ["span seen", ["span", "s", false, false], ["span", "", true, false]]},
    },
    {
      name: "comments",
      html: `<!-- top --><div><!--in div--><p>x<!---->y</p></div><?bogus><!bang>`,
      build: (rw, log) => rw
        .onDocument({ comments(c) { log.push(["doc", c.text, c.removed]); if (c.text === " top ") c.text = "TOP"; } })
        .on("div", { comments(c) { log.push(["div", c.text]); if (c.text === "in div") { c.before("<B>"); c.after("<A>", { html: true }); } if (c.text === "") c.replace("R"); } }),
      want: {"out": "<!--TOP--><div>&lt;B&gt;<!--in div--><A><p>xRy</p></div><?bogus><!bang>", "log": [["doc", " top ", false], ["div", "in div"], ["doc", "in div", false], ["div", ""], ["doc", "", true], ["doc", "?bogus", false], ["doc", "bang", false]]},
    },
    {
      name: "commentRemove",
      html: `a<!--x-->b<!--y-->c`,
      build: (rw, log) => rw.onDocument({ comments(c) { if (c.text === "x") c.remove(); else { try { c.text = "a-->b"; } catch (e) { log.push(String(e)); } } } }),
      want: {"out": "ab<!--y-->c", "log": ["TypeError: Parser error: Comment text shouldn't contain comment closing sequence (`-->`)."]},
    },
    {
      name: "doctype",
      html: `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd"><!doctype HTML><!DOCTYPE><p>x</p>`,
      build: (rw, log) => rw.onDocument({ doctype(d) { log.push([d.name, d.publicId, d.systemId]); } }),
      want: {"out": "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\"><!doctype HTML><!DOCTYPE><p>x</p>", "log": [["html", "-//W3C//DTD HTML 4.01//EN", "http://www.w3.org/TR/html4/strict.dtd"], ["html", null, null], [null, null, null]]},
    },
    {
      name: "end",
      html: `<p>x</p>`,
      build: (rw, log) => rw.onDocument({ end(e) { e.append("<!-- end -->", { html: true }); e.append("<&>"); } }),
      want: {"out": "<p>x</p><!-- end -->&lt;&amp;&gt;", "log": []},
    },
    {
      name: "endTag",
      html: `<div><p>x</p></DIV><span>s</span>`,
      build: (rw, log) => rw.on("div", { element(e) { e.onEndTag((t) => { log.push(t.name); t.before("<!--b-->", { html: true }); t.after("after"); }); } })
        .on("p", { element(e) { e.tagName = "section"; e.onEndTag((t) => { log.push(t.name); t.name = "article"; }); } })
        .on("span", { element(e) { e.onEndTag((t) => t.remove()); } }),
      want: {"out": "<div><section>x</article><!--b--></DIV>after<span>s", "log": ["section", "div"]},
    },
    {
      name: "asyncHandlers",
      html: `<p>a</p><p>b</p><i>c</i>`,
      build: (rw, log) => rw.on("p", { async element(e) { await new Promise((r) => setTimeout(r, 5)); log.push("p"); e.setAttribute("late", "1"); } })
        .on("i", { element(e) { log.push("i"); return Promise.resolve().then(() => { log.push("i2"); e.append("!"); }); } })
        .onDocument({ async text(t) { await null; if (t.text === "b") t.replace("B"); } }),
      want: {"out": "<p late=\"1\">a</p><p late=\"1\">B</p><i>c!</i>", "log": ["p", "p", "i", "i2"]},
    },
    {
      name: "namespaces",
      html: `<svg><circle r=1/><foreignObject><p>x</p></foreignObject><style>a<b></style></svg><math><mi>x</mi></math><div></div>`,
      build: (rw, log) => rw.on("*", { element(e) { log.push([e.tagName, e.namespaceURI]); } }).onDocument({ text: tc(log) }),
      want: {"out": "<svg><circle r=1/><foreignObject><p>x</p></foreignObject><style>a<b></style></svg><math><mi>x</mi></math><div></div>", "log": [["svg", "http://www.w3.org/2000/svg"], ["circle", "http://www.w3.org/2000/svg"], ["foreignobject", "http://www.w3.org/1999/xhtml"], ["p", "http://www.w3.org/1999/xhtml"], ["t", "x", false, false], ["t", "", true, false], ["style", "http://www.w3.org/2000/svg"], ["t", "a", false, false], ["t", "", true, false], ["b", "http://www.w3.org/1999/xhtml"], ["math", "http://www.w3.org/1998/Math/MathML"], ["mi", "http://www.w3.org/1999/xhtml"], ["t", "x", false, false], ["t", "", true, false], ["div", "http://www.w3.org/1999/xhtml"]]},
    },
    {
      name: "voidAppend",
      html: `<img src=x><br><input>`,
      build: (rw, log) => rw.on("img", { element(e) { e.append("A"); e.prepend("P"); e.before("B"); e.after("F"); e.setInnerContent("I"); } })
        .on("br", { element(e) { try { e.onEndTag(() => {}); log.push("no throw"); } catch (err) { log.push(String(err)); } } }),
      want: {"out": "B<img src=x>F<br><input>", "log": ["TypeError: Parser error: No end tag."]},
    },
    {
      name: "throwing",
      html: `<p>x</p>`,
      build: (rw, log) => rw.on("p", { element() { throw new Error("boom"); } }),
      want: {"out": "REJECTED: Error: boom", "log": []},
    },
    {
      name: "thisBinding",
      html: `<p>x</p>`,
      build: (rw, log) => {
        const h = { tag: "seen", element(e) { log.push(this === h, this && this.tag); } };
        return rw.on("p", h);
      },
      want: {"out": "<p>x</p>", "log": [true, "seen"]},
    },
    {
      name: "textReplace",
      html: `<h1>Hello World</h1><p>World</p>`,
      build: (rw, log) => rw.on("h1", { text(t) { if (t.text) { t.before("["); t.after("]"); t.after(")"); t.replace(t.text.replace("World", "<There>")); } } })
        .on("p", { text(t) { if (t.text) t.replace("<b>W</b>", { html: true }); } }),
      want: {"out": "<h1>[Hello &lt;There&gt;)]</h1><p><b>W</b></p>", "log": []},
    },
    {
      name: "nonString",
      html: `<p>x</p>`,
      build: (rw, log) => rw.on("p", { element(e) { e.append(123); e.append(null); e.prepend(undefined); e.setAttribute("n", 5); log.push(e.getAttribute("n")); } }),
      want: {"out": "<p n=\"5\">undefinedx123null</p>", "log": ["5"]},
    },
    {
      name: "tagNameErr",
      html: `<p>x</p>`,
      build: (rw, log) => rw.on("p", { element(e) { for (const n of ["", "1a", "a b", "OK-Name"]) { try { e.tagName = n; log.push(["ok", n]); } catch (err) { log.push([n, String(err)]); } } } }),
      want: {"out": "<OK-Name>x</OK-Name>", "log": [["", "TypeError: Parser error: Tag name can't be empty."], ["1a", "TypeError: Parser error: The first character of the tag name should be an ASCII alphabetical character."], ["a b", "TypeError: Parser error: ` ` character is forbidden in the tag name"], ["ok", "OK-Name"]]},
    },
    {
      name: "attrNameErr",
      html: `<p>x</p>`,
      build: (rw, log) => rw.on("p", { element(e) { for (const n of ["", "a b", "a=b", "ok"]) { try { e.setAttribute(n, "v"); log.push(["ok", n]); } catch (err) { log.push([n, String(err)]); } } } }),
      want: {"out": "<p ok=\"v\">x</p>", "log": [["", "TypeError: Parser error: Attribute name can't be empty."], ["a b", "TypeError: Parser error: ` ` character is forbidden in the attribute name"], ["a=b", "TypeError: Parser error: `=` character is forbidden in the attribute name"], ["ok", "ok"]]},
    },
    {
      name: "unclosed",
      html: `<ul><li>a<li>b</ul><p>after`,
      build: (rw, log) => rw.on("li", { element(e) { e.append("!"); e.onEndTag((t) => log.push(["end", t.name])); } }).on("p", { element(e) { e.append("?"); } }).onDocument({ text: tc(log) }),
      want: {"out": "<ul><li>a<li>b!</ul><p>after", "log": [["t", "a", false, false], ["t", "", true, false], ["t", "b", false, false], ["t", "", true, false], ["end", "ul"], ["end", "ul"], ["t", "after", false, false], ["t", "", true, false]]},
    },
    {
      name: "eofTag",
      html: `<p>x</p><div class="a`,
      build: (rw, log) => rw.onDocument({ text: tc(log) }),
      want: {"out": "<p>x</p><div class=\"a", "log": [["t", "x", false, false], ["t", "", true, false]]},
    },
    {
      name: "cdata",
      html: `<svg><![CDATA[a<b]]></svg><![CDATA[x]]>`,
      build: (rw, log) => rw.onDocument({ text: tc(log), comments: (c) => log.push(["c", c.text]) }),
      want: {"out": "<svg><![CDATA[a<b]]></svg><![CDATA[x]]>", "log": [["t", "a<b", false, false], ["t", "", true, false], ["c", "[CDATA[x]]"]]},
    },
    {
      name: "order",
      html: `<div class=a><p class=a>t</p></div>`,
      build: (rw, log) => rw.on(".a", { element: (e) => log.push(["first", e.tagName]), text: (t) => log.push(["first-t", t.text]) })
        .onDocument({ text: (t) => log.push(["doc-t", t.text]) })
        .on("p", { element: (e) => log.push(["second", e.tagName]), text: (t) => log.push(["second-t", t.text]) }),
      want: {"out": "<div class=a><p class=a>t</p></div>", "log": [["first", "div"], ["first", "p"], ["second", "p"], ["first-t", "t"], ["second-t", "t"], ["doc-t", "t"], ["first-t", ""], ["second-t", ""], ["doc-t", ""]]},
    },
    {
      name: "removedDoctype",
      html: `<!DOCTYPE html><p>x</p>`,
      build: (rw, log) => rw.onDocument({ doctype: (d) => { log.push(typeof d.remove); } }),
      want: {"out": "<!DOCTYPE html><p>x</p>", "log": ["undefined"]},
    },
    {
      name: "badHandler",
      html: `<p>x</p>`,
      build: (rw, log) => { try { rw.on("p", { element: 5 }); log.push("no throw"); } catch (e) { log.push(String(e)); } try { rw.on("p", null); log.push("null ok"); } catch (e) { log.push(String(e)); } try { rw.on("p"); log.push("undef ok"); } catch (e) { log.push(String(e)); } return rw; },
      want: {"out": "<p>x</p>", "log": ["TypeError: Incorrect type for the 'element' field on 'ElementContentHandlers': the provided value is not of type 'function'.", "null ok", "TypeError: Failed to execute 'on' on 'HTMLRewriter': parameter 2 is not of type 'ElementContentHandlers'."]},
    },
    {
      name: "removedInner",
      html: `<div><!--c--><p>t</p></div>z`,
      build: (rw, log) => rw.on("div", { element(e) { e.remove(); } }).onDocument({ text: tc(log), comments: (c) => log.push(["c", c.text]) }).on("p", { element(e) { log.push(["p", e.removed]); e.before("B"); } }),
      want: {"out": "z", "log": [["c", "c"], ["p", true], ["t", "t", false, false], ["t", "", true, false], ["t", "z", false, false], ["t", "", true, false]]},
    },
    {
      name: "textRemove",
      html: `<p>abc</p><p>def</p>`,
      build: (rw, log) => rw.on("p", { text(t) { if (t.text === "abc") { t.remove(); log.push(t.removed); } if (t.text === "def") { t.after("1"); t.before("0"); t.remove(); } } }),
      want: {"out": "<p></p><p>01</p>", "log": [true]},
    },
    {
      name: "selfClose",
      html: `<p/>x<div/>y<svg><path/><g/></svg>`,
      build: (rw, log) => rw.on("*", { element(e) { e.append("A"); e.setAttribute("k", "v"); } }),
      want: {"out": "<p k=\"v\" />x<div k=\"v\" />y<svg k=\"v\"><path k=\"v\" /><g k=\"v\" />A</svg>", "log": []},
    },
    {
      name: "scriptEsc",
      html: `<script><!--<script>a</script>b--></script><script>x<!-y</script><plaintext>a<b>c`,
      build: (rw, log) => rw.onDocument({ text: tc(log) }),
      want: {"out": "<script><!--<script>a</script>b--></script><script>x<!-y</script><plaintext>a<b>c", "log": [["t", "<!--", false, false], ["t", "<script>a", false, false], ["t", "</script>b--", false, false], ["t", ">", false, false], ["t", "", true, false], ["t", "x", false, false], ["t", "<!", false, false], ["t", "-y", false, false], ["t", "", true, false], ["t", "a<b>c", false, false], ["t", "", true, false]]},
    },
    {
      name: "weird",
      html: `a</>b</ x>c<!-->d<!--->e<!--f--!>g<!--h`,
      build: (rw, log) => rw.onDocument({ text: tc(log), comments: (c) => log.push(["c", c.text]) }),
      want: {"out": "a</>b</ x>c<!-->d<!--->e<!--f--!>g<!--h", "log": [["t", "a", false, false], ["t", "", true, false], ["t", "b", false, false], ["t", "", true, false], ["c", " x"], ["t", "c", false, false], ["t", "", true, false], ["c", ""], ["t", "d", false, false], ["t", "", true, false], ["c", ""], ["t", "e", false, false], ["t", "", true, false], ["c", "f"], ["t", "g", false, false], ["t", "", true, false], ["c", "h"]]},
    },
    {
      name: "chunkedTags",
      html: ["<p cla", "ss=x>te", "xt</", "p><div>a &am", "p; b</div", "><script>x<", "/scr", "ipt>y</script>"],
      build: (rw, log) => rw.on("p", { element(e) { log.push([e.tagName, e.getAttribute("class")]); e.setAttribute("id", "1"); } }).onDocument({ text: tc(log) }).on("div", { text: tc(log, "div") }),
      want: {"out": "<p class=x id=\"1\">text</p><div>a &amp; b</div><script>x</script>y</script>", "log": [["p", "x"], ["t", "te", false, false], ["t", "xt", false, false], ["t", "", true, false], ["div", "a &am", false, false], ["t", "a &am", false, false], ["div", "p; b", false, false], ["t", "p; b", false, false], ["div", "", true, false], ["t", "", true, false], ["t", "x", false, false], ["t", "", true, false], ["t", "y", false, false], ["t", "", true, false]]},
    },
    {
      name: "endTagOrder",
      html: `<div>x</div><p>y</p>`,
      build: (rw, log) => rw.on("div", { element(e) { e.after("[el-after1]"); e.append("[append]"); e.onEndTag((t) => { t.after("[tag-after]"); t.before("[tag-before]"); }); e.after("[el-after2]"); } })
        .on("p", { element(e) { e.replace("R"); e.onEndTag((t) => { log.push(["p end", t.name]); t.after("A"); }); } }),
      want: {"out": "<div>x[append][tag-before]</div>[tag-after][el-after2][el-after1]RA", "log": [["p end", "p"]]},
    },
    {
      name: "unicode",
      html: `<p title="héllo &#x27;">ünïcødé 🎉 text</p>`,
      build: (rw, log) => rw.on("p", { element(e) { log.push(e.getAttribute("title")); e.setAttribute("data-é", "😀\"'"); e.prepend("→"); }, text(t) { log.push([t.text, t.lastInTextNode]); } }),
      want: {"out": "<p title=\"héllo &#x27;\" data-é=\"😀&quot;'\">→ünïcødé 🎉 text</p>", "log": ["héllo &#x27;", ["ünïcødé 🎉 text", false], ["", true]]},
    },
    {
      name: "multiHandlers",
      html: `<a href="/x">link</a>`,
      build: (rw, log) => rw.on("a", { element(e) { e.before("1"); e.after("1"); e.setAttribute("href", "/one"); } }).on("a[href]", { element(e) { e.before("2"); e.after("2"); log.push(e.getAttribute("href")); } }).on("*", { element(e) { e.prepend("3"); } }),
      want: {"out": "12<a href=\"/one\">3link</a>21", "log": ["/one"]},
    },
    {
      name: "strayAndVoid",
      html: `</div>a<br/>b<img src=x>c</img>d<hr>`,
      build: (rw, log) => rw.on("img", { element(e) { e.replace("<picture/>", { html: true }); log.push([e.removed]); } }).on("br", { element(e) { e.remove(); } }).onDocument({ text: tc(log) }),
      want: {"out": "</div>ab<picture/>c</img>d<hr>", "log": [["t", "a", false, false], ["t", "", true, false], ["t", "b", false, false], ["t", "", true, false], [true], ["t", "c", false, false], ["t", "", true, false], ["t", "d", false, false], ["t", "", true, false]]},
    },
    {
      name: "removeWithEndHandlers",
      html: `<div><p>a</p><span>b</span></div>after`,
      build: (rw, log) => rw.on("div", { element(e) { e.remove(); e.onEndTag((t) => { log.push(["div end", t.name]); t.after("!"); }); } }).on("p", { element(e) { e.onEndTag((t) => { log.push(["p end"]); t.before("X"); }); } }),
      want: {"out": "!after", "log": [["p end"], ["div end", "div"]]},
    },
    {
      name: "page",
      html: `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Demo &amp; test</title>
  <link rel="stylesheet" href="/style.css">
  <script src="/old.js"></script>
  <style>body { color: red; } a > b {}</style>
</head>
<body class="home">
  <!-- banner -->
  <header id="top"><h1>Welcome, <em>guest</em>!</h1></header>
  <nav><ul><li><a href="/">Home</a></li><li class="active"><a href="/about">About</a></li><li><a href="https://example.com/">Away</a></li></ul></nav>
  <main>
    <p>First paragraph with a <a href="/more">link</a>.</p>
    <p class="ad">Buy now!</p>
    <p>Last &lt;paragraph&gt;.</p>
    <img src="/a.png" alt="A"><br>
  </main>
  <footer>© 2024</footer>
</body>
</html>
`,
      build: (rw, log) => rw
        .onDocument({ doctype(d) { log.push(["doctype", d.name]); }, comments(c) { c.text = " " + c.text.trim().toUpperCase() + " "; }, end(end) { end.append("<!-- rewritten -->", { html: true }); } })
        .on("a[href^='http']", { element(e) { e.setAttribute("target", "_blank"); e.setAttribute("rel", "noopener"); } })
        .on("a", { async element(e) { await new Promise((r) => setTimeout(r, 1)); e.setAttribute("data-checked", "1"); } })
        .on("script[src]", { element(e) { e.remove(); } })
        .on("p.ad", { element(e) { e.remove(); } })
        .on("h1", { text(t) { if (t.text.includes("Welcome")) t.replace("Hello, ", { html: false }); } })
        .on("em", { element(e) { e.setInnerContent("<strong>friend</strong>", { html: true }); } })
        .on("li.active", { element(e) { e.prepend("→ "); e.append(" ←"); } })
        .on("main p:first-child", { element(e) { e.before("<section>", { html: true }); } })
        .on("main p:nth-of-type(3)", { element(e) { e.after("</section>", { html: true }); } })
        .on("title", { text(t) { log.push(["title", t.text, t.lastInTextNode]); } })
        .on("footer", { element(e) { e.removeAndKeepContent(); } })
        .on("img", { element(e) { e.setAttribute("loading", "lazy"); } })
        .on("head", { element(e) { e.append(`<meta name="x" content='y'>`, { html: true }); } })
        .on("body", { element(e) { e.onEndTag((t) => { t.before("<script>done()</script>", { html: true }); }); } }),
      want: {"out": "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>Demo &amp; test</title>\n  <link rel=\"stylesheet\" href=\"/style.css\">\n  \n  <style>body { color: red; } a > b {}</style>\n<meta name=\"x\" content='y'></head>\n<body class=\"home\">\n  <!-- BANNER -->\n  <header id=\"top\"><h1>Hello, <em><strong>friend</strong></em>!</h1></header>\n  <nav><ul><li><a href=\"/\" data-checked=\"1\">Home</a></li><li class=\"active\">→ <a href=\"/about\" data-checked=\"1\">About</a> ←</li><li><a href=\"https://example.com/\" target=\"_blank\" rel=\"noopener\" data-checked=\"1\">Away</a></li></ul></nav>\n  <main>\n    <section><p>First paragraph with a <a href=\"/more\" data-checked=\"1\">link</a>.</p>\n    \n    <p>Last &lt;paragraph&gt;.</p></section>\n    <img src=\"/a.png\" alt=\"A\" loading=\"lazy\"><br>\n  </main>\n  © 2024\n<script>done()</script></body>\n</html>\n<!-- rewritten -->", "log": [["doctype", "html"], ["title", "Demo &amp; test", false], ["title", "", true]]},
    },
  ];

  // Selectors: each is matched against selectorHTML; want lists the
  // elements it matched as [tagName, class, data-k or lang].
  const selectorHTML = `<div id=main class="a b"><p>1</p><p class=x>2</p><span>3</span><p data-k="foo-bar">4</p><p lang=en-US>5</p></div><section><div><p>deep</p></div></section><svg><a></a></svg>`;
  const selectors = [
    ["p:nth-child(2)", [["p", "x"]]],
    ["p:first-child", [["p", ""], ["p", ""]]],
    ["p:not(.x)", [["p", ""], ["p", "foo-bar"], ["p", "en-US"], ["p", ""]]],
    ["[data-k^=foo]", [["p", "foo-bar"]]],
    ["[data-k$=bar]", [["p", "foo-bar"]]],
    ["[data-k*=o-b]", [["p", "foo-bar"]]],
    ["[lang|=en]", [["p", "en-US"]]],
    ["[class~=b]", [["div", "a b"]]],
    ["div#main > p", [["p", ""], ["p", "x"], ["p", "foo-bar"], ["p", "en-US"]]],
    ["section p", [["p", ""]]],
    ["section > p", []],
    ["*", [["div", "a b"], ["p", ""], ["p", "x"], ["span", ""], ["p", "foo-bar"], ["p", "en-US"], ["section", ""], ["div", ""], ["p", ""], ["svg", ""], ["a", ""]]],
    ["p:nth-child(odd)", [["p", ""], ["p", "en-US"], ["p", ""]]],
    ["p:nth-of-type(2)", [["p", "x"]]],
    ["span:first-of-type", [["span", ""]]],
    [".a.b", [["div", "a b"]]],
    ["div.a", [["div", "a b"]]],
    ["p[class]", [["p", "x"]]],
    ["[data-k=\"foo-bar\"]", [["p", "foo-bar"]]],
    ["[lang=EN-us]", [["p", "en-US"]]],
    ["p,span", [["p", ""], ["p", "x"], ["span", ""], ["p", "foo-bar"], ["p", "en-US"], ["p", ""]]],
    ["*|a", [["a", ""]]],
    ["|a", []],
    ["P", [["p", ""], ["p", "x"], ["p", "foo-bar"], ["p", "en-US"], ["p", ""]]],
    ["p:nth-child(-n+2)", [["p", ""], ["p", "x"], ["p", ""]]],
    ["[data-k^='']", []],
    ["[class~='']", []],
    ["p:NTH-CHILD(2)", [["p", "x"]]],
    ["#MAIN", []],
    [":not(p)", [["div", "a b"], ["span", ""], ["section", ""], ["div", ""], ["svg", ""], ["a", ""]]],
    ["div :not(p)", [["span", ""]]],
    ["p:not([class])", [["p", ""], ["p", "foo-bar"], ["p", "en-US"], ["p", ""]]],
    ["svg a", [["a", ""]]],
    ["div > *", [["p", ""], ["p", "x"], ["span", ""], ["p", "foo-bar"], ["p", "en-US"], ["p", ""]]],
    ["section div p", [["p", ""]]],
    ["[id]", [["div", "a b"]]],
    ["[id=main]", [["div", "a b"]]],
  ];
  const runSelector = async (selector) => {
    const log = [];
    const rw = new HTMLRewriter().on(selector, {
      element(e) { log.push([e.tagName, e.getAttribute("class") ?? e.getAttribute("data-k") ?? e.getAttribute("lang") ?? ""]); },
    });
    await rw.transform(new Response(selectorHTML)).text();
    return log;
  };

  // Selectors lol-html refuses, with workerd's error, or "ok".
  const badSelectors = [
    ["a + b", "TypeError: Parser error: Unsupported combinator `+` in selector."],
    ["a ~ b", "TypeError: Parser error: Unsupported combinator `~` in selector."],
    ["p:hover", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    ["p::before", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    ["p:last-child", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    ["svg|a", "TypeError: Parser error: Selectors with explicit namespaces are not supported."],
    ["", "TypeError: Parser error: The selector is empty."],
    ["a >", "TypeError: Parser error: Dangling combinator in selector."],
    ["p:nth-last-child(1)", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    ["[", "TypeError: Parser error: Unexpected end of selector."],
    ["p:not(a b)", "TypeError: Parser error: Unexpected token in selector."],
    ["p:only-child", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    [":root", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    ["p:empty", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    ["a:has(b)", "TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector."],
    ["1a", "TypeError: Parser error: The selector is empty."],
    ["p:not(:not(a))", "TypeError: Parser error: Nested negation in selector."],
    ["p:first-of-type", "ok"],
    ["*|p", "ok"],
    ["|p", "ok"],
    ["[LANG=EN-us i]", "TypeError: Parser error: Selectors with explicit namespaces are not supported."],
  ];
  const tryCompile = (s) => {
    try {
      new HTMLRewriter().on(s, {});
      return "ok";
    } catch (e) {
      return String(e);
    }
  };

  // Charsets: the bytes `<p t="\xE9">\xE9\x80</p>` sent with each
  // Content-Type; the handlers read the attribute and the text and insert
  // "ü€" and "ß". want is workerd's output bytes and log, or its error.
  const charsetBytes = [60, 112, 32, 116, 61, 34, 0xe9, 34, 62, 0xe9, 0x80, 60, 47, 112, 62];
  const charsets = [
    ["text/html;charset=ISO-8859-1", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 252, 128, 34, 62, 233, 128, 223, 60, 47, 112, 62], "log": ["é", "é€", ""]}],
    ["text/html; charset=shift_jis", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 38, 35, 50, 53, 50, 59, 38, 35, 56, 51, 54, 52, 59, 34, 62, 233, 128, 38, 97, 109, 112, 59, 35, 50, 50, 51, 59, 60, 47, 112, 62], "log": ["�", "騾", ""]}],
    ["text/html; charset=utf-16", {"error": "Parser error: Expected ASCII-compatible encoding."}],
    ["text/html; charset=bogus", {"error": "Parser error: Unknown character encoding has been provided."}],
    ["text/html; charset=\"windows-1252\"", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 252, 128, 34, 62, 233, 128, 223, 60, 47, 112, 62], "log": ["é", "é€", ""]}],
    ["text/plain;charset=latin1", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 252, 128, 34, 62, 233, 128, 223, 60, 47, 112, 62], "log": ["é", "é€", ""]}],
    ["text/html;charset=utf-8", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 195, 188, 226, 130, 172, 34, 62, 239, 191, 189, 195, 159, 60, 47, 112, 62], "log": ["�", "�"]}],
    ["text/html; charset=euc-kr", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 38, 35, 50, 53, 50, 59, 162, 230, 34, 62, 38, 35, 54, 53, 53, 51, 51, 59, 169, 172, 60, 47, 112, 62], "log": ["�", "�", ""]}],
    ["text/html; charset=gb18030", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 168, 185, 162, 227, 34, 62, 233, 128, 129, 48, 137, 56, 60, 47, 112, 62], "log": ["�", "閫", ""]}],
    ["text/html; charset=koi8-r", {"out": [60, 112, 32, 116, 61, 34, 233, 34, 32, 110, 61, 34, 38, 35, 50, 53, 50, 59, 38, 35, 56, 51, 54, 52, 59, 34, 62, 233, 128, 38, 97, 109, 112, 59, 35, 50, 50, 51, 59, 60, 47, 112, 62], "log": ["И", "И─", ""]}],
  ];
  const runCharset = async (contentType) => {
    const log = [];
    try {
      const res = new HTMLRewriter()
        .on("p", { element(e) { log.push(e.getAttribute("t")); e.setAttribute("n", "ü€"); e.append("ß"); }, text(t) { log.push(t.text); } })
        .transform(new Response(new Uint8Array(charsetBytes), { headers: { "content-type": contentType } }));
      return { out: [...new Uint8Array(await res.arrayBuffer())], log };
    } catch (e) {
      return { error: e.message };
    }
  };

  // corpusRewriter is e2e/testdata/htmlrewriter's, which recorded
  // htmlrewriter_corpus.json from workerd; keep the two alike.
  const corpusRewriter = (log) => new HTMLRewriter()
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
  // runCorpus rewrites one corpus document (chunks: strings or byte arrays).
  const runCorpus = async (chunks) => {
    const log = [];
    const res = corpusRewriter(log).transform(new Response(body(chunks.map((c) => typeof c === "string" ? c : new Uint8Array(c)))));
    let out;
    try {
      out = await res.text();
    } catch (e) {
      out = `REJECTED: ${e}`;
    }
    return { out, log };
  };

  return { cases, run, selectors, runSelector, badSelectors, tryCompile, runCorpus, charsets, runCharset };
})()
