package room

import (
	"log/slog"
	"net/http"

	"github.com/google/uuid"
)

// PairEnd is the server end of a WebSocketPair that onFetch answered with
// `new Response(null, {status: 101, webSocket})`. Its methods run on the
// loop of the VM that made it.
type PairEnd interface {
	Attach(send func(data []byte, binary bool), close func(code int, reason string))
	Deliver(data []byte, binary bool)
	Closed(code int, reason string)
}

// pairOwner connects a real client socket to a PairEnd on the edge's loop.
type pairOwner struct {
	e   *Edge
	end PairEnd
}

func (p *pairOwner) emitFrame(c *Conn, f frame) { c.enqueue(f) }
func (p *pairOwner) options() *Options          { return &p.e.m.opts }
func (p *pairOwner) logger() *slog.Logger       { return p.e.m.log.With("party", p.e.party) }
func (p *pairOwner) message(c *Conn, text bool, data []byte) {
	if !p.e.loop.Post(func() {
		<-c.inflight
		p.end.Deliver(data, !text)
	}) {
		<-c.inflight
	}
}
func (p *pairOwner) closed(c *Conn, code int, reason string) {
	p.e.loop.Post(func() { p.end.Closed(code, reason) })
}

// AcceptPair upgrades the client and joins it to the pair's server end.
// It reports false when ws is not a pair end (the router then answers 500).
func (e *Edge) AcceptPair(ws any, w http.ResponseWriter, r *http.Request) bool {
	end, ok := ws.(PairEnd)
	if !ok {
		return false
	}
	owner := &pairOwner{e: e, end: end}
	c := newConn(owner, uuid.NewString(), "")
	if err := c.attach(w, r); err != nil {
		return true
	}
	c.ready.Store(1)
	e.loop.Post(func() {
		end.Attach(
			func(data []byte, binary bool) { c.enqueue(frame{text: !binary, data: data}) },
			func(code int, reason string) { c.Close(code, reason) },
		)
	})
	return true
}
