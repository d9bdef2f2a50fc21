package room_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/runtime/roomtest"
)

// counterServer does what most PartyKit rooms do per message: read state,
// write it back and tell everyone.
const counterServer = `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  async onMessage(msg: string) {
    const n = ((await this.room.storage.get<number>("n")) ?? 0) + 1;
    await this.room.storage.put("n", n);
    this.room.broadcast(String(n));
  }
}`

// BenchmarkGatedMessages measures messages per second for get + put +
// broadcast with the output gate on, through the router, rooms and real
// sockets, on a store on the real disk (each turn's batch is fsynced before
// its broadcast leaves). Each room has one client that sends its next
// message when the broadcast of the last one arrives, so one room is bound
// by fsync latency; with 100 rooms their batches share fsyncs (group
// commit). ns/op is per message.
//
//	go test ./runtime/room -run '^$' -bench GatedMessages -benchtime 3000x
func BenchmarkGatedMessages(b *testing.B) {
	for _, rooms := range []int{1, 100} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			env := roomtest.Start(b, map[string]string{"party/index.ts": counterServer})
			conns := make([]*websocket.Conn, rooms)
			for i := range conns {
				conns[i] = env.WS(fmt.Sprintf("/parties/main/bench%d", i)).Conn
			}
			per := b.N/rooms + 1
			syncs0 := env.DB.Stats().Syncs
			var wg sync.WaitGroup
			errs := make(chan error, rooms)
			b.ResetTimer()
			start := time.Now()
			for _, c := range conns {
				wg.Add(1)
				go func(c *websocket.Conn) {
					defer wg.Done()
					for i := 1; i <= per; i++ {
						if err := c.WriteMessage(websocket.TextMessage, []byte("m")); err != nil {
							errs <- err
							return
						}
						_, got, err := c.ReadMessage()
						if err != nil {
							errs <- err
							return
						}
						if string(got) != fmt.Sprint(i) {
							errs <- fmt.Errorf("broadcast %q, want %d", got, i)
							return
						}
					}
				}(c)
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			msgs := float64(per * rooms)
			b.ReportMetric(msgs/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(env.DB.Stats().Syncs-syncs0)/msgs, "fsyncs/msg")
		})
	}
}
