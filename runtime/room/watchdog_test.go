package room_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/runtime/room"
	"gopk/runtime/roomtest"
)

const spinServer = `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  onMessage(msg: string, conn: Party.Connection) {
    if (msg === "spin") { while (true) {} }
    if (msg === "bomb") { const a: string[] = []; for (;;) a.push("x".repeat(1 << 16) + a.length); }
    conn.send("pong " + msg);
  }
}`

func TestRunawayEventIsInterruptedAndOthersKeepGoing(t *testing.T) {
	const budget = 300 * time.Millisecond
	env := roomtest.Start(t, map[string]string{"party/index.ts": spinServer},
		roomtest.Options{Rooms: room.Options{EventBudget: budget}})
	bad := env.WS("/parties/main/bad")
	good := env.WS("/parties/main/good")

	// A client of another room keeps getting answers while the bad room spins.
	var slowest atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			good.Send("x")
			if got := good.Next(5 * time.Second); got != "pong x" {
				t.Errorf("good room answered %q", got)
				return
			}
			if d := time.Since(start); int64(d) > slowest.Load() {
				slowest.Store(int64(d))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()

	start := time.Now()
	bad.Send("spin")
	_ = bad.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err := bad.ReadMessage()
	elapsed := time.Since(start)
	close(stop)
	<-done
	var ce *websocket.CloseError
	if !asCloseError(err, &ce) || ce.Code != 1011 {
		t.Fatalf("bad room's socket: want close 1011, got %v", err)
	}
	if !strings.Contains(ce.Text, "CPU budget") {
		t.Errorf("close reason %q does not say why", ce.Text)
	}
	if elapsed > budget+2*time.Second {
		t.Errorf("interrupted after %s, budget %s", elapsed, budget)
	}
	t.Logf("interrupted after %s (budget %s); slowest answer of the other room meanwhile %s",
		elapsed, budget, time.Duration(slowest.Load()))
	if !strings.Contains(env.Logs.String(), "CPU budget") {
		t.Errorf("no log line names the budget:\n%s", env.Logs.String())
	}

	// The bad room serves again, on a fresh VM.
	again := env.WS("/parties/main/bad")
	again.Send("y")
	if got := again.Next(2 * time.Second); got != "pong y" {
		t.Fatalf("bad room after reset: %q", got)
	}
}

func TestAllocationBombIsStopped(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": spinServer},
		roomtest.Options{Rooms: room.Options{MemoryBudget: 64 << 20, EventBudget: 20 * time.Second}})
	bad := env.WS("/parties/main/bomb")
	bad.Send("bomb")
	_ = bad.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, _, err := bad.ReadMessage()
	var ce *websocket.CloseError
	if !asCloseError(err, &ce) || ce.Code != 1011 || !strings.Contains(ce.Text, "heap") {
		t.Fatalf("want close 1011 naming the heap, got %v", err)
	}
	again := env.WS("/parties/main/bomb")
	again.Send("z")
	if got := again.Next(2 * time.Second); got != "pong z" {
		t.Fatalf("room after reset: %q", got)
	}
}

func asCloseError(err error, target **websocket.CloseError) bool {
	ce, ok := err.(*websocket.CloseError)
	if ok {
		*target = ce
	}
	return ok
}

func TestRunawayEdgeHookIsInterrupted(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  static onBeforeRequest(req: Party.Request) {
    if (new URL(req.url).searchParams.has("spin")) { while (true) {} }
    return req;
  }
  onRequest() { return new Response("ok"); }
}`}, roomtest.Options{Rooms: room.Options{EventBudget: 200 * time.Millisecond}})
	get := func(q string) (int, string) {
		resp, err := http.Get(env.Server.URL + "/parties/main/r" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("?spin"); code != 401 && code != 500 {
		t.Fatalf("spinning hook answered %d %q", code, body)
	}
	if code, body := get(""); code != 200 || body != "ok" {
		t.Fatalf("after the reset: %d %q", code, body)
	}
}

func TestResetDuringATransactionDoesNotWedgeTheRoom(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  async onMessage(msg: string, conn: Party.Connection) {
    if (msg === "txn-spin") {
      await this.room.storage.transaction(async (txn) => {
        await txn.put("k", 1);
        await new Promise((r) => setTimeout(r, 10));
        while (true) {}
      });
    }
    conn.send("pong " + msg);
  }
}`}, roomtest.Options{Rooms: room.Options{EventBudget: 200 * time.Millisecond}})
	a := env.WS("/parties/main/txn")
	a.Send("txn-spin")
	_ = a.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := a.ReadMessage(); err == nil {
		t.Fatal("expected the socket to close on reset")
	}
	b := env.WS("/parties/main/txn")
	b.Send("after")
	if got := b.Next(3 * time.Second); got != "pong after" {
		t.Fatalf("room wedged after reset: %q", got)
	}
}
