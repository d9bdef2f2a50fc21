package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestWebSocketPairInJS(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"pair talks both ways", `const {0: client, 1: server} = new WebSocketPair(); const log = []; server.accept(); client.accept(); server.addEventListener("message", e => { log.push("server got " + e.data); server.send("pong"); }); client.onmessage = e => log.push("client got " + e.data); client.send("ping"); new Promise(res => setTimeout(() => res([log, server.readyState, WebSocket.OPEN, client instanceof WebSocket, client instanceof EventTarget]), 10))`,
			`[["server got ping","client got pong"],1,1,true,true]`},
		{"events wait for accept", `const {0: c, 1: s} = new WebSocketPair(); const log = []; c.accept(); c.send("early"); s.addEventListener("message", e => log.push(e.data)); new Promise(res => setTimeout(() => { const before = log.length; s.accept(); setTimeout(() => res([before, log]), 5); }, 5))`, `[0,["early"]]`},
		{"send before accept throws", `const {1: s} = new WebSocketPair(); s.send("x")`, `throws TypeError: You must call accept() on this WebSocket before sending messages.`},
		{"binary is an ArrayBuffer", `const {0: c, 1: s} = new WebSocketPair(); c.accept(); s.accept(); new Promise(res => { s.onmessage = e => res([e.data instanceof ArrayBuffer, [...new Uint8Array(e.data)]]); c.send(new Uint8Array([1, 2])); })`, `[true,[1,2]]`},
		{"close reaches the peer", `const {0: c, 1: s} = new WebSocketPair(); c.accept(); s.accept(); new Promise(res => { c.addEventListener("close", e => res([e.code, e.reason, e.wasClean, c.readyState])); s.close(4001, "bye"); })`, `[4001,"bye",true,3]`},
		{"bad close code", `const {0: c} = new WebSocketPair(); c.close(1001)`, `throws InvalidAccessError: Failed to execute 'close' on 'WebSocket': The code must be either 1000, or between 3000 and 4999. 1001 is neither.`},
		{"101 needs the pair end", `const {0: c} = new WebSocketPair(); new Response(null, {status: 101, webSocket: c}).status`, `101`},
		{"constants", `[WebSocket.READY_STATE_OPEN, WebSocket.CLOSED, new WebSocketPair()[0].CLOSING]`, `[1,3,2]`},
	})
}

func TestWebSocketPairToGo(t *testing.T) {
	r := newTestRoom(t, Options{})
	ch := make(chan *OutgoingResponse, 1)
	r.do(func() {
		v, err := r.vm.RunString(`
			globalThis.got = [];
			const {0: client, 1: server} = new WebSocketPair();
			server.accept();
			server.send("hello from room");
			server.addEventListener("message", e => { got.push(e.data); server.send("echo:" + e.data); });
			server.addEventListener("close", e => { got.push("closed " + e.code); });
			new Response(null, {status: 101, webSocket: client});`)
		if err != nil {
			t.Fatal(err)
		}
		r.g.AwaitResponse(v, func(resp *OutgoingResponse, err error) {
			if err != nil {
				t.Error(err)
			}
			ch <- resp
		})
	})
	resp := <-ch
	end, ok := resp.WebSocket.(*WebSocketEnd)
	if resp.Status != 101 || !ok {
		t.Fatalf("101 response: status %d, WebSocket %T", resp.Status, resp.WebSocket)
	}
	sent := make(chan string, 10)
	r.do(func() {
		end.Attach(func(data []byte, binary bool) { sent <- string(data) }, func(code int, reason string) { sent <- fmt.Sprintf("close %d", code) })
		end.Deliver([]byte("from client"), false)
	})
	want := []string{"hello from room", "echo:from client"}
	for _, w := range want {
		select {
		case got := <-sent:
			if got != w {
				t.Fatalf("Go side got %q, want %q", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Go side never got %q", w)
		}
	}
	r.do(func() { end.Closed(1001, "going away") })
	time.Sleep(20 * time.Millisecond)
	if got := r.settle(`got`); got != `["from client","closed 1001"]` {
		t.Fatalf("server end saw %s", got)
	}
}

func TestOutboundWebSocket(t *testing.T) {
	up := websocket.Upgrader{Subprotocols: []string{"chat"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			kind, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			if string(data) == "bye" {
				_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4002, "server says bye"))
				return
			}
			_ = c.WriteMessage(kind, append([]byte("echo:"), data...))
		}
	}))
	defer srv.Close()
	r := newTestRoom(t, Options{})
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	got := r.settle(fmt.Sprintf(`new Promise(res => {
		const log = [];
		const ws = new WebSocket(%q, ["chat"]);
		log.push(ws.readyState);
		ws.onopen = () => { log.push("open " + ws.protocol); ws.send("hi"); ws.send(new Uint8Array([7])); };
		ws.onmessage = e => { log.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]); if (log.length === 4) ws.send("bye"); };
		ws.onclose = e => { log.push([e.code, e.reason, ws.readyState]); res(log); };
	})`, url))
	if got != `[0,"open chat","echo:hi",[101,99,104,111,58,7],[4002,"server says bye",3]]` {
		t.Fatalf("outbound socket: %s", got)
	}
	if got := r.settle(`new Promise(res => { const ws = new WebSocket("ws://127.0.0.1:1/"); const log = []; ws.onerror = () => log.push("error"); ws.onclose = e => { log.push(e.code); res(log); }; })`); got != `["error",1006]` {
		t.Fatalf("failed dial: %s", got)
	}
	if got := r.settle(`new WebSocket("ftp://x/")`); !strings.Contains(got, "SyntaxError") {
		t.Fatalf("bad scheme: %s", got)
	}
}
