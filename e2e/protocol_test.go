package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/e2e/testkit"
)

// uuidV4 is the form of crypto.randomUUID().
var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

type welcome struct {
	Type        string          `json:"type"`
	ID          string          `json:"id"`
	URI         string          `json:"uri"`
	RequestURL  string          `json:"requestUrl"`
	Room        string          `json:"room"`
	Party       string          `json:"party"`
	State       json.RawMessage `json:"state"`
	Connections []string        `json:"connections"`
}

// roomInfo is what the main party's onRequest answers by default.
type roomInfo struct {
	Room        string   `json:"room"`
	Party       string   `json:"party"`
	Method      string   `json:"method"`
	URL         string   `json:"url"`
	Body        string   `json:"body"`
	Connections []string `json:"connections"`
}

func dialWelcome(t *testing.T, s *testkit.Server, path string) (*websocket.Conn, welcome) {
	t.Helper()
	c := testkit.Dial(t, s.WSURL(path), nil)
	var w welcome
	testkit.ReadJSON(t, c, &w)
	if w.Type != "welcome" {
		t.Fatalf("first frame on %s: got %+v, want the welcome frame sent by onConnect", path, w)
	}
	return c, w
}

func getInfo(t *testing.T, s *testkit.Server, path string) roomInfo {
	t.Helper()
	r := testkit.Get(t, s.URL()+path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %q", path, r.Status, r.Body)
	}
	var info roomInfo
	if err := json.Unmarshal([]byte(r.Body), &info); err != nil {
		t.Fatalf("GET %s: body %q: %v", path, r.Body, err)
	}
	return info
}

