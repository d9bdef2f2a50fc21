package room

import (
	"encoding/binary"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The write side of a socket. gorilla/websocket writes each message with a
// syscall of its own; a room that broadcasts to a socket many times a
// second pays that per frame. Here the writer takes every frame queued for
// its socket at once and hands them to the kernel in one writev, and a
// broadcast is framed once for all its sockets. Server frames are never
// masked and gopk negotiates no extensions, so a frame is a 2–10 byte
// header and the payload.

const maxFrameHeader = 10

// appendFrameHeader appends the header of a final, unmasked data frame.
func appendFrameHeader(b []byte, text bool, n int) []byte {
	op := byte(websocket.BinaryMessage)
	if text {
		op = websocket.TextMessage
	}
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xFFFF:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}

// wireFrame is a whole data frame, header and payload: built once per
// broadcast and shared, read-only, by every socket it goes to.
func wireFrame(text bool, data []byte) []byte {
	b := make([]byte, 0, maxFrameHeader+len(data))
	return append(appendFrameHeader(b, text, len(data)), data...)
}

// sendQueue holds a socket's outgoing frames until its writer takes them.
// It allocates only while frames wait, so an idle socket costs nothing.
type sendQueue struct {
	mu     sync.Mutex
	frames []frame
	wake   chan struct{} // 1-buffered: frames are waiting
}

func newSendQueue() sendQueue { return sendQueue{wake: make(chan struct{}, 1)} }

// push queues f unless limit frames already wait.
func (q *sendQueue) push(f frame, limit int) bool {
	q.mu.Lock()
	if len(q.frames) >= limit {
		q.mu.Unlock()
		return false
	}
	q.frames = append(q.frames, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *sendQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.frames)
}

// take returns every waiting frame, handing spare (emptied) to the queue
// for the next frames: the two slices take turns.
func (q *sendQueue) take(spare []frame) []frame {
	q.mu.Lock()
	out := q.frames
	q.frames = spare[:0]
	q.mu.Unlock()
	return out
}

// frameWriter writes batches of frames to one socket.
type frameWriter struct {
	ws   *websocket.Conn
	conn net.Conn
	// mu orders our writes against the close frame gorilla's reader sends
	// when it answers the client's close; nothing may follow a close frame.
	mu        *sync.Mutex
	closeSent *bool
	iov       net.Buffers
	heads     []byte
	joined    []byte
}

// write sends the frames in order: data frames gathered into as few
// writes as possible, a close frame through gorilla (it then refuses
// further writes).
func (w *frameWriter) write(batch []frame) error {
	need := 0
	for _, f := range batch {
		if f.wire == nil && !f.close && !f.ping {
			need += maxFrameHeader
		}
	}
	if cap(w.heads) < need {
		w.heads = make([]byte, 0, need)
	}
	w.heads = w.heads[:0]
	iov := w.iov[:0]
	for _, f := range batch {
		switch {
		case f.close:
			if err := w.flush(iov); err != nil {
				return err
			}
			iov = w.iov[:0]
			if err := w.closeFrame(f); err != nil {
				return err
			}
		case f.ping:
			if err := w.flush(iov); err != nil {
				return err
			}
			iov = w.iov[:0]
			if err := w.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil && err != websocket.ErrCloseSent {
				return err
			}
		case f.wire != nil:
			iov = append(iov, f.wire)
		default:
			start := len(w.heads)
			w.heads = appendFrameHeader(w.heads, f.text, len(f.data))
			iov = append(iov, w.heads[start:len(w.heads):len(w.heads)])
			if len(f.data) > 0 {
				iov = append(iov, f.data)
			}
		}
	}
	return w.flush(iov)
}

func (w *frameWriter) closeFrame(f frame) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if *w.closeSent {
		return nil
	}
	*w.closeSent = true
	msg := websocket.FormatCloseMessage(f.code, string(f.data))
	if err := w.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait)); err != nil {
		return err
	}
	// Wait for the client's answering close frame, but not forever.
	return w.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
}

// flush writes iov with one writev on TCP (atomic against gorilla's own
// control frames, which also take the socket's write lock per write), or
// joined into one buffer on other connections.
func (w *frameWriter) flush(iov net.Buffers) error {
	if len(iov) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	keep := iov
	defer func() { clear(keep); w.iov = keep[:0] }()
	if *w.closeSent {
		return nil // the client is closing: it would not read these
	}
	if err := w.conn.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	if _, ok := w.conn.(*net.TCPConn); ok {
		_, err := iov.WriteTo(w.conn)
		return err
	}
	w.joined = w.joined[:0]
	for _, b := range iov {
		w.joined = append(w.joined, b...)
	}
	_, err := w.conn.Write(w.joined)
	if cap(w.joined) > 64<<10 {
		w.joined = nil
	}
	return err
}
