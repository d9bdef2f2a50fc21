package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopk/e2e/testkit"
)

// TestEdge covers the static hooks (onBeforeConnect, onBeforeRequest,
// onFetch, onSocket) and static assets from `serve`, in PartyKit's order:
// room paths go through the onBefore* hooks; other paths try assets
// (GET/HEAD), then onFetch, then 404.html.
func TestEdge(t *testing.T) {
	s := startFixture(t, "edge")
	public := filepath.Join("testdata", "edge", "public")

	t.Run("onBeforeConnect passes the request through", func(t *testing.T) {
		c := testkit.Dial(t, s.WSURL("/parties/main/e1"), nil)
		if got := testkit.ReadText(t, c); got != `{"room":"e1","edge":null}` {
			t.Errorf("got %s, want the unmodified request in onConnect", got)
		}
	})

	t.Run("onBeforeConnect returning a Request adds a header", func(t *testing.T) {
		c := testkit.Dial(t, s.WSURL("/parties/main/e2?mode=header"), nil)
		if got := testkit.ReadText(t, c); got != `{"room":"e2","edge":"connect e2"}` {
			t.Errorf("got %s, want ctx.request to carry the hook's header", got)
		}
	})

	t.Run("onBeforeConnect returning a Response answers instead", func(t *testing.T) {
		status, body := testkit.DialRefused(t, s.WSURL("/parties/main/e3?mode=reject"), nil)
		if status != 403 || body != "onBeforeConnect rejected room e3" {
			t.Errorf("got %d %q, want 403 from the hook", status, body)
		}
	})

	t.Run("onBeforeConnect throwing answers 401", func(t *testing.T) {
		status, body := testkit.DialRefused(t, s.WSURL("/parties/main/e4?mode=throw"), nil)
		if status != 401 || body != "onBeforeConnect threw" {
			t.Errorf("got %d %q, want 401 with the message", status, body)
		}
	})

	t.Run("onBeforeRequest", func(t *testing.T) {
		cases := []struct {
			path, method, body string
			status             int
			want               string
		}{
			{"/parties/main/r1", "GET", "", 200, `{"room":"r1","method":"GET","edge":null,"body":""}`},
			{"/parties/main/r1?mode=header", "POST", "hi", 200, `{"room":"r1","method":"POST","edge":"request r1","body":"hi"}`},
			{"/parties/main/r2?mode=reject", "GET", "", 403, "onBeforeRequest rejected room r2"},
			{"/parties/main/r3?mode=throw", "PUT", "x", 401, "onBeforeRequest threw"},
		}
		for _, c := range cases {
			r := testkit.Do(t, c.method, s.URL()+c.path, c.body, nil)
			if r.Status != c.status || r.Body != c.want {
				t.Errorf("%s %s: got %d %s, want %d %s", c.method, c.path, r.Status, r.Body, c.status, c.want)
			}
		}
	})

	t.Run("onFetch answers non-room paths", func(t *testing.T) {
		r := testkit.Do(t, "POST", s.URL()+"/fetch/thing?x=1", "payload", nil)
		if r.Status != 200 || r.Body != "onFetch POST /fetch/thing?x=1 body=payload" || r.Header.Get("x-from") != "onFetch" {
			t.Errorf("got %d %q (x-from %q), want onFetch's answer", r.Status, r.Body, r.Header.Get("x-from"))
		}
	})

	t.Run("onSocket takes non-room WebSockets", func(t *testing.T) {
		c := testkit.Dial(t, s.WSURL("/socket/here"), nil)
		if got := testkit.ReadText(t, c); got != "onSocket /socket/here" {
			t.Errorf("got %q, want onSocket's greeting", got)
		}
		testkit.Send(t, c, "ping")
		if got := testkit.ReadText(t, c); got != "onSocket echo ping" {
			t.Errorf("got %q, want %q", got, "onSocket echo ping")
		}
	})

	t.Run("static assets", func(t *testing.T) {
		cases := []struct{ path, file, contentType string }{
			{"/", "index.html", "text/html"},
			{"/index.html", "index.html", "text/html"},
			{"/sub/", "sub/index.html", "text/html"},
			{"/style.css", "style.css", "text/css"},
			{"/app.js", "app.js", "javascript"},
			{"/data.json", "data.json", "application/json"},
			// Assets come before onFetch, even under a path onFetch would answer.
			{"/fetch/static.txt", "fetch/static.txt", ""},
		}
		for _, c := range cases {
			want := readFile(t, filepath.Join(public, c.file))
			r := testkit.Get(t, s.URL()+c.path)
			if r.Status != 200 || r.Body != want {
				t.Errorf("GET %s: got %d %q, want 200 with %s", c.path, r.Status, r.Body, c.file)
			}
			if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, c.contentType) {
				t.Errorf("GET %s: Content-Type %q, want %s", c.path, ct, c.contentType)
			}
		}
	})

	t.Run("HEAD of an asset has headers and no body", func(t *testing.T) {
		r := testkit.Do(t, http.MethodHead, s.URL()+"/style.css", "", nil)
		if r.Status != 200 || r.Body != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
			t.Errorf("got %d %q %v, want 200, text/css, no body", r.Status, r.Body, r.Header)
		}
	})

	t.Run("404.html for what nothing answers", func(t *testing.T) {
		notFound := readFile(t, filepath.Join(public, "404.html"))
		for _, c := range []struct{ method, path string }{
			{"GET", "/nothing"},
			{"GET", "/parties/main"},
			{"POST", "/style.css"}, // assets match GET and HEAD only
		} {
			r := testkit.Do(t, c.method, s.URL()+c.path, "", nil)
			if r.Status != 404 || r.Body != notFound {
				t.Errorf("%s %s: got %d %q, want 404 with 404.html", c.method, c.path, r.Status, r.Body)
			}
		}
	})

	t.Run("room paths still reach the room", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/main/index.html")
		var got struct{ Room string }
		if err := json.Unmarshal([]byte(r.Body), &got); r.Status != 200 || err != nil || got.Room != "index.html" {
			t.Errorf("got %d %q, want room index.html's onRequest", r.Status, r.Body)
		}
	})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
