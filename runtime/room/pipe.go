package room

import (
	"sync"
	"sync/atomic"

	"gopk/bindings/party"
)

// pipeEnd is the caller's end of an in-process WebSocket to a room
// (room.context.parties.<p>.get(id).socket()). The room's end is an ordinary
// Conn whose frames travel through this pipe instead of a network socket.
type pipeEnd struct {
	peer  *Conn
	ready atomic.Int32
	in    chan frame // caller → room, drained by a goroutine that keeps order

	// deliver runs f on the caller's loop; the caller turns it into events.
	deliver func(f frame)
	once    sync.Once
}

func (p *pipeEnd) ID() string      { return p.peer.id }
func (p *pipeEnd) URI() string     { return p.peer.uri }
func (p *pipeEnd) ReadyState() int { return int(p.ready.Load()) }

// Send passes a frame to the room without blocking the caller's loop.
func (p *pipeEnd) Send(text bool, data []byte) {
	if p.ReadyState() != party.Open {
		return
	}
	select {
	case p.in <- frame{text: text, data: data}:
	default:
		p.Close(1011, "send queue full")
	}
}

// Close closes both ends: the room sees the close, the caller gets a close event.
func (p *pipeEnd) Close(code int, reason string) {
	p.once.Do(func() {
		p.ready.Store(party.Closed)
		p.peer.finish(code, reason)
		p.deliver(frame{close: true, code: code, data: []byte(reason)})
	})
}

// remoteClose is the room closing its end.
func (p *pipeEnd) remoteClose(code int, reason string) {
	p.once.Do(func() {
		p.ready.Store(party.Closed)
		p.deliver(frame{close: true, code: code, data: []byte(reason)})
	})
}

// attachPipe starts the goroutines that move frames between a room's Conn
// and a pipeEnd, in place of a network socket's reader and writer.
func (c *Conn) attachPipe(p *pipeEnd) {
	p.peer = c
	p.ready.Store(party.Open)
	go func() { // room → caller
		var batch []frame
		for {
			select {
			case <-c.done:
				p.remoteClose(1006, "")
				return
			case <-c.out.wake:
				batch = c.out.take(batch)
				for _, f := range batch {
					if f.close {
						p.remoteClose(f.code, string(f.data))
						c.finish(f.code, string(f.data))
						return
					}
					p.deliver(f)
				}
				clear(batch)
			}
		}
	}()
	go func() { // caller → room
		for {
			select {
			case <-c.done:
				return
			case f := <-p.in:
				select {
				case c.inflight <- struct{}{}:
				case <-c.done:
					return
				}
				c.owner.message(c, f.text, f.data)
			}
		}
	}()
}
