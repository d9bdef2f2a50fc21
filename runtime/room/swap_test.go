package room_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gopk/runtime/roomtest"
)

func server(version string) string {
	return fmt.Sprintf(`
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  onMessage(msg: string, conn: Party.Connection) {
    if (msg.startsWith("set ")) { conn.setState({ n: Number(msg.slice(4)) }); conn.send("ok"); return; }
    conn.send(%q + " " + msg + " state=" + JSON.stringify(conn.state) + " count=" + [...this.room.getConnections()].length);
  }
}`, version)
}

func TestSwapKeepsSocketsAndState(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": server("v1")})
	a := env.WS("/parties/main/r?_pk=a")
	b := env.WS("/parties/main/r?_pk=b")
	a.Send("set 7")
	if got := a.Next(2 * time.Second); got != "ok" {
		t.Fatalf("set: %q", got)
	}
	b.Send("hi")
	if got := b.Next(2 * time.Second); got != `v1 hi state=null count=2` {
		t.Fatalf("before swap: %q", got)
	}

	env.Rooms.Swap(env.Build(map[string]string{"party/index.ts": server("v2")}))

	// Messages sent right after the swap go to the new code, in order.
	for i := 0; i < 20; i++ {
		a.Send(fmt.Sprint(i))
	}
	for i := 0; i < 20; i++ {
		want := fmt.Sprintf(`v2 %d state={"n":7} count=2`, i)
		if got := a.Next(2 * time.Second); got != want {
			t.Fatalf("after swap, message %d: got %q want %q", i, got, want)
		}
	}
	if strings.Contains(env.Logs.String(), "level=ERROR") {
		t.Fatalf("errors logged:\n%s", env.Logs.String())
	}
}

func legacyServer(version string) string {
	return fmt.Sprintf(`
export default {
  onConnect(ws, room) {
    ws.addEventListener("message", (e) => ws.send(%q + " " + e.data));
  },
};`, version)
}

func TestSwapRelistensForListenerServers(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": legacyServer("v1")})
	a := env.WS("/parties/main/r?_pk=a")
	a.Send("x")
	if got := a.Next(2 * time.Second); got != "v1 x" {
		t.Fatalf("before swap: %q", got)
	}
	env.Rooms.Swap(env.Build(map[string]string{"party/index.ts": legacyServer("v2")}))
	a.Send("y")
	if got := a.Next(2 * time.Second); got != "v2 y" {
		t.Fatalf("after swap: %q", got)
	}
}
