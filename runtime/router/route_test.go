package router

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		path        string
		party, room string
		ok          bool
	}{
		{"/parties/main/r1", "main", "r1", true},
		{"/parties/main/r1/sub/path", "main", "r1", true},
		{"/parties/chat/my%20room", "chat", "my%20room", true},
		{"/parties/main/a%2Fb", "main", "a%2Fb", true},
		{"/party/r2", "main", "r2", true},
		{"/party/r2/x", "main", "r2", true},
		{"/parties/main", "", "", false},
		{"/parties/main/", "", "", false},
		{"/parties//r", "", "", false},
		{"/party/", "", "", false},
		{"/", "", "", false},
		{"/partiesx/main/r", "", "", false},
		{"/parties/main//x", "", "", false},
	}
	for _, c := range cases {
		r, ok := Parse(c.path)
		if ok != c.ok || r.Party != c.party || r.Room != c.room {
			t.Errorf("Parse(%q) = %+v, %v; want %s/%s, %v", c.path, r, ok, c.party, c.room, c.ok)
		}
	}
}

// FuzzParse checks the route parser's invariants on any path: it never
// panics, a room route has a non-empty party and room with no slash, and the
// path really starts with that party and room.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/parties/main/r", "/party/x/y", "/parties//", "/parties/a/%2F/..", "/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		r, ok := Parse(path)
		if !ok {
			if r != (Route{}) {
				t.Fatalf("no route but %+v", r)
			}
			return
		}
		if r.Party == "" || r.Room == "" || strings.Contains(r.Party, "/") || strings.Contains(r.Room, "/") {
			t.Fatalf("bad route %+v from %q", r, path)
		}
		prefix := "/parties/" + r.Party + "/" + r.Room
		if strings.HasPrefix(path, "/party/") {
			prefix = "/party/" + r.Room
		}
		if !strings.HasPrefix(path, prefix) {
			t.Fatalf("route %+v is not a prefix of %q", r, path)
		}
		if rest := path[len(prefix):]; rest != "" && rest[0] != '/' {
			t.Fatalf("room %q cut mid-segment in %q", r.Room, path)
		}
	})
}

func TestCleanPath(t *testing.T) {
	cases := map[string]string{
		"/parties/main/r":         "/parties/main/r",
		"/parties/main/..":        "/parties/",
		"/parties/main/%2E%2E":    "/parties/",
		"/parties/main/.%2e/x":    "/parties/x",
		"/parties/main/./r":       "/parties/main/r",
		"/parties/main/a..b":      "/parties/main/a..b",
		"/parties/main/%2Fx":      "/parties/main/%2Fx",
		"/../../etc":              "/etc",
		"/a/b/.":                  "/a/b/",
		"/":                       "/",
		"/parties/main/r/%2e%2e/": "/parties/main/",
	}
	for in, want := range cases {
		if got := CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}
