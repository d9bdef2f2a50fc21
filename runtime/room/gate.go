package room

// outputGate holds back what a room shows the world (frames, HTTP
// responses) until the storage writes made before it are durable, so no
// client ever sees a state a crash could take back.
//
// Invariants:
//   - writes of one turn are flushed as one atomic batch at the end of the
//     turn (ticket n); tickets become durable in order;
//   - an output produced while writes are pending (flushed or not) carries
//     the ticket it must wait for, and outputs leave in the order produced.
type outputGate struct {
	issued  uint64 // tickets flushed so far
	durable uint64 // tickets known durable
	held    []heldOutput
	onIdle  func()
	failed  error
}

type heldOutput struct {
	after uint64
	fn    func()
}

// need is the ticket an output produced now must wait for: the next one if
// writes are buffered, or held in an open transaction (they will be in the
// next flush if it commits).
func (g *outputGate) need(r *Room) uint64 {
	if r.store != nil && (r.store.Pending() || r.store.Uncommitted()) {
		return g.issued + 1
	}
	return g.issued
}

func (g *outputGate) idle() bool { return len(g.held) == 0 && g.issued == g.durable }

// emit runs fn now if nothing is pending, else after the writes before it.
func (r *Room) emit(fn func()) {
	g := &r.gate
	after := g.need(r)
	if after <= g.durable && len(g.held) == 0 {
		fn()
		return
	}
	if n := len(g.held); n > 0 && g.held[n-1].after > after {
		after = g.held[n-1].after
	}
	g.held = append(g.held, heldOutput{after: after, fn: fn})
}

// emitFrame sends one frame to one socket through the gate.
func (r *Room) emitFrame(c *Conn, f frame) {
	g := &r.gate
	if len(g.held) == 0 && g.need(r) <= g.durable {
		c.enqueue(f)
		return
	}
	r.emit(func() { c.enqueue(f) })
}

// flush ends a turn: buffered writes become one batch on its way to disk.
func (g *outputGate) flush(r *Room) {
	if r.store == nil {
		return
	}
	if !r.store.Pending() {
		if !r.store.Uncommitted() {
			g.unholdFuture(r)
		}
		return
	}
	t, err := r.store.Flush()
	if err != nil {
		r.storageFailed(err)
		return
	}
	g.issued++
	n := g.issued
	r.m.opts.Store.WhenDurable(t, func(err error) {
		r.loop.Post(func() { r.durable(n, err) })
	})
}

// durable runs on the loop when ticket n reached the disk (or failed).
func (r *Room) durable(n uint64, err error) {
	g := &r.gate
	if err != nil {
		r.storageFailed(err)
		return
	}
	if n > g.durable {
		g.durable = n
	}
	r.releaseDurable()
}

// unholdFuture lets go of outputs waiting for a flush that will not come
// (a transaction they followed was rolled back): they now wait only for
// what was flushed before them.
func (g *outputGate) unholdFuture(r *Room) {
	changed := false
	for i := range g.held {
		if g.held[i].after > g.issued {
			g.held[i].after = g.issued
			changed = true
		}
	}
	if changed {
		r.releaseDurable()
	}
}

// releaseDurable runs, in order, the held outputs whose writes are durable.
func (r *Room) releaseDurable() {
	g := &r.gate
	i := 0
	for ; i < len(g.held) && g.held[i].after <= g.durable; i++ {
		g.held[i].fn()
		g.held[i].fn = nil
	}
	g.held = g.held[i:]
	if g.idle() && g.onIdle != nil {
		f := g.onIdle
		g.onIdle = nil
		f()
	}
}

// storageFailed resets the room: what it told nobody is lost, and it must
// not go on from a state the disk does not have.
func (r *Room) storageFailed(err error) {
	r.log.Error("storage write failed; resetting the room", "error", err)
	r.gate.held = nil
	r.gate.durable = r.gate.issued
	r.reset(1011, "Storage failure")
}
