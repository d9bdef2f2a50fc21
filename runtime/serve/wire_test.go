package serve

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The wire counters see each data message once, whatever its framing:
// small, 16-bit and 64-bit lengths, fragmented, with pings between.
func TestMeteredConnCountsMessages(t *testing.T) {
	var in, out, bytesIn, bytesOut, open atomic.Int64
	up := websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		rec.hijack = func(c net.Conn) net.Conn {
			open.Add(1)
			mc := &meteredConn{Conn: c,
				inBytes:  func(n int) { bytesIn.Add(int64(n)) },
				outBytes: func(n int) { bytesOut.Add(int64(n)) },
				onClose:  func() { open.Add(-1) }}
			mc.in.onMessage = func() { in.Add(1) }
			mc.out.onMessage = func() { out.Add(1) }
			return mc
		}
		ws, err := up.Upgrade(rec, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			typ, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			ws.WriteMessage(typ, data)
		}
	}))
	defer srv.Close()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	messages := [][]byte{
		[]byte("hi"),
		bytes.Repeat([]byte("a"), 200),    // 16-bit length
		bytes.Repeat([]byte("b"), 70000),  // 64-bit length
		bytes.Repeat([]byte("c"), 3*4096), // fragmented by the writer's buffer
	}
	for _, m := range messages {
		c.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
		if err := c.WriteMessage(websocket.BinaryMessage, m); err != nil {
			t.Fatal(err)
		}
		_, echo, err := c.ReadMessage()
		if err != nil || !bytes.Equal(echo, m) {
			t.Fatalf("echo of %d bytes: %d bytes, %v", len(m), len(echo), err)
		}
	}
	// The fragmented one: a message the client writes in three frames.
	w, _ := c.NextWriter(websocket.TextMessage)
	for i := 0; i < 3; i++ {
		w.Write(bytes.Repeat([]byte("d"), 5000))
	}
	w.Close()
	c.ReadMessage()
	c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""))
	c.ReadMessage()
	c.Close()

	deadline := time.Now().Add(5 * time.Second)
	for open.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if in.Load() != 5 || out.Load() != 5 {
		t.Errorf("messages in/out = %d/%d, want 5/5 (pings and closes are not messages)", in.Load(), out.Load())
	}
	if bytesIn.Load() < 70000+3*4096+15000 || bytesOut.Load() < 70000+3*4096+15000 {
		t.Errorf("bytes in/out = %d/%d", bytesIn.Load(), bytesOut.Load())
	}
	if open.Load() != 0 {
		t.Errorf("open connections = %d after close", open.Load())
	}
}

func TestSkipHandshake(t *testing.T) {
	c := &meteredConn{}
	head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
	frame := []byte{0x81, 0x02, 'h', 'i'}
	// The head may arrive split anywhere, even inside the final CRLFCRLF.
	split := len(head) - 2
	if got := c.skipHandshake([]byte(head[:split])); got != nil {
		t.Fatalf("part of the head passed through: %q", got)
	}
	got := c.skipHandshake(append([]byte(head[split:]), frame...))
	if !bytes.Equal(got, frame) {
		t.Fatalf("after the head: %q, want the frame", got)
	}
	if got := c.skipHandshake(frame); !bytes.Equal(got, frame) {
		t.Fatalf("once past the head, bytes pass: %q", got)
	}
}
