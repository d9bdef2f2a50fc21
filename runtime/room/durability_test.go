package room_test

// The storage promises of Durable Objects, checked through the whole runtime
// (router, room actor, output gate, storage binding, Pebble) rather than on
// the store or the binding alone:
//
//   - output gate: nothing a turn shows after a write (a frame, a broadcast,
//     an HTTP response) leaves before that write is durable; a WAL fsync held
//     back with storetest.SyncGate must hold the output back too;
//   - coalescing: the puts of one turn are one batch, so a crash keeps all of
//     them or none, and never an acknowledged one less.

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"
	"github.com/gorilla/websocket"

	"gopk/runtime/roomtest"
	"gopk/store/storetest"
)

// gateServer shows writes in every way a room can: frames before and after a
// write in the same turn, a read in a later turn, a broadcast and an HTTP
// response.
const gateServer = `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  async onConnect(conn: Party.Connection) {
    if (conn.id.startsWith("writer")) {
      this.room.storage.put("joined", conn.id);
      conn.send("welcome " + conn.id);
    }
  }
  async onMessage(msg: string, sender: Party.Connection) {
    const [cmd, arg] = msg.split(" ");
    switch (cmd) {
      case "write":
        sender.send("before " + arg); // nothing written yet in this turn
        this.room.storage.put("k", arg);
        sender.send("after " + arg);  // shows the write
        break;
      case "read": // writes nothing, but shows what an earlier turn wrote
        sender.send("read " + (await this.room.storage.get("k")));
        break;
      case "broadcast":
        this.room.storage.put("k", arg);
        this.room.broadcast("bc " + arg, [sender.id]);
        break;
      case "txn": // a frame sent inside a transaction, after its write
        await this.room.storage.transaction(async (txn) => {
          await txn.put("k", arg);
          sender.send("in-txn " + arg);
        });
        sender.send("after-txn " + arg);
        break;
      case "rollback": // a frame sent inside a transaction that is rolled back
        await this.room.storage.transaction(async (txn) => {
          await txn.put("k", arg);
          sender.send("in-rolled-back " + arg);
          txn.rollback();
        });
        sender.send("after-rollback " + arg);
        break;
      case "echo":
        sender.send("echo " + arg);
        break;
    }
  }
  async onRequest(req: Party.Request) {
    if (req.method === "POST") {
      await this.room.storage.put("k", await req.text());
      return new Response("stored");
    }
    return new Response(String(await this.room.storage.get("k")));
  }
}`

// heldFor is how long a test watches for output that must not come. A broken
// gate sends at once (the store is in memory), so this is generous.
const heldFor = 300 * time.Millisecond

// startGated serves files on an in-memory store whose WAL fsyncs the
// returned gate can hold back.
func startGated(t *testing.T, files map[string]string) (*roomtest.Env, *storetest.SyncGate) {
	t.Helper()
	gate := storetest.NewSyncGate(vfs.NewMem())
	env := roomtest.Start(t, files, roomtest.Options{StoreFS: gate})
	t.Cleanup(gate.Release) // runs before the Env's cleanup, whose Close syncs
	return env, gate
}

func TestOutputGateHoldsFramesUntilTheWriteIsDurable(t *testing.T) {
	env, gate := startGated(t, map[string]string{"party/index.ts": gateServer})
	a := listen(t, env, "/parties/main/g?_pk=a")
	other := listen(t, env, "/parties/main/elsewhere?_pk=o")

	gate.Hold()
	a.send(t, "write 1")
	if got := a.next(t); got != "before 1" {
		t.Fatalf("got %q, want the frame sent before the write, which has nothing to wait for", got)
	}
	eventually(t, "the turn's batch to wait in fsync", func() bool { return gate.Waiting() > 0 })
	a.send(t, "read")
	// The runtime is not stalled: a room with nothing to wait for answers.
	other.send(t, "echo x")
	if got := other.next(t); got != "echo x" {
		t.Fatalf("other room: got %q, want its echo while the first room's fsync is held", got)
	}
	a.none(t, heldFor, "while its write's fsync is held")

	released := time.Now()
	gate.Release()
	if got := a.next(t); got != "after 1" {
		t.Fatalf("got %q after release, want the held frame", got)
	}
	if got := a.next(t); got != "read 1" {
		t.Fatalf("got %q, want the later turn's frame after the held one", got)
	}
	t.Logf("held frames arrived %v after the fsync was released", time.Since(released).Round(time.Microsecond))
}

