package room

import (
	"container/list"
	"sync"
)

// quietVMs lists the rooms of hibernating servers whose VM is in memory,
// least recently active first. A VM costs a few hundred KiB, so when
// thousands of such rooms open in a burst, waiting HibernateAfter before
// freeing each would hold them all at once. Past MaxQuietVMs, the least
// recently active are asked to hibernate at once; PartyKit may evict a
// hibernating server whenever it is idle, so its code must expect that.
//
// A room enters (or moves to the back) at the end of each of its turns and
// leaves when its VM goes; the room itself decides, on its loop, whether it
// is quiet enough to hibernate (hibernateNow).
type quietVMs struct {
	mu    sync.Mutex
	order list.List // of *Room, least recently active first
	at    map[*Room]*list.Element
}

// touch marks r as just active and returns the rooms past limit, which the
// caller asks to hibernate.
func (q *quietVMs) touch(r *Room, limit int) (over []*Room) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.at == nil {
		q.at = make(map[*Room]*list.Element)
	}
	if e, ok := q.at[r]; ok {
		q.order.MoveToBack(e)
	} else {
		q.at[r] = q.order.PushBack(r)
	}
	for q.order.Len() > limit {
		e := q.order.Front()
		old := q.order.Remove(e).(*Room)
		delete(q.at, old)
		over = append(over, old)
	}
	return over
}

func (q *quietVMs) remove(r *Room) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.at[r]; ok {
		q.order.Remove(e)
		delete(q.at, r)
	}
}

func (q *quietVMs) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.order.Len()
}

// noteTurnEnd puts a hibernating server's room at the back of the quiet
// list, and asks the least recently active rooms past the limit to
// hibernate. Loop goroutine only.
func (r *Room) noteTurnEnd() {
	limit := r.m.opts.MaxQuietVMs
	if limit < 0 || r.vm == nil || !r.vm.hibernate || len(r.conns) == 0 {
		return
	}
	for _, old := range r.m.quiet.touch(r, limit) {
		old.loop.Post(old.hibernateNow)
	}
}

// hibernateNow frees the VM of a hibernating server's room if nothing is
// pending (timers, I/O, held events, undurable writes), without waiting
// HibernateAfter. Sockets stay open in Go; the next event rebuilds the VM.
func (r *Room) hibernateNow() {
	if r.stopped || r.vm == nil || !r.vm.hibernate || len(r.conns) == 0 || !r.quiet() {
		return // busy: it joins the list again at the end of its next turn
	}
	if r.idleTimer != nil {
		r.idleTimer.Stop()
		r.idleTimer = nil
	}
	r.log.Debug("hibernating early: too many idle VMs", "sockets", len(r.conns))
	r.dropVM()
	r.m.hibernations.Add(1)
}