func TestProtocol(t *testing.T) {
	s := startFixture(t, "protocol")

	t.Run("welcome frame, id and uri from _pk", func(t *testing.T) {
		path := "/parties/main/welcome1?_pk=abc&x=1"
		_, w := dialWelcome(t, s, path)
		want := welcome{Type: "welcome", ID: "abc", URI: s.URL() + path, RequestURL: s.URL() + path,
			Room: "welcome1", Party: "main", State: json.RawMessage("null"), Connections: []string{"abc"}}
		if fmt.Sprint(w) != fmt.Sprint(want) {
			t.Errorf("welcome:\n got %+v\nwant %+v", w, want)
		}
	})

	t.Run("id without _pk is a UUID v4", func(t *testing.T) {
		_, a := dialWelcome(t, s, "/parties/main/welcome2")
		_, b := dialWelcome(t, s, "/parties/main/welcome2")
		for _, w := range []welcome{a, b} {
			if !uuidV4.MatchString(w.ID) {
				t.Errorf("id %q is not a UUID v4", w.ID)
			}
			if w.URI != s.URL()+"/parties/main/welcome2" {
				t.Errorf("uri %q, want %q", w.URI, s.URL()+"/parties/main/welcome2")
			}
		}
		if a.ID == b.ID {
			t.Errorf("two connections got the same id %q", a.ID)
		}
		if want := []string{a.ID, b.ID}; !sameSet(b.Connections, want) {
			t.Errorf("second connection sees %v in getConnections(), want %v", b.Connections, want)
		}
	})

	t.Run("broadcast includes the sender", func(t *testing.T) {
		a, _ := dialWelcome(t, s, "/parties/main/bcast?_pk=a")
		b, _ := dialWelcome(t, s, "/parties/main/bcast?_pk=b")
		testkit.Send(t, a, "bcast:hi all")
		for name, c := range map[string]*websocket.Conn{"sender": a, "other": b} {
			if got := testkit.ReadText(t, c); got != "from a: hi all" {
				t.Errorf("%s got %q, want %q", name, got, "from a: hi all")
			}
		}
	})

	t.Run("binary broadcast stays binary", func(t *testing.T) {
		a, _ := dialWelcome(t, s, "/parties/main/binary?_pk=a")
		b, _ := dialWelcome(t, s, "/parties/main/binary?_pk=b")
		payload := []byte{0, 1, 2, 0xff, 0xfe, 'x'}
		testkit.SendFrame(t, b, websocket.BinaryMessage, payload)
		for name, c := range map[string]*websocket.Conn{"sender": b, "other": a} {
			typ, data := testkit.Read(t, c)
			if typ != websocket.BinaryMessage || string(data) != string(payload) {
				t.Errorf("%s got frame type %d %v, want binary %v", name, typ, data, payload)
			}
		}
	})

	t.Run("broadcast with an exclusion list", func(t *testing.T) {
		a, _ := dialWelcome(t, s, "/parties/main/exclude?_pk=a")
		b, _ := dialWelcome(t, s, "/parties/main/exclude?_pk=b")
		c, _ := dialWelcome(t, s, "/parties/main/exclude?_pk=c")
		testkit.Send(t, a, "bcast-others:not for a")
		for _, conn := range []*websocket.Conn{b, c} {
			if got := testkit.ReadText(t, conn); got != "from a: not for a" {
				t.Errorf("got %q, want %q", got, "from a: not for a")
			}
		}
		// The next frame a gets must be the answer to its own command, not the broadcast.
		testkit.Send(t, a, "count")
		if got := testkit.ReadText(t, a); !strings.HasPrefix(got, "handled:") {
			t.Errorf("excluded sender got %q, want only the reply to count", got)
		}
	})

	t.Run("server close code and reason reach the client", func(t *testing.T) {
		c, _ := dialWelcome(t, s, "/parties/main/close")
		testkit.Send(t, c, "close:asked to close")
		ce, before := testkit.ExpectClose(t, c)
		if ce.Code != 4001 || ce.Text != "asked to close" || len(before) != 0 {
			t.Errorf("got close %d %q after %q, want 4001 %q", ce.Code, ce.Text, before, "asked to close")
		}
	})

	t.Run("throwing onConnect upgrades then closes 1011 with the message", func(t *testing.T) {
		c := testkit.Dial(t, s.WSURL("/parties/main/throwconn?throw=connect"), nil)
		ce, before := testkit.ExpectClose(t, c)
		if ce.Code != websocket.CloseInternalServerErr || ce.Text != "onConnect failed on purpose" {
			t.Errorf("got close %d %q, want 1011 %q", ce.Code, ce.Text, "onConnect failed on purpose")
		}
		if len(before) != 0 {
			t.Errorf("got frames %q before the close, want none", before)
		}
	})

	t.Run("throwing onMessage keeps socket and room alive", func(t *testing.T) {
		a, _ := dialWelcome(t, s, "/parties/main/throwmsg?_pk=a")
		b, _ := dialWelcome(t, s, "/parties/main/throwmsg?_pk=b")
		testkit.Send(t, a, "count")
		if got := testkit.ReadText(t, a); got != "handled:1" {
			t.Fatalf("got %q, want handled:1", got)
		}
		testkit.Send(t, a, "throw")
		testkit.Send(t, a, "count")
		// The room kept its in-memory counter: it was not restarted.
		if got := testkit.ReadText(t, a); got != "handled:3" {
			t.Errorf("after a throw the sender got %q, want handled:3", got)
		}
		testkit.Send(t, b, "count")
		if got := testkit.ReadText(t, b); got != "handled:4" {
			t.Errorf("other client got %q, want handled:4", got)
		}
	})

	t.Run("throwing onRequest answers 500 with the message", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/main/req?op=throw")
		if r.Status != 500 || r.Body != "onRequest failed on purpose" {
			t.Errorf("got %d %q, want 500 %q", r.Status, r.Body, "onRequest failed on purpose")
		}
	})

	t.Run("numeric error code becomes the status", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/main/req?op=throwcode")
		if r.Status != 418 || r.Body != "I'm a teapot" {
			t.Errorf("got %d %q, want 418 %q", r.Status, r.Body, "I'm a teapot")
		}
	})

	t.Run("party without onRequest answers 500", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/norequest/r1")
		if r.Status != 500 || r.Body != "No onRequest handler" {
			t.Errorf("got %d %q, want 500 %q", r.Status, r.Body, "No onRequest handler")
		}
	})

	t.Run("unknown party is 404 for HTTP and WebSocket", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/nope/r1")
		if r.Status != 404 || r.Body != "Party nope not found" {
			t.Errorf("HTTP got %d %q, want 404 %q", r.Status, r.Body, "Party nope not found")
		}
		status, body := testkit.DialRefused(t, s.WSURL("/parties/nope/r1"), nil)
		if status != 404 || body != "Party nope not found" {
			t.Errorf("WebSocket got %d %q, want 404 %q", status, body, "Party nope not found")
		}
	})

	t.Run("non-room paths are 404 Not found", func(t *testing.T) {
		for _, path := range []string{"/", "/parties/main", "/parties/main/", "/nothing/here"} {
			r := testkit.Get(t, s.URL()+path)
			if r.Status != 404 || r.Body != "Not found" {
				t.Errorf("GET %s: got %d %q, want 404 %q", path, r.Status, r.Body, "Not found")
			}
		}
		status, body := testkit.DialRefused(t, s.WSURL("/not-a-room"), nil)
		if status != 404 || body != "Not found" {
			t.Errorf("WebSocket to /not-a-room: got %d %q, want 404 %q", status, body, "Not found")
		}
	})

	t.Run("/party/:room is the main party", func(t *testing.T) {
		info := getInfo(t, s, "/party/short1?q=2")
		if info.Room != "short1" || info.Party != "main" || info.URL != s.URL()+"/party/short1?q=2" {
			t.Errorf("HTTP got %+v, want room short1 of main with the full URL", info)
		}
		_, w := dialWelcome(t, s, "/party/short1?_pk=s")
		if w.Room != "short1" || w.Party != "main" || w.ID != "s" {
			t.Errorf("WebSocket got %+v, want room short1 of main, id s", w)
		}
	})

	t.Run("room id is the raw undecoded segment", func(t *testing.T) {
		info := getInfo(t, s, "/parties/main/my%20room")
		if info.Room != "my%20room" {
			t.Errorf("room id %q, want %q", info.Room, "my%20room")
		}
		_, w := dialWelcome(t, s, "/parties/main/my%20room")
		if w.Room != "my%20room" {
			t.Errorf("WebSocket room id %q, want %q", w.Room, "my%20room")
		}
	})

	t.Run("sub-path reaches the room with the full URL", func(t *testing.T) {
		c, _ := dialWelcome(t, s, "/parties/main/subroom?_pk=listener")
		info := getInfo(t, s, "/parties/main/subroom/sub/path?q=1")
		if info.Room != "subroom" || info.URL != s.URL()+"/parties/main/subroom/sub/path?q=1" {
			t.Errorf("got %+v, want room subroom and the full URL", info)
		}
		// Same room instance: it sees the socket opened on /parties/main/subroom.
		if !slices.Equal(info.Connections, []string{"listener"}) {
			t.Errorf("room behind the sub-path sees connections %v, want [listener]", info.Connections)
		}
		_ = c
	})

	t.Run("any method reaches onRequest with its body", func(t *testing.T) {
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			body := ""
			if method != "GET" {
				body = "body of " + method
			}
			r := testkit.Do(t, method, s.URL()+"/parties/main/methods", body, nil)
			var info roomInfo
			if err := json.Unmarshal([]byte(r.Body), &info); r.Status != 200 || err != nil {
				t.Errorf("%s: got %d %q", method, r.Status, r.Body)
				continue
			}
			if info.Method != method || info.Body != body {
				t.Errorf("%s: onRequest saw %s with body %q, want body %q", method, info.Method, info.Body, body)
			}
		}
		r := testkit.Do(t, "HEAD", s.URL()+"/parties/main/methods", "", nil)
		if r.Status != 200 || r.Body != "" {
			t.Errorf("HEAD: got %d %q, want 200 and no body", r.Status, r.Body)
		}
	})

	t.Run("onClose runs after the connection left getConnections", func(t *testing.T) {
		a, _ := dialWelcome(t, s, "/parties/main/closing?_pk=a")
		dialWelcome(t, s, "/parties/main/closing?_pk=b")
		a.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, "bye"), time.Now().Add(time.Second))
		type closed struct {
			ID        string   `json:"id"`
			Remaining []string `json:"remaining"`
		}
		var got []closed
		testkit.Eventually(t, 10*time.Second, func() (bool, string) {
			r := testkit.Get(t, s.URL()+"/parties/main/closing?op=closed")
			got = nil
			json.Unmarshal([]byte(r.Body), &got)
			return len(got) > 0, r.Body
		})
		if len(got) != 1 || got[0].ID != "a" || !slices.Equal(got[0].Remaining, []string{"b"}) {
			t.Errorf("onClose saw %+v, want id a with remaining [b]", got)
		}
	})

	t.Run("connection tags select connections", func(t *testing.T) {
		a, _ := dialWelcome(t, s, "/parties/main/tags?_pk=a&tag=red&tag=blue")
		dialWelcome(t, s, "/parties/main/tags?_pk=b&tag=red")
		dialWelcome(t, s, "/parties/main/tags?_pk=c")
		for tag, want := range map[string][]string{"red": {"a", "b"}, "blue": {"a"}, "green": {}, "c": {"c"}} {
			testkit.Send(t, a, "tagged:"+tag)
			var got []string
			testkit.ReadJSON(t, a, &got)
			if !sameSet(got, want) {
				t.Errorf("getConnections(%q) = %v, want %v", tag, got, want)
			}
		}
	})

	t.Run("setState and state", func(t *testing.T) {
		a, w := dialWelcome(t, s, "/parties/main/state?_pk=a")
		b, _ := dialWelcome(t, s, "/parties/main/state?_pk=b")
		if string(w.State) != "null" {
			t.Errorf("initial state %s, want null", w.State)
		}
		steps := []struct {
			conn       *websocket.Conn
			send, want string
		}{
			{a, "setstate:blue", `{"value":"blue"}`},
			{a, "bumpstate", `{"returned":{"value":"blue","n":1},"state":{"value":"blue","n":1}}`},
			{a, "bumpstate", `{"returned":{"value":"blue","n":2},"state":{"value":"blue","n":2}}`},
			{b, "getstate", `null`},
			{a, "getstate", `{"value":"blue","n":2}`},
		}
		for _, step := range steps {
			testkit.Send(t, step.conn, step.send)
			if got := testkit.ReadText(t, step.conn); got != step.want {
				t.Errorf("%s: got %s, want %s", step.send, got, step.want)
			}
		}
	})

	t.Run("legacy object server with addEventListener", func(t *testing.T) {
		c := testkit.Dial(t, s.WSURL("/parties/legacy/lg1"), nil)
		if got := testkit.ReadText(t, c); got != "legacy-hello room=lg1 party=legacy" {
			t.Errorf("got %q, want the legacy hello", got)
		}
		testkit.Send(t, c, "ping")
		if got := testkit.ReadText(t, c); got != "legacy-echo ping" {
			t.Errorf("got %q, want %q", got, "legacy-echo ping")
		}
	})

	t.Run("legacy object server with onMessage", func(t *testing.T) {
		a := testkit.Dial(t, s.WSURL("/parties/legacymsg/lm1?_pk=a"), nil)
		b := testkit.Dial(t, s.WSURL("/parties/legacymsg/lm1?_pk=b"), nil)
		for _, c := range []*websocket.Conn{a, b} {
			if got := testkit.ReadText(t, c); got != "legacymsg-hello room=lm1" {
				t.Errorf("got %q, want the legacymsg hello", got)
			}
		}
		testkit.Send(t, b, "yo")
		for _, c := range []*websocket.Conn{a, b} {
			if got := testkit.ReadText(t, c); got != "legacymsg yo from=b room=lm1" {
				t.Errorf("got %q, want %q", got, "legacymsg yo from=b room=lm1")
			}
		}
	})

	t.Run("context.parties fetch reaches the other party past its hooks", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/main/caller?op=callother")
		want := "200 other room=o1 party=other POST " + s.URL() + "/parties/other/o1/sub?q=1 body=hello other"
		if r.Status != 200 || r.Body != want {
			t.Errorf("got %d %q\nwant 200 %q", r.Status, r.Body, want)
		}
	})

	t.Run("context.parties socket reaches the other party past its hooks", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/main/caller?op=socketother")
		m := regexp.MustCompile(`^other-welcome room=o2 party=other id=(.+)$`).FindStringSubmatch(r.Body)
		if r.Status != 200 || m == nil || !uuidV4.MatchString(m[1]) {
			t.Errorf("got %d %q, want other's welcome with a UUID id", r.Status, r.Body)
		}
	})

	t.Run("other party's edge hooks guard outside traffic", func(t *testing.T) {
		r := testkit.Get(t, s.URL()+"/parties/other/o1")
		if r.Status != 401 || r.Body != "other refuses outside requests" {
			t.Errorf("HTTP got %d %q, want 401 from other's onBeforeRequest", r.Status, r.Body)
		}
		status, body := testkit.DialRefused(t, s.WSURL("/parties/other/o1"), nil)
		if status != 401 || body != "other refuses outside sockets" {
			t.Errorf("WebSocket got %d %q, want 401 from other's onBeforeConnect", status, body)
		}
	})

	for _, check := range socketChecks {
		t.Run(check.name, func(t *testing.T) { check.run(t, s) })
	}
}

func sameSet(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
