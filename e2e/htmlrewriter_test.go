package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopk/e2e/testkit"
)

// TestHTMLRewriter rewrites documents with HTMLRewriter inside a room
// (testdata/htmlrewriter) and wants, byte for byte, the output workerd
// produced for them under `partykit dev` (recorded below), and the same
// handler calls: values, order, text chunk boundaries.
func TestHTMLRewriter(t *testing.T) {
	var source string // the page, as the room serves it with ?case=source
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Upstream", "yes")
		_, _ = io.WriteString(w, source)
	}))
	t.Cleanup(upstream.Close)
	s := startFixture(t, "htmlrewriter", "--var", "TARGET="+upstream.URL)
	room := s.URL() + "/parties/main/rewrite"

	if dir := os.Getenv("GOPK_E2E_RECORD_HTMLREWRITER"); dir != "" {
		// Saves what the target answers into dir, to record partykit dev's.
		for _, c := range []string{"page", "streamed"} {
			for suffix, q := range map[string]string{".html": "", ".log.json": "&log=1"} {
				if err := os.WriteFile(filepath.Join(dir, c+suffix), []byte(testkit.Get(t, room+"?case="+c+q).Body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	t.Run("page", func(t *testing.T) {
		r := testkit.Get(t, room+"?case=page")
		if r.Status != http.StatusOK || r.Body != wantRewrittenPage {
			t.Fatalf("HTTP %d, body\n%s\nwant\n%s", r.Status, r.Body, wantRewrittenPage)
		}
		if got := r.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q: the rewritten response should keep the original's", got)
		}
		if got := r.Header.Get("X-Origin"); got != "page" {
			t.Errorf("X-Origin %q: the rewritten response should keep the original's headers", got)
		}
		expectLog(t, testkit.Get(t, room+"?case=page&log=1").Body, wantPageLog)
	})

	t.Run("streamed body", func(t *testing.T) {
		r := testkit.Get(t, room+"?case=streamed")
		if r.Body != wantStreamed {
			t.Fatalf("body\n%s\nwant\n%s", r.Body, wantStreamed)
		}
		expectLog(t, testkit.Get(t, room+"?case=streamed&log=1").Body, wantStreamedLog)
	})

	t.Run("fetched page", func(t *testing.T) {
		source = pageSource(t, room)
		r := testkit.Get(t, room+"?case=fetched")
		if r.Status != http.StatusOK || r.Body != wantRewrittenPage {
			t.Fatalf("HTTP %d, body\n%s\nwant\n%s", r.Status, r.Body, wantRewrittenPage)
		}
		if r.Header.Get("X-Upstream") != "yes" {
			t.Errorf("headers %v: the upstream's should pass through", r.Header)
		}
	})
}

// corpusFile holds generated documents and what workerd made of each
// with the fixture's corpusRewriter. bindings/web replays it in a bare
// runtime; TestHTMLRewriterCorpus replays it through a real room.
const corpusFile = "../bindings/web/testdata/htmlrewriter_corpus.json"

type corpusCase struct {
	Chunks json.RawMessage `json:"chunks"`
	Want   json.RawMessage `json:"want"`
}

// TestHTMLRewriterCorpus sends every document of the corpus, in its
// chunks, to the fixture's corpus case and wants workerd's recorded
// output and handler log. With GOPK_E2E_RECORD_HTMLREWRITER_CORPUS=N it
// instead generates N documents and records the target's answers (run it
// with GOPK_E2E_TARGET=partykit).
func TestHTMLRewriterCorpus(t *testing.T) {
	s := startFixture(t, "htmlrewriter")
	post := func(chunks json.RawMessage) json.RawMessage {
		r := testkit.Do(t, http.MethodPost, s.URL()+"/parties/main/corpus?case=corpus", string(chunks), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("corpus case answered %d %q", r.Status, r.Body)
		}
		return json.RawMessage(r.Body)
	}
	if n := os.Getenv("GOPK_E2E_RECORD_HTMLREWRITER_CORPUS"); n != "" {
		var count int
		if _, err := fmt.Sscan(n, &count); err != nil {
			t.Fatalf("GOPK_E2E_RECORD_HTMLREWRITER_CORPUS=%q: want a count", n)
		}
		var cases []corpusCase
		for seed := 0; seed < count; seed++ {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(randomHTMLChunks(rand.New(rand.NewSource(int64(seed)))))
			chunks := json.RawMessage(strings.TrimSpace(b.String()))
			cases = append(cases, corpusCase{Chunks: chunks, Want: post(chunks)})
		}
		// One document per line keeps the file diffable.
		var data strings.Builder
		enc := json.NewEncoder(&data)
		enc.SetEscapeHTML(false)
		for i, c := range cases {
			data.WriteByte("[,"[min(i, 1)])
			_ = enc.Encode(c)
		}
		data.WriteString("]\n")
		if err := os.WriteFile(corpusFile, []byte(data.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(data, &cases); err != nil || len(cases) == 0 {
		t.Fatalf("%s: %v (%d cases)", corpusFile, err, len(cases))
	}
	differ := 0
	for i, c := range cases {
		if got := canonicalJSON(t, post(c.Chunks)); got != canonicalJSON(t, c.Want) {
			differ++
			if differ <= 5 {
				t.Errorf("document %d %s:\n got %s\nwant %s", i, c.Chunks, got, canonicalJSON(t, c.Want))
			}
		}
	}
	t.Logf("%d of %d documents match workerd's answer", len(cases)-differ, len(cases))
}

func canonicalJSON(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("bad JSON %q: %v", b, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// randomHTMLChunks makes a messy document: nested tags with every way of
// writing attributes, raw text elements, SVG and MathML, comments of every
// shape, doctypes, CDATA, stray and missing end tags, an end of input
// inside a tag; then cuts it into chunks (sometimes inside a character).
func randomHTMLChunks(r *rand.Rand) []any {
	tags := []string{"p", "div", "span", "a", "b", "i", "u", "s", "em", "q", "li", "ul", "table", "tr", "td", "script",
		"style", "title", "textarea", "svg", "math", "path", "g", "foreignObject", "desc", "mi", "mtext", "annotation-xml",
		"font", "br", "img", "input", "hr", "meta", "xmp", "noscript", "iframe", "template", "section", "h1", "P", "DIV",
		"SPAN", "Svg", "select", "option", "pre", "noembed"}
	attrs := []string{"class", "id", "href", "data-x", "DATA-X", "lang", "title", "style", "src", "x", "color", "encoding", "type"}
	values := []string{"k", "a b", "k x", "foo.png", "/x", "EN-us", "text/html", "", `q"t`, "it's", "a&amp;b", "<>", "x/", "é€"}
	texts := []string{"hello", " ", "\n  ", "a < b", "x<", "&amp;", "&lt;tag&gt;", "zap", "café ünï", "1 > 0", "<<", "a<1",
		"]]>", "--", "-->", "é", "🎉", "\t", "&", "<!", "</", "</ x", "a]b",
		"<svg><title>t<style>a<b></style></title></svg>", "<select><template><script>a<b</script></template></select>",
		`<math><mi><style>x<y</style></mi><annotation-xml encoding="text/html"><style>q<r</style></annotation-xml></math>`,
		"<font color=red><svg><p>"}
	marks := []string{"<!-- c -->", "<!--x-->", "<!---->", "<!-->", "<!--a--b-->", "<!--q--!>", "<?pi x?>", "<!bogus>",
		"</ z>", "</>", "<![CDATA[c<d]]>", "<!DOCTYPE html>", `<!doctype HTML PUBLIC "-//W3C//DTD HTML 4.01//EN">`}
	pick := func(list []string) string { return list[r.Intn(len(list))] }
	attr := func() string {
		n, v := pick(attrs), pick(values)
		switch r.Intn(6) {
		case 0:
			return n
		case 1:
			v = strings.NewReplacer(" ", "", `"`, "").Replace(v)
			if v == "" {
				v = "z"
			}
			return n + "=" + v
		case 2:
			return n + `="` + strings.ReplaceAll(v, `"`, "&quot;") + `"`
		case 3:
			return n + "='" + strings.ReplaceAll(v, "'", "") + "'"
		case 4:
			return n + ` = "` + strings.ReplaceAll(v, `"`, "") + `"`
		}
		return n + `=""`
	}
	var node func(depth int) string
	node = func(depth int) string {
		k := r.Intn(20)
		switch {
		case k < 6 || depth > 5:
			return pick(texts)
		case k < 8:
			return pick(marks)
		case k < 9:
			return "</" + pick(tags) + pick([]string{">", " >", " x=1>"})
		}
		t := pick(tags)
		parts := []string{t}
		for n := r.Intn(4); n > 0; n-- {
			parts = append(parts, attr())
		}
		start := "<" + strings.Join(parts, pick([]string{" ", " ", "  ", "\n"})) + pick([]string{">", ">", ">", "/>", " />", " >"})
		switch lt := strings.ToLower(t); lt {
		case "script":
			return start + pick([]string{"if (a<b) x='</y>';", "<!--<script>a</script>b-->", "x<!-y", "a</scriptx>b", "</SCRIPT", ""}) +
				pick([]string{"</script>", "</SCRIPT>", "</script >"})
		case "style", "title", "textarea", "xmp", "noscript", "iframe", "noembed":
			return start + pick([]string{"a<b</x>c", "T&amp;<i>", "</" + lt + "x>", ""}) + "</" + t + ">"
		}
		var inner strings.Builder
		for n := r.Intn(4); n > 0; n-- {
			inner.WriteString(node(depth + 1))
		}
		end := ""
		if r.Float64() >= 0.2 {
			end = "</" + pick([]string{t, strings.ToUpper(t), strings.ToLower(t)}) + pick([]string{">", ">", " >"})
		}
		return start + inner.String() + end
	}
	var doc strings.Builder
	for n := 2 + r.Intn(6); n > 0; n-- {
		doc.WriteString(node(0))
	}
	if r.Float64() < 0.15 {
		doc.WriteString(pick([]string{"<p cla", `<div x="1`, "<!--unterminated", "</di", "<", "<a href='x"}))
	}
	html := doc.String()
	if r.Float64() < 0.1 {
		html = strings.Replace(html, "hello", strings.Repeat("h", 1500)+strings.Repeat("é€", 400), 1)
	}
	var chunks []any
	switch k := r.Intn(10); {
	case k < 3:
		chunks = append(chunks, html)
	case k < 6: // bytes, cut anywhere
		b := []byte(html)
		for i := 0; i < len(b); {
			n := min(len(b)-i, []int{1, 2, 3, 7, 64}[r.Intn(5)])
			ints := make([]int, n)
			for j := range ints {
				ints[j] = int(b[i+j])
			}
			chunks = append(chunks, ints)
			i += n
		}
	default: // strings, cut between characters
		runes := []rune(html)
		for i := 0; i < len(runes); {
			n := min(len(runes)-i, []int{1, 2, 3, 5, 8, 13, 40, 1000}[r.Intn(8)])
			chunks = append(chunks, string(runes[i:i+n]))
			i += n
		}
	}
	return chunks
}

// pageSource is the fixture's page before rewriting.
func pageSource(t *testing.T, room string) string {
	t.Helper()
	var got struct {
		Source string `json:"source"`
	}
	r := testkit.Get(t, room+"?case=source")
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got.Source == "" {
		t.Fatalf("?case=source answered %d %q", r.Status, r.Body)
	}
	return got.Source
}

// expectLog compares the handler log the room answered with want (both
// JSON), ignoring formatting.
func expectLog(t *testing.T, body, want string) {
	t.Helper()
	var got struct {
		Log    []any `json:"log"`
		Length int   `json:"length"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("log answer %q: %v", body, err)
	}
	var w []any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	g, _ := json.Marshal(got.Log)
	wj, _ := json.Marshal(w)
	if string(g) != string(wj) {
		t.Errorf("the handlers saw\n%s\nwant (workerd)\n%s", g, wj)
	}
}

// What workerd (partykit dev 0.0.115) produced for the fixture's cases,
// saved with GOPK_E2E_TARGET=partykit GOPK_E2E_RECORD_HTMLREWRITER=<dir>.
const (
	wantRewrittenPage = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Demo &amp; test</title>
  <link rel="stylesheet" href="/style.css">
  
  <style>body { color: red; } a > b {}</style>
<meta name="x" content='y'></head>
<body class="home">
  <!-- BANNER -->
  <header id="top"><h1>Hello &amp; welcome, <em><strong>friend</strong></em>!</h1></header>
  <nav><ul><li><a href="/" data-checked="1">Home</a></li><li class="active">→ <a href="/about" data-checked="1">About</a> ←</li><li><a href="https://example.com/" target="_blank" rel="noopener" data-checked="1">Away</a></li></ul></nav>
  <main>
    <section><p>First paragraph with a <a href="/more" data-checked="1">link</a>.</p>
    
    <p>Last &lt;<em>para</em>&gt; with <b>bold</b> words.</p></section>
    <img src="/a.png" alt="say &quot;A&quot;" loading="lazy"><br>
  </main>
  © 2024 <time class="year">2024</time>
<script>done()</script></body>
</html>
<!-- rewritten -->`
	wantPageLog     = `[["doctype", "html", null, null], ["title", "Demo &amp; test", false], ["title", "", true], ["comment", " banner "], ["h1", "Welcome, ", false], ["h1", "", true], ["h1", "guest", false], ["h1", "", true], ["h1", "!", false], ["h1", "", true], ["a", "/", 1], ["a", "/about", 1], ["a", "https://example.com/", 3], ["a", "/more", 1], ["ad comment", " sponsored "], ["comment", " sponsored "], ["end tag", "body"]]`
	wantStreamed    = `<p class=x id="1">Hello world</p><div>a &amp; b</div><script>x</script><p id="1">café!</p>`
	wantStreamedLog = `[["p", "x"], ["text", "Hel", false], ["text", "lo wor", false], ["text", "ld", false], ["text", "", true], ["text", "a &am", false], ["text", "p; b", false], ["text", "", true], ["text", "x", false], ["text", "", true], ["p", null], ["text", "caf", false], ["text", "é!", false], ["text", "", true]]`
)
