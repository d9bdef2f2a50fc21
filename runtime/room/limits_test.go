package room_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/runtime/room"
	"gopk/runtime/roomtest"
)

const echoServer = `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  onMessage(msg: string, conn: Party.Connection) { conn.send("echo " + msg); }
}`

func dial(env *roomtest.Env, path string) (*websocket.Conn, error) {
	url := "ws" + strings.TrimPrefix(env.Server.URL, "http") + path
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	return c, err
}

func closeOf(c *websocket.Conn) (int, string) {
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, _, err := c.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); ok {
		return ce.Code, ce.Text
	}
	return 0, fmt.Sprint(err)
}

func TestConnectionFloodIsBounded(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": echoServer},
		roomtest.Options{Rooms: room.Options{MaxConnections: 40, MaxRoomConnections: 25}})

	// One room fills up at 25 sockets.
	var inRoom []*websocket.Conn
	for i := 0; i < 25; i++ {
		c, err := dial(env, fmt.Sprintf("/parties/main/full?_pk=%d", i))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		inRoom = append(inRoom, c)
	}
	extra, err := dial(env, "/parties/main/full?_pk=extra")
	if err != nil {
		t.Fatal(err)
	}
	if code, reason := closeOf(extra); code != 1013 || !strings.Contains(reason, "Room is full") {
		t.Fatalf("26th socket of a room: close %d %q", code, reason)
	}

	// The process fills up at 40 sockets, whatever the room.
	rejected := 0
	for i := 0; i < 30; i++ {
		c, err := dial(env, fmt.Sprintf("/parties/main/r%d", i))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if _, _, err := c.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				if ce.Code != 1013 || !strings.Contains(ce.Text, "Server is full") {
					t.Fatalf("close %d %q", ce.Code, ce.Text)
				}
				rejected++
			}
		}
	}
	if rejected != 15 {
		t.Fatalf("%d of 30 extra sockets rejected, want 15 (cap 40, 25 open)", rejected)
	}

	// Sockets already in are unaffected.
	if err := inRoom[3].WriteMessage(websocket.TextMessage, []byte("still")); err != nil {
		t.Fatal(err)
	}
	inRoom[3].SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, b, err := inRoom[3].ReadMessage(); err != nil || string(b) != "echo still" {
		t.Fatalf("existing socket: %q %v", b, err)
	}
}

func TestSlowlorisHeadersAreCutOff(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": echoServer},
		roomtest.Options{ReadHeaderTimeout: 300 * time.Millisecond})
	addr := strings.TrimPrefix(env.Server.URL, "http://")

	var slow []net.Conn
	for i := 0; i < 50; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /parties/main/x HTTP/1.1\r\nHost: x\r\n") // never finishes the headers
		slow = append(slow, c)
	}
	// Normal clients are served meanwhile.
	c := env.WS("/parties/main/ok")
	c.Send("hi")
	if got := c.Next(2 * time.Second); got != "echo hi" {
		t.Fatalf("got %q", got)
	}
	// Every slow connection is closed by the server soon after the timeout.
	deadline := time.Now().Add(5 * time.Second)
	for i, sc := range slow {
		sc.SetReadDeadline(deadline)
		buf := make([]byte, 512)
		for {
			_, err := sc.Read(buf)
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("slow connection %d still open after 5 s", i)
				}
				break // closed by the server (possibly after a 408)
			}
		}
	}
}

func TestPingsDropDeadPeersWithoutWakingHibernatedRooms(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": hibernatingServer},
		roomtest.Options{Rooms: room.Options{PingInterval: 50 * time.Millisecond, HibernateAfter: 100 * time.Millisecond}})

	// A live client answers pings (gorilla does while reading) and keeps its
	// socket; the room hibernates anyway: pings never reach JS.
	live := env.WS("/parties/main/p?_pk=live")
	go func() {
		for {
			if _, _, err := live.ReadMessage(); err != nil {
				return
			}
		}
	}()
	// A dead peer: connected, then never reads, so never answers a ping.
	dead, err := dial(env, "/parties/main/p?_pk=dead")
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	waitFor(t, "hibernation", func() bool { return env.Rooms.Stats().VMs == 0 })
	waitFor(t, "the dead peer to be dropped", func() bool { return env.Rooms.Stats().Connections == 1 })
	time.Sleep(300 * time.Millisecond) // several ping rounds
	if st := env.Rooms.Stats(); st.VMs != 0 || st.Connections != 1 {
		t.Fatalf("pings woke the room or dropped the live peer: %+v", st)
	}
}

func TestOnFetchCanAnswerWithAWebSocketPair(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  static onFetch(req: Party.Request) {
    if (req.headers.get("Upgrade") !== "websocket") return new Response("plain " + new URL(req.url).pathname);
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair);
    server.accept();
    server.send("welcome");
    server.addEventListener("message", (e: MessageEvent) => server.send("pair echo " + e.data));
    return new Response(null, { status: 101, webSocket: client });
  }
}`})
	c := env.WS("/socket.io/")
	if got := c.Next(2 * time.Second); got != "welcome" {
		t.Fatalf("first frame %q", got)
	}
	c.Send("hi")
	if got := c.Next(2 * time.Second); got != "pair echo hi" {
		t.Fatalf("echo %q", got)
	}
}
