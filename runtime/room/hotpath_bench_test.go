package room_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/runtime/roomtest"
)

// Micro-benchmarks of the runtime's hot paths, in process over real
// loopback sockets (the side-by-side numbers come from cmd/gopk-bench):
//
//	go test ./runtime/room -run '^$' -bench 'Hot' -benchmem

const hotServer = `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  onConnect(conn: Party.Connection) { if (this.room.id.startsWith("new")) conn.send("hi"); }
  onMessage(msg: string, sender: Party.Connection) {
    if (msg.startsWith("{")) {
      const m = JSON.parse(msg);
      sender.send(JSON.stringify({ id: m.id, n: m.items.length }));
      return;
    }
    this.room.broadcast(msg);
  }
}`

func hotEnv(b *testing.B) *roomtest.Env {
	return roomtest.Start(b, map[string]string{"party/index.ts": hotServer})
}

// BenchmarkHotBroadcast: one message broadcast to a room of 100 sockets,
// until every socket has read it (one op = 100 deliveries).
func BenchmarkHotBroadcast(b *testing.B) {
	const sockets = 100
	e := hotEnv(b)
	conns := make([]*roomtest.Client, sockets)
	for i := range conns {
		conns[i] = e.WS(fmt.Sprintf("/parties/main/bcast?_pk=c%d", i))
	}
	// Every socket reads b.N frames on its own goroutine. The sender keeps
	// at most 64 messages in flight (it reads its own copies), so no
	// socket's send queue overflows.
	window := make(chan struct{}, 64)
	var wg sync.WaitGroup
	errs := make(chan error, sockets)
	start := make(chan struct{})
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_ = c.SetReadDeadline(time.Now().Add(time.Minute))
			for range b.N {
				if _, _, err := c.ReadMessage(); err != nil {
					errs <- err
					return
				}
				if i == 0 {
					<-window
				}
			}
		}()
	}
	msg := []byte("broadcast " + strings.Repeat("x", 64))
	b.ReportAllocs()
	b.ResetTimer()
	close(start)
	for range b.N {
		window <- struct{}{}
		if err := conns[0].WriteMessage(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*sockets), "ns/delivery")
}

// BenchmarkHotEventDispatch: a JSON message into onMessage and its answer
// back out, one at a time (the path of every event).
func BenchmarkHotEventDispatch(b *testing.B) {
	e := hotEnv(b)
	c := e.WS("/parties/main/echo?_pk=e")
	msg := []byte(`{"id":1,"items":[{"name":"a","v":1},{"name":"b","v":2},{"name":"c","v":3}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
		if got := c.Next(10 * time.Second); got != `{"id":1,"n":3}` {
			b.Fatalf("answer %q", got)
		}
	}
}

// BenchmarkHotRoomStart: a socket to a room nobody used yet, until the first
// frame from its onConnect (VM start, module evaluation, constructor).
func BenchmarkHotRoomStart(b *testing.B) {
	e := hotEnv(b)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		c := e.WS(fmt.Sprintf("/parties/main/new-%d", i))
		if got := c.Next(10 * time.Second); got != "hi" {
			b.Fatalf("first frame %q", got)
		}
		c.Close()
	}
}
