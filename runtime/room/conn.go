package room

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"gopk/bindings/party"
)

// Conn is one WebSocket held by Go. Its JS views (one per VM the room has
// had) come and go; the socket, its id, uri, tags and state stay here.
//
// Threads: the reader and writer goroutines own the socket's two directions;
// everything else (state, tags) is touched on the room's loop only, except
// readyState, which is atomic.
type Conn struct {
	owner connOwner
	id    string
	uri   string
	tags  []string
	ready atomic.Int32 // party.Connecting … party.Closed

	out      sendQueue
	done     chan struct{} // closed when the socket is gone
	doneOnce sync.Once
	inflight chan struct{} // bounds queued incoming messages (backpressure)

	// Loop-owned: the upgrade request (to run onConnect again after a live
	// swap) and the state saved while the room has no VM.
	req       *HTTPRequest
	saved     []byte
	handshake func(error) // set while onConnect runs

	wsMu sync.Mutex
	ws   *websocket.Conn
	kill string // set when the socket must die as soon as it exists

	// The writer runs only while frames wait (an idle socket has no writer
	// goroutine): writer is set once the socket is upgraded, writing while
	// a goroutine drains the queue, pinger sends the keep-alive pings.
	writer  atomic.Pointer[frameWriter]
	writing atomic.Bool
	pinger  *time.Timer
}

type frame struct {
	wire  []byte // the whole frame, framed once for a broadcast; else framed by the writer
	text  bool
	data  []byte
	close bool
	code  int
	ping  bool // a keep-alive ping (control frame)
}

// connOwner is whoever handles a socket's events: a room, or the edge for
// onSocket.
type connOwner interface {
	emitFrame(c *Conn, f frame)
	message(c *Conn, text bool, data []byte)
	closed(c *Conn, code int, reason string)
	options() *Options
	logger() *slog.Logger
}

func newConn(o connOwner, id, uri string) *Conn {
	c := &Conn{
		owner:    o,
		id:       id,
		uri:      uri,
		out:      newSendQueue(),
		done:     make(chan struct{}),
		inflight: make(chan struct{}, 64),
	}
	c.ready.Store(party.Connecting)
	return c
}

// ID is the connection id: the _pk query parameter or a random UUID.
func (c *Conn) ID() string { return c.id }

// URI is the upgrade request's URL, with its query.
func (c *Conn) URI() string { return c.uri }

// ReadyState is the WebSocket ready state.
func (c *Conn) ReadyState() int { return int(c.ready.Load()) }

// Send queues a frame through the room's output gate. Loop goroutine only.
func (c *Conn) Send(text bool, data []byte) {
	c.owner.emitFrame(c, frame{text: text, data: data})
}

// Close starts a clean close: the close frame goes after queued frames.
// Loop goroutine only.
func (c *Conn) Close(code int, reason string) {
	if !c.ready.CompareAndSwap(party.Open, party.Closing) && !c.ready.CompareAndSwap(party.Connecting, party.Closing) {
		return
	}
	c.owner.emitFrame(c, frame{close: true, code: code, data: []byte(reason)})
}

// enqueue hands a frame to the writer without ever blocking the room; a
// client too slow to keep up is disconnected.
func (c *Conn) enqueue(f frame) {
	select {
	case <-c.done:
		return
	default:
	}
	if !c.out.push(f, c.owner.options().SendQueue) {
		c.abort("send queue full: the client is not reading")
		return
	}
	c.kick()
}

// abort drops the socket without a close handshake.
func (c *Conn) abort(why string) {
	c.wsMu.Lock()
	ws := c.ws
	if ws == nil && c.kill == "" {
		c.kill = why
	}
	c.wsMu.Unlock()
	c.owner.logger().Debug("socket aborted", "conn", c.id, "why", why)
	if ws != nil {
		ws.Close()
	}
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// Data frames bypass gorilla's buffered writer (see wire.go); the pool
	// keeps it from holding a buffer per idle socket.
	WriteBufferPool: &sync.Pool{},
	CheckOrigin:     func(*http.Request) bool { return true }, // PartyKit does not check Origin
}

// attach completes the handshake (the 101) and starts the reader and writer.
// Called by the HTTP handler once onConnect has settled.
func (c *Conn) attach(w http.ResponseWriter, r *http.Request) error {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		c.finish(1006, "handshake failed")
		return err
	}
	ws.SetReadLimit(0) // we enforce the size ourselves, to answer as PartyKit does
	c.wsMu.Lock()
	c.ws = ws
	kill := c.kill
	c.wsMu.Unlock()
	if kill != "" {
		ws.Close()
	}
	c.startWriter(ws)
	go c.readLoop(ws)
	return nil
}

