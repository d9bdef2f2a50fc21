package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/e2e/testkit"
)

// These checks run against the protocol fixture's server (see TestProtocol).
var socketChecks = []struct {
	name string
	run  func(t *testing.T, s *testkit.Server)
}{
	{"frame limit is 1 MiB", checkFrameLimit},
	{"handshake waits for onStart and onConnect", checkHandshakeOrder},
	{"onStart runs once and events wait for it", checkOnStartBarrier},
	{"duplicate _pk keeps both sockets", checkDuplicatePK},
	{"a client that never reads does not block the room", checkStalledReader},
	{"a client's close frame is answered", checkCloseAnswered},
}

func checkFrameLimit(t *testing.T, s *testkit.Server) {
	// A write buffer larger than the message makes gorilla send it as one
	// frame, as browsers do (gorilla fragments at its buffer size otherwise).
	c := testkit.DialWith(t, &websocket.Dialer{HandshakeTimeout: testkit.IOTimeout, WriteBufferSize: 2 << 20},
		s.WSURL("/parties/main/limit"), nil)
	testkit.ReadText(t, c) // welcome
	exact := "len:" + strings.Repeat("a", 1<<20-len("len:"))
	testkit.Send(t, c, exact)
	if got := testkit.ReadText(t, c); got != "len:1048576" {
		t.Fatalf("a frame of exactly 1 MiB: got %q, want len:1048576", got)
	}
	testkit.Send(t, c, exact+"a")
	ce, before := testkit.ExpectClose(t, c)
	if ce.Code != websocket.CloseMessageTooBig || ce.Text != "Message is too large: 1048577 > 1048576" || len(before) != 0 {
		t.Errorf("a frame of 1 MiB + 1: got close %d %q after %q, want 1009 %q", ce.Code, ce.Text, before, "Message is too large: 1048577 > 1048576")
	}
}

// The slow party's onStart and onConnect both await timers. The upgrade must
// complete only after onConnect settles: the frames it sent come first, and a
// message sent right after open is handled after onConnect finished.
func checkHandshakeOrder(t *testing.T, s *testkit.Server) {
	c := testkit.Dial(t, s.WSURL("/parties/slow/handshake"), nil)
	testkit.Send(t, c, "ping")
	want := []string{"first started=true", "second", "reply to ping ready=true"}
	for _, w := range want {
		if got := testkit.ReadText(t, c); got != w {
			t.Errorf("got %q, want %q (all frames in order: %q)", got, w, want)
		}
	}
}

type slowState struct {
	Starts  int      `json:"starts"`
	Started bool     `json:"started"`
	Events  []string `json:"events"`
}

