package room_test

import (
	"fmt"
	"testing"
	"time"

	"gopk/runtime/room"
	"gopk/runtime/roomtest"
)

// Past MaxQuietVMs, idle rooms of a hibernating server give up their VM at
// once (least recently active first), long before HibernateAfter; their
// sockets stay open and the next message wakes them.
func TestQuietVMsPastTheLimitHibernateAtOnce(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": hibernatingServer},
		roomtest.Options{Rooms: room.Options{MaxQuietVMs: 2, HibernateAfter: time.Hour}})
	clients := make([]*roomtest.Client, 5)
	for i := range clients {
		clients[i] = env.WS(fmt.Sprintf("/parties/main/quiet-%d?_pk=c%d", i, i))
		clients[i].Send("hello")
		if got := clients[i].Next(5 * time.Second); got == "" {
			t.Fatalf("room %d did not answer", i)
		}
	}
	waitFor(t, "VMs past the limit to hibernate", func() bool {
		s := env.Rooms.Stats()
		return s.VMs <= 2 && s.Hibernations >= 3
	})
	if s := env.Rooms.Stats(); s.Connections != 5 {
		t.Fatalf("sockets closed by early hibernation: %+v", s)
	}
	// The first room was the least recently active: it hibernated, and a
	// message rebuilds it (starts=1 again: module state is per VM).
	clients[0].Send("again")
	if got := clients[0].Next(5 * time.Second); got != `starts=1 n=1 state={"joined":"c0"} again` {
		t.Fatalf("woken room answered %q", got)
	}
}

// A server without hibernation keeps its VM however many rooms are idle.
func TestQuietVMsLimitLeavesNonHibernatingRoomsAlone(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  onMessage(msg: string, sender: Party.Connection) { sender.send(msg); }
}`}, roomtest.Options{Rooms: room.Options{MaxQuietVMs: 1, HibernateAfter: time.Hour}})
	for i := range 3 {
		c := env.WS(fmt.Sprintf("/parties/main/keep-%d", i))
		c.Send("x")
		c.Next(5 * time.Second)
	}
	time.Sleep(200 * time.Millisecond)
	if s := env.Rooms.Stats(); s.VMs != 3 || s.Hibernations != 0 {
		t.Fatalf("non-hibernating rooms lost their VMs: %+v", s)
	}
}