const writeWait = 10 * time.Second

// startWriter makes the socket writable: frames queued so far (sent in
// onConnect) go out now, later ones as they come, and a ping every
// PingInterval keeps the peer's silence measurable.
func (c *Conn) startWriter(ws *websocket.Conn) {
	w := &frameWriter{ws: ws, conn: ws.UnderlyingConn(), mu: &sync.Mutex{}, closeSent: new(bool)}
	// gorilla answers a client's close from the reader goroutine; take the
	// writer's lock so no data frame can follow that close frame.
	ws.SetCloseHandler(func(code int, _ string) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		if !*w.closeSent {
			*w.closeSent = true
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(writeWait))
		}
		return nil
	})
	c.writer.Store(w)
	interval := c.owner.options().PingInterval
	// Armed only once assigned, so the callback always sees c.pinger.
	c.pinger = time.AfterFunc(time.Duration(math.MaxInt64), func() {
		select {
		case <-c.done:
			return
		default:
		}
		// Pings skip the bound: a full queue aborts the socket anyway.
		c.out.push(frame{ping: true}, int(^uint(0)>>1))
		c.kick()
		c.pinger.Reset(interval)
	})
	c.pinger.Reset(interval)
	c.kick()
}

// kick starts a goroutine to drain the send queue unless one is running
// or the socket is not upgraded yet (startWriter kicks then).
func (c *Conn) kick() {
	if c.writer.Load() == nil || !c.writing.CompareAndSwap(false, true) {
		return
	}
	go c.drain()
}

// drain writes queued frames until the queue is empty, then ends. After a
// write error it closes the socket and leaves writing set, so no other
// writer starts; the reader then sees the socket gone.
func (c *Conn) drain() {
	w := c.writer.Load()
	var batch []frame
	for {
		select {
		case <-c.done:
			return
		default:
		}
		batch = c.out.take(batch)
		if len(batch) == 0 {
			c.writing.Store(false)
			// A frame pushed after take but before the store found the
			// flag set and left it to us: look once more.
			if c.out.len() == 0 || !c.writing.CompareAndSwap(false, true) {
				return
			}
			continue
		}
		err := w.write(batch)
		clear(batch) // let sent payloads go
		if err != nil {
			w.ws.Close()
			return
		}
	}
}

func (c *Conn) readLoop(ws *websocket.Conn) {
	max := int64(c.owner.options().MaxMessage)
	// A peer that answers neither data nor pings for two intervals is gone.
	ping := c.owner.options().PingInterval
	silence := 2*ping + min(ping, writeWait)
	alive := func() { _ = ws.SetReadDeadline(time.Now().Add(silence)) }
	ws.SetPongHandler(func(string) error { alive(); return nil })
	var buf bytes.Buffer
	for {
		if c.ReadyState() != party.Closing { // a closing socket keeps its shorter deadline
			alive()
		}
		typ, rd, err := ws.NextReader()
		if err != nil {
			code, reason := 1006, ""
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				code, reason = ce.Code, ce.Text
			}
			ws.Close()
			c.finish(code, reason)
			return
		}
		buf.Reset()
		n, err := io.CopyN(&buf, rd, max+1)
		if err != nil && err != io.EOF {
			ws.Close()
			c.finish(1006, "")
			return
		}
		if n > max {
			// Count the rest (bounded) so the reason says how big it was.
			rest, _ := io.CopyN(io.Discard, rd, 64<<20)
			reason := fmt.Sprintf("Message is too large: %d > %d", n+rest, max)
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseMessageTooBig, reason), time.Now().Add(time.Second))
			ws.Close()
			c.finish(websocket.CloseMessageTooBig, reason)
			return
		}
		data := make([]byte, n)
		copy(data, buf.Bytes())
		select {
		case c.inflight <- struct{}{}:
		case <-c.done:
			return
		}
		c.owner.message(c, typ == websocket.TextMessage, data)
	}
}

// finish marks the socket gone and tells the room (once).
func (c *Conn) finish(code int, reason string) {
	c.doneOnce.Do(func() {
		c.ready.Store(party.Closed)
		close(c.done)
		if c.pinger != nil {
			c.pinger.Stop()
		}
		c.owner.closed(c, code, reason)
	})
}

// isNetClose reports errors that only mean the peer went away.
func isNetClose(err error) bool {
	var ne net.Error
	return errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}