// Requests that reach a fresh room while onStart awaits must not start it
// twice; gopk also holds them until onStart has finished (PartyKit's docs
// promise this, its dev server does not: partykit#894).
func checkOnStartBarrier(t *testing.T, s *testkit.Server) {
	const n = 4
	results := make([]slowState, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := testkit.Get(t, fmt.Sprintf("%s/parties/slow/barrier?name=%d", s.URL(), i))
			if err := json.Unmarshal([]byte(r.Body), &results[i]); err != nil {
				t.Errorf("request %d: %d %q", i, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Starts != 1 {
			t.Errorf("request %d saw onStart run %d times, want once", i, r.Starts)
		}
	}
	t.Run("barrier", func(t *testing.T) {
		testkit.SkipOnPartyKit(t, "partykit dev lets events in while onStart awaits (partykit#894, PARTYKIT.md §1)")
		for i, r := range results {
			if !r.Started || len(r.Events) < 2 || r.Events[0] != "start-begin" || r.Events[1] != "start-end" {
				t.Errorf("request %d ran before onStart finished: %+v", i, r)
			}
		}
	})
}

// partysocket reuses its _pk on reconnect, so an old and a new socket with the
// same id can overlap. Both must stay live and closing one must remove only
// that one (PartyKit orphans the newer socket: partykit#45).
func checkDuplicatePK(t *testing.T, s *testkit.Server) {
	testkit.SkipOnPartyKit(t, "partykit dev removes connections by id, orphaning the newer socket (partykit#45, PARTYKIT.md §4)")
	old, _ := dialWelcome(t, s, "/parties/main/dup?_pk=dup")
	watcher, _ := dialWelcome(t, s, "/parties/main/dup?_pk=watcher")
	fresh, _ := dialWelcome(t, s, "/parties/main/dup?_pk=dup")

	testkit.Send(t, watcher, "bcast:both")
	for name, c := range map[string]*websocket.Conn{"old": old, "new": fresh, "watcher": watcher} {
		if got := testkit.ReadText(t, c); got != "from watcher: both" {
			t.Errorf("%s socket got %q, want the broadcast", name, got)
		}
	}

	old.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
	testkit.Eventually(t, 10*time.Second, func() (bool, string) {
		testkit.Send(t, watcher, "ids")
		var ids []string
		testkit.ReadJSON(t, watcher, &ids)
		return slices.Equal(ids, []string{"dup", "watcher"}), fmt.Sprint(ids)
	})
	testkit.Send(t, watcher, "bcast:after")
	if got := testkit.ReadText(t, fresh); got != "from watcher: after" {
		t.Errorf("newer socket with the duplicate id got %q after the old one closed, want the broadcast", got)
	}
}

// One socket of the room stops reading with a tiny receive buffer while
// another floods the room with broadcasts; the reading client must get every
// message and the room must keep answering.
func checkStalledReader(t *testing.T, s *testkit.Server) {
	const frames, size = 64, 256 << 10
	room := "/parties/main/stalled"
	stalled := testkit.DialWith(t, &websocket.Dialer{
		HandshakeTimeout: testkit.IOTimeout,
		ReadBufferSize:   1024,
		NetDialContext:   tinyReceiveBuffer,
	}, s.WSURL(room+"?_pk=stalled"), nil)
	_ = stalled // never read from again
	sender, _ := dialWelcome(t, s, room+"?_pk=sender")
	reader, _ := dialWelcome(t, s, room+"?_pk=reader")

	// The sender receives its own broadcasts; drain them so only "stalled" stalls.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			if _, _, err := sender.ReadMessage(); err != nil {
				return
			}
		}
	}()
	// The reader reads while the sender sends, as a live client would.
	read := make(chan error, 1)
	go func() {
		for i := range frames {
			reader.SetReadDeadline(time.Now().Add(testkit.IOTimeout))
			typ, data, err := reader.ReadMessage()
			switch {
			case err != nil:
				read <- fmt.Errorf("frame %d: %w", i, err)
				return
			case typ != websocket.BinaryMessage || len(data) != size || data[0] != byte(i):
				read <- fmt.Errorf("frame %d: got type %d, %d bytes, want binary, %d bytes, first byte %d", i, typ, len(data), size, byte(i))
				return
			}
		}
		read <- nil
	}()
	payload := make([]byte, size)
	for i := range frames {
		payload[0] = byte(i)
		testkit.SendFrame(t, sender, websocket.BinaryMessage, payload)
	}
	if err := <-read; err != nil {
		t.Fatalf("the reading client: %v", err)
	}
	testkit.Send(t, reader, "count")
	if got := testkit.ReadText(t, reader); got != fmt.Sprintf("handled:%d", frames+1) {
		t.Errorf("room answered %q after the flood, want handled:%d", got, frames+1)
	}
	sender.Close()
	<-drained
}

func tinyReceiveBuffer(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	return d.DialContext(ctx, network, addr)
}

// RFC 6455 §5.5.1: an endpoint that receives a close frame sends one back.
func checkCloseAnswered(t *testing.T, s *testkit.Server) {
	testkit.SkipOnPartyKit(t, "workerd never answers a client's close frame; the client sees 1006 after its own timeout (PARTYKIT.md §14)")
	c, _ := dialWelcome(t, s, "/parties/main/closeframe")
	if err := c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, "done"), time.Now().Add(time.Second)); err != nil {
		t.Fatalf("sending the close frame: %v", err)
	}
	ce, before := testkit.ExpectClose(t, c)
	if ce.Code != websocket.CloseNormalClosure {
		t.Errorf("server answered the close frame with %d %q (after %q), want 1000", ce.Code, ce.Text, before)
	}
}
