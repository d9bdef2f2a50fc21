package room

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// serverSocket returns the server end of a real WebSocket (upgraded by
// gorilla as rooms do) and the client end.
func serverSocket(t *testing.T) (*websocket.Conn, *websocket.Conn) {
	t.Helper()
	got := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		got <- ws
	}))
	t.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	ws := <-got
	t.Cleanup(func() { ws.Close() })
	return ws, client
}

func TestFrameWriterBatchesReachTheClientIntact(t *testing.T) {
	ws, client := serverSocket(t)
	var mu sync.Mutex
	closeSent := false
	w := frameWriter{ws: ws, conn: ws.UnderlyingConn(), mu: &mu, closeSent: &closeSent}
	big := bytes.Repeat([]byte("0123456789"), 7000) // 70,000 bytes: 8-byte length
	mid := bytes.Repeat([]byte("m"), 300)           // 2-byte length
	shared := wireFrame(true, []byte("broadcast"))
	batch := []frame{
		{text: true, data: []byte("first")},
		{wire: shared, text: true},
		{text: false, data: []byte{0, 1, 2, 255}},
		{text: true, data: nil}, // empty text frame
		{text: false, data: big},
		{text: true, data: mid},
		{wire: shared, text: true},
		{close: true, code: 4001, data: []byte("bye")},
		{text: true, data: []byte("after close: must not be sent")},
	}
	if err := w.write(batch); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ  int
		data []byte
	}{
		{websocket.TextMessage, []byte("first")},
		{websocket.TextMessage, []byte("broadcast")},
		{websocket.BinaryMessage, []byte{0, 1, 2, 255}},
		{websocket.TextMessage, []byte{}},
		{websocket.BinaryMessage, big},
		{websocket.TextMessage, mid},
		{websocket.TextMessage, []byte("broadcast")},
	}
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i, f := range want {
		typ, data, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if typ != f.typ || !bytes.Equal(data, f.data) {
			t.Fatalf("frame %d: type %d, %d bytes %.20q; want type %d, %d bytes", i, typ, len(data), data, f.typ, len(f.data))
		}
	}
	_, _, err := client.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 || ce.Text != "bye" {
		t.Fatalf("after the data: %v, want close 4001 \"bye\" and nothing after it", err)
	}
	// Frames queued after the close are dropped, not written.
	if err := w.write([]frame{{text: true, data: []byte("late")}}); err != nil {
		t.Fatal(err)
	}
}

func TestAppendFrameHeaderLengths(t *testing.T) {
	for _, c := range []struct {
		n    int
		want []byte
	}{
		{0, []byte{0x81, 0}},
		{125, []byte{0x81, 125}},
		{126, []byte{0x81, 126, 0, 126}},
		{65535, []byte{0x81, 126, 0xFF, 0xFF}},
		{65536, []byte{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
	} {
		if got := appendFrameHeader(nil, true, c.n); !bytes.Equal(got, c.want) {
			t.Errorf("header for %d bytes = % x, want % x", c.n, got, c.want)
		}
	}
	if got := appendFrameHeader(nil, false, 1); got[0] != 0x82 {
		t.Errorf("binary opcode byte %#x, want 0x82", got[0])
	}
}

func TestSendQueueBoundAndTurns(t *testing.T) {
	q := newSendQueue()
	for i := range 3 {
		if !q.push(frame{data: []byte{byte(i)}}, 3) {
			t.Fatalf("push %d refused under the limit", i)
		}
	}
	if q.push(frame{}, 3) {
		t.Fatal("push over the limit accepted")
	}
	select {
	case <-q.wake:
	default:
		t.Fatal("no wake-up after a push")
	}
	got := q.take(nil)
	if len(got) != 3 || got[2].data[0] != 2 {
		t.Fatalf("took %v", got)
	}
	if !q.push(frame{}, 3) {
		t.Fatal("queue still full after take")
	}
}

// testOwner is a connOwner that only records what the socket reports.
type testOwner struct {
	opts Options
	gone chan int
}

func (o *testOwner) emitFrame(c *Conn, f frame)              { c.enqueue(f) }
func (o *testOwner) message(c *Conn, text bool, data []byte) { <-c.inflight }
func (o *testOwner) closed(c *Conn, code int, reason string) { o.gone <- code }
func (o *testOwner) options() *Options                       { return &o.opts }
func (o *testOwner) logger() *slog.Logger                    { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// An upgraded socket has no writer goroutine while nothing waits to be
// sent; frames queued before the upgrade go out after it, in order, and
// pings keep coming while the socket is idle.
func TestWriterRunsOnlyWhileFramesWait(t *testing.T) {
	owner := &testOwner{opts: Options{SendQueue: 16, PingInterval: 40 * time.Millisecond, MaxMessage: 1 << 20}, gone: make(chan int, 1)}
	c := newConn(owner, "a", "/")
	c.Send(true, []byte("queued before the upgrade"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.attach(w, r); err != nil {
			t.Error(err)
		}
	}))
	defer srv.Close()
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	pings := make(chan struct{}, 16)
	client.SetPingHandler(func(string) error { pings <- struct{}{}; return nil })
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	for _, want := range []string{"queued before the upgrade", "one", "two"} {
		if want != "queued before the upgrade" {
			c.Send(true, []byte(want))
		}
		_, b, err := client.ReadMessage()
		if err != nil || string(b) != want {
			t.Fatalf("read %q, %v; want %q", b, err, want)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for c.writing.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the writer goroutine is still running with nothing to send")
		}
		time.Sleep(time.Millisecond)
	}
	// Pings arrive while the client reads (the ping handler runs in ReadMessage).
	go func() {
		for {
			if _, _, err := client.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for i := range 2 {
		select {
		case <-pings:
		case <-time.After(2 * time.Second):
			t.Fatalf("ping %d did not come", i+1)
		}
	}
}
