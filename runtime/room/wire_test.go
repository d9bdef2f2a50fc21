package room

import (
	"bytes"
	"errors"
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
