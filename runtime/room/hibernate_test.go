package room_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gopk/runtime/room"
	"gopk/runtime/roomtest"
)

const hibernatingServer = `
import type * as Party from "partykit/server";
let starts = 0; // module state: a fresh VM starts from 0 again
export default class S implements Party.Server {
  options = { hibernate: true };
  constructor(readonly room: Party.Room) {}
  onStart() { starts++; }
  onConnect(conn: Party.Connection) { conn.setState({ joined: conn.id }); }
  onMessage(msg: string, sender: Party.Connection) {
    if (msg === "big") {
      try { sender.setState({ pad: "x".repeat(4000) }); } catch (e) { sender.send("refused: " + (e as Error).message); }
      return;
    }
    const n = [...this.room.getConnections()].length;
    this.room.broadcast("starts=" + starts + " n=" + n + " state=" + JSON.stringify(sender.state) + " " + msg);
  }
}`

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHibernationFreesTheVMAndKeepsSockets(t *testing.T) {
	const n = 1000
	env := roomtest.Start(t, map[string]string{"party/index.ts": hibernatingServer},
		roomtest.Options{Rooms: room.Options{HibernateAfter: 200 * time.Millisecond}})
	clients := make([]*roomtest.Client, n)
	for i := range clients {
		clients[i] = env.WS(fmt.Sprintf("/parties/main/h?_pk=c%d", i))
	}
	waitFor(t, "all sockets in the room", func() bool { return env.Rooms.Stats().Connections == n })
	waitFor(t, "the VM to be freed", func() bool { return env.Rooms.Stats().VMs == 0 })
	st := env.Rooms.Stats()
	if st.Connections != n || st.Rooms != 1 || st.Hibernations < 1 {
		t.Fatalf("after hibernation: %+v", st)
	}

	// A message wakes the room: constructor and onStart run again, the
	// sockets are rebuilt with their state, and the broadcast reaches all.
	wake := time.Now()
	clients[7].Send("hello")
	want := fmt.Sprintf(`starts=1 n=%d state={"joined":"c7"} hello`, n)
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for _, c := range clients {
		wg.Add(1)
		go func(c *roomtest.Client) {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, b, err := c.ReadMessage()
			if err != nil || string(b) != want {
				errs <- fmt.Sprintf("%q %v", b, err)
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("a socket got %s, want %q", e, want)
	}
	t.Logf("wake + broadcast to %d took %s", n, time.Since(wake))
	if env.Rooms.Stats().VMs != 1 {
		t.Fatalf("VM not rebuilt: %+v", env.Rooms.Stats())
	}
}

func TestHibernatingStateHasPartyKitsLimit(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": hibernatingServer})
	c := env.WS("/parties/main/limit?_pk=a")
	c.Send("big")
	if got := c.Next(2 * time.Second); !strings.Contains(got, "cannot be larger than 2048 bytes") {
		t.Fatalf("got %q", got)
	}
	c.Send("after")
	if got := c.Next(2 * time.Second); !strings.Contains(got, `state={"joined":"a"}`) {
		t.Fatalf("state changed by a refused setState: %q", got)
	}
}

func TestIdleRoomIsEvicted(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": hibernatingServer},
		roomtest.Options{Rooms: room.Options{IdleTimeout: 100 * time.Millisecond}})
	c := env.WS("/parties/main/idle?_pk=a")
	c.Send("x")
	c.Next(2 * time.Second)
	if env.Rooms.Live() != 1 {
		t.Fatalf("live rooms: %d", env.Rooms.Live())
	}
	c.Close()
	waitFor(t, "the room to be evicted", func() bool { return env.Rooms.Live() == 0 })
	if st := env.Rooms.Stats(); st.VMs != 0 || st.Connections != 0 {
		t.Fatalf("after eviction: %+v", st)
	}
}
