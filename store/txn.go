package store

import (
	"errors"
	"time"
)

// Txn is a transaction over a room: its writes stay in the transaction until
// Commit moves them into the room's buffer (to be flushed with the rest of
// the turn) or Rollback drops them. Reads see the transaction's writes over
// the room's. Like Room, it belongs to the room's goroutine.
type Txn struct {
	room *Room
	buf  *overlay
	done bool
}

// ErrTxnDone is returned by a Txn used after Commit or Rollback.
var ErrTxnDone = errors.New("store: transaction already committed or rolled back")

// Begin starts a transaction.
func (r *Room) Begin() *Txn {
	t := &Txn{room: r, buf: newOverlay()}
	r.open[t] = struct{}{}
	return t
}

// AbortTransactions rolls back every open transaction: their owner (a
// room's VM) is gone and will never finish them.
func (r *Room) AbortTransactions() {
	for t := range r.open {
		t.Rollback()
	}
}

// Uncommitted reports whether an open transaction holds writes: they are
// not Pending yet, but an output made after them must wait for them too.
func (r *Room) Uncommitted() bool {
	for t := range r.open {
		if !t.buf.empty() {
			return true
		}
	}
	return false
}

// Get returns the value of key as the transaction sees it.
func (t *Txn) Get(key string) ([]byte, bool, error) {
	if t.done {
		return nil, false, ErrTxnDone
	}
	if e, found := t.buf.lookup(key); found {
		return e.val, !e.deleted, nil
	}
	if t.buf.cleared {
		return nil, false, nil
	}
	return t.room.Get(key)
}

// Put buffers key=val in the transaction.
func (t *Txn) Put(key string, val []byte) error {
	if t.done {
		return ErrTxnDone
	}
	if val == nil {
		val = []byte{}
	}
	t.buf.put(key, val)
	return nil
}

// Delete buffers the removal of key and reports whether it existed.
func (t *Txn) Delete(key string) (bool, error) {
	_, existed, err := t.Get(key)
	if err != nil {
		return false, err
	}
	t.buf.del(key)
	return existed, nil
}

// DeleteAll removes every key of the room within the transaction.
func (t *Txn) DeleteAll() error {
	if t.done {
		return ErrTxnDone
	}
	t.buf.clear()
	return nil
}

// List is Room.List as the transaction sees it.
func (t *Txn) List(o ListOptions, fn func(key string, val []byte) bool) error {
	if t.done {
		return ErrTxnDone
	}
	s := o.span()
	if s.empty {
		return nil
	}
	top := t.buf.rangeCursor(s, o.Reverse)
	if t.buf.cleared {
		return drain(newMergeCursor(nil, top, o.Reverse), o.Limit, fn)
	}
	base, err := t.room.cursor(s, o.Reverse)
	if err != nil {
		return err
	}
	return drain(newMergeCursor(base, top, o.Reverse), o.Limit, fn)
}

// GetAlarm returns the alarm as the transaction sees it.
func (t *Txn) GetAlarm() (time.Time, bool, error) {
	if t.done {
		return time.Time{}, false, ErrTxnDone
	}
	if t.buf.alarm.changed {
		return t.buf.alarm.at, t.buf.alarm.set, nil
	}
	return t.room.GetAlarm()
}

// SetAlarm buffers a new alarm time in the transaction.
func (t *Txn) SetAlarm(at time.Time) error {
	if t.done {
		return ErrTxnDone
	}
	t.buf.alarm = alarmChange{changed: true, set: true, at: clampAlarm(at)}
	return nil
}

// DeleteAlarm buffers the removal of the alarm in the transaction.
func (t *Txn) DeleteAlarm() error {
	if t.done {
		return ErrTxnDone
	}
	t.buf.alarm = alarmChange{changed: true}
	return nil
}

// Commit moves the transaction's writes into the room's buffer, where they
// are flushed with the turn, atomically with the room's other writes.
func (t *Txn) Commit() error {
	if t.done {
		return ErrTxnDone
	}
	t.done = true
	delete(t.room.open, t)
	t.buf.mergeInto(t.room.buf)
	return nil
}

// Rollback drops the transaction's writes. Rolling back a finished
// transaction does nothing.
func (t *Txn) Rollback() {
	t.done = true
	delete(t.room.open, t)
	t.buf.reset()
}