func TestOutputGateHoldsFramesSentInOnConnect(t *testing.T) {
	env, gate := startGated(t, map[string]string{"party/index.ts": gateServer})
	gate.Hold()
	type dialed struct {
		conn *websocket.Conn
		err  error
	}
	done := make(chan dialed, 1)
	go func() {
		c, _, err := websocket.DefaultDialer.Dial(wsURL(env, "/parties/main/c?_pk=writer1"), nil)
		done <- dialed{c, err}
	}()
	eventually(t, "onConnect's batch to wait in fsync", func() bool { return gate.Waiting() > 0 })
	frames := make(chan string, 1)
	go func() {
		d := <-done
		if d.err != nil {
			frames <- "dial: " + d.err.Error()
			return
		}
		defer d.conn.Close()
		_ = d.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, b, err := d.conn.ReadMessage()
		if err != nil {
			frames <- "read: " + err.Error()
			return
		}
		frames <- string(b)
	}()
	select {
	case f := <-frames:
		t.Fatalf("got %q while onConnect's write was not durable", f)
	case <-time.After(heldFor):
	}
	gate.Release()
	select {
	case f := <-frames:
		if f != "welcome writer1" {
			t.Fatalf("got %q, want the welcome frame", f)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("welcome frame still held after the fsync was released")
	}
}

func TestOutputGateHoldsFramesSentInsideATransaction(t *testing.T) {
	env, gate := startGated(t, map[string]string{"party/index.ts": gateServer})
	a := listen(t, env, "/parties/main/t?_pk=a")

	gate.Hold()
	a.send(t, "txn 3")
	eventually(t, "the transaction's batch to wait in fsync", func() bool { return gate.Waiting() > 0 })
	a.none(t, heldFor, "while the transaction's write is not durable")
	gate.Release()
	for _, want := range []string{"in-txn 3", "after-txn 3"} {
		if got := a.next(t); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// A frame that followed a rolled-back write has nothing to wait for: it
// must leave even though no batch is flushed for it.
func TestRolledBackTransactionDoesNotHoldFrames(t *testing.T) {
	env, gate := startGated(t, map[string]string{"party/index.ts": gateServer})
	a := listen(t, env, "/parties/main/rb?_pk=a")
	gate.Hold() // a frame that waited for a flush would now wait forever
	a.send(t, "rollback 4")
	for _, want := range []string{"in-rolled-back 4", "after-rollback 4"} {
		if got := a.next(t); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	gate.Release()
}

func TestOutputGateHoldsBroadcasts(t *testing.T) {
	env, gate := startGated(t, map[string]string{"party/index.ts": gateServer})
	a := listen(t, env, "/parties/main/b?_pk=a")
	b := listen(t, env, "/parties/main/b?_pk=b")

	gate.Hold()
	a.send(t, "broadcast 2")
	eventually(t, "the turn's batch to wait in fsync", func() bool { return gate.Waiting() > 0 })
	b.none(t, heldFor, "while the write before the broadcast is not durable")
	gate.Release()
	if got := b.next(t); got != "bc 2" {
		t.Fatalf("got %q, want the broadcast once the write is durable", got)
	}
	a.none(t, 50*time.Millisecond, "(the sender was excluded from the broadcast)")
}

func TestOutputGateHoldsHTTPResponses(t *testing.T) {
	env, gate := startGated(t, map[string]string{"party/index.ts": gateServer})
	url := env.Server.URL + "/parties/main/h"
	if got := httpDo(t, "GET", url, ""); got != "undefined" {
		t.Fatalf("fresh room: GET gave %q", got)
	}

	gate.Hold()
	res := make(chan string, 1)
	go func() {
		resp, err := http.Post(url, "text/plain", strings.NewReader("v1"))
		if err != nil {
			res <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		res <- string(body)
	}()
	eventually(t, "the request's batch to wait in fsync", func() bool { return gate.Waiting() > 0 })
	select {
	case got := <-res:
		t.Fatalf("response %q arrived while the write was not durable", got)
	case <-time.After(heldFor):
	}
	gate.Release()
	select {
	case got := <-res:
		if got != "stored" {
			t.Fatalf("response %q, want stored", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("response still held after the fsync was released")
	}
	if got := httpDo(t, "GET", url, ""); got != "v1" {
		t.Fatalf("GET after the write gave %q", got)
	}
}

// batchServer writes putsPerTurn keys for each message, without an await
// between them, and acknowledges; GET lists which messages' keys exist.
const batchServer = `
import type * as Party from "partykit/server";
const putsPerTurn = 8;
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  onMessage(id: string, sender: Party.Connection) {
    for (let i = 0; i < putsPerTurn; i++) this.room.storage.put("f" + id + "-" + i, i);
    sender.send(id);
  }
  async onRequest() {
    const counts: Record<string, number> = {};
    for (const k of (await this.room.storage.list()).keys()) {
      const id = k.slice(1, k.indexOf("-"));
      counts[id] = (counts[id] ?? 0) + 1;
    }
    return new Response(JSON.stringify(counts));
  }
}`

const putsPerTurn = 8

func TestPutsOfOneTurnAreOneBatch(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": batchServer})
	c := listen(t, env, "/parties/main/one")
	before := env.DB.Stats().Flushes
	const turns = 5
	for i := 0; i < turns; i++ {
		id := fmt.Sprint(i)
		c.send(t, id)
		if got := c.next(t); got != id {
			t.Fatalf("ack %q, want %q", got, id)
		}
	}
	if got := env.DB.Stats().Flushes - before; got != turns {
		t.Fatalf("%d turns of %d puts each made %d store flushes, want one batch per turn", turns, putsPerTurn, got)
	}
}

// TestCoalescedPutsSurviveCrashesWhole cuts the power (a strict in-memory FS
// that forgets what was not fsynced) at random moments while clients in
// three rooms stream messages, each written as one turn of several puts and
// acknowledged. Sometimes the WAL fsync is held for a while first, so that
// applied but undurable batches exist at the crash. After every restart:
// each message's puts are all there or none; every acknowledged one is
// there; and what survives of a room is a prefix of what it was sent.
func TestCoalescedPutsSurviveCrashesWhole(t *testing.T) {
	fs := vfs.NewStrictMem()
	gate := storetest.NewSyncGate(fs)
	files := map[string]string{"party/index.ts": batchServer}
	rooms := []string{"r0", "r1", "r2"}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	type msg struct {
		id    string
		acked bool
	}
	sent := map[string][]msg{} // per room, in the order sent, minus those lost
	const cycles = 12
	var totalAcks, totalSent, lostUnacked int
	for cycle := 0; cycle < cycles; cycle++ {
		env := roomtest.Start(t, files, roomtest.Options{StoreFS: gate})

		// Check what the last crash left.
		for _, r := range rooms {
			var counts map[string]int
			if err := json.Unmarshal([]byte(httpDo(t, "GET", env.Server.URL+"/parties/main/"+r, "")), &counts); err != nil {
				t.Fatal(err)
			}
			kept := sent[r][:0]
			gap := ""
			for _, m := range sent[r] {
				n := counts[m.id]
				delete(counts, m.id)
				switch {
				case n != 0 && n != putsPerTurn:
					t.Fatalf("cycle %d room %s: message %s is torn: %d of %d puts survived", cycle, r, m.id, n, putsPerTurn)
				case n == 0 && m.acked:
					t.Fatalf("cycle %d room %s: message %s was acknowledged and is lost", cycle, r, m.id)
				case n == 0:
					gap = m.id
					lostUnacked++
				case gap != "":
					t.Fatalf("cycle %d room %s: message %s survived although the earlier %s is lost", cycle, r, m.id, gap)
				default:
					m.acked = true // on disk now: later crashes must keep it
					kept = append(kept, m)
				}
			}
			if len(counts) > 0 {
				t.Fatalf("cycle %d room %s: keys of messages never sent: %v", cycle, r, counts)
			}
			sent[r] = kept
		}

		// Stream messages, up to 4 unacknowledged per room.
		var mu sync.Mutex
		acked := map[string]bool{}
		var wg sync.WaitGroup
		written := make([][]string, len(rooms)) // ids each room's client wrote (or tried to)
		for i, r := range rooms {
			conn, _, err := websocket.DefaultDialer.Dial(wsURL(env, "/parties/main/"+r), nil)
			if err != nil {
				t.Fatal(err)
			}
			window := make(chan struct{}, 4)
			gone := make(chan struct{}) // the socket is closed
			wg.Add(2)
			go func() { // acks
				defer wg.Done()
				defer close(gone)
				for {
					_, b, err := conn.ReadMessage()
					if err != nil {
						return
					}
					mu.Lock()
					acked[string(b)] = true
					mu.Unlock()
					<-window
				}
			}()
			ids := make([]string, 0, 100)
			for i := 0; i < cap(ids); i++ {
				ids = append(ids, fmt.Sprintf("c%02d%s_%03d", cycle, r, i))
			}
			wrote := &written[i]
			go func() { // sends
				defer wg.Done()
				for _, id := range ids {
					select {
					case window <- struct{}{}:
					case <-gone:
						return
					}
					mu.Lock() // before the write: its ack may come before WriteMessage returns
					*wrote = append(*wrote, id)
					mu.Unlock()
					if conn.WriteMessage(websocket.TextMessage, []byte(id)) != nil {
						return
					}
				}
			}()
			t.Cleanup(func() { conn.Close() })
		}

		time.Sleep(time.Duration(rng.Intn(25)) * time.Millisecond)
		if rng.Intn(2) == 0 {
			gate.Hold() // batches pile up applied but not durable
			time.Sleep(time.Duration(rng.Intn(30)) * time.Millisecond)
		}
		// Acks read before the power cut are for syncs that happened.
		mu.Lock()
		snapshot := make(map[string]bool, len(acked))
		for id := range acked {
			snapshot[id] = true
		}
		mu.Unlock()
		fs.SetIgnoreSyncs(true) // the power is off from here
		gate.Release()
		env.Close()
		wg.Wait()
		fs.ResetToSyncedState()
		fs.SetIgnoreSyncs(false)

		for i, r := range rooms {
			for _, id := range written[i] {
				sent[r] = append(sent[r], msg{id: id, acked: snapshot[id]})
			}
			totalSent += len(written[i])
		}
		totalAcks += len(snapshot)
	}
	t.Logf("%d crashes; %d messages of %d puts sent, %d acknowledged before a crash, %d unacknowledged lost whole, 0 acknowledged lost",
		cycles, totalSent, putsPerTurn, totalAcks, lostUnacked)
}

// --- helpers -------------------------------------------------------------------

// inbox collects a socket's text frames on a goroutine, so a test can wait
// for a frame or check that none comes without breaking the connection.
type inbox struct {
	conn   *websocket.Conn
	frames chan string
}

func listen(t *testing.T, env *roomtest.Env, path string) *inbox {
	t.Helper()
	c := env.WS(path)
	in := &inbox{conn: c.Conn, frames: make(chan string, 1024)}
	go func() {
		defer close(in.frames)
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			in.frames <- string(b)
		}
	}()
	return in
}

func (in *inbox) send(t *testing.T, s string) {
	t.Helper()
	if err := in.conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		t.Fatalf("send %q: %v", s, err)
	}
}

func (in *inbox) next(t *testing.T) string {
	t.Helper()
	select {
	case s, ok := <-in.frames:
		if !ok {
			t.Fatal("socket closed while waiting for a frame")
		}
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no frame within 5s")
		return ""
	}
}

func (in *inbox) none(t *testing.T, d time.Duration, why string) {
	t.Helper()
	select {
	case s := <-in.frames:
		t.Fatalf("frame %q arrived %s", s, why)
	case <-time.After(d):
	}
}

func wsURL(env *roomtest.Env, path string) string {
	return "ws" + strings.TrimPrefix(env.Server.URL, "http") + path
}

func httpDo(t *testing.T, method, url, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// eventually polls cond until it holds, failing after 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
