package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
