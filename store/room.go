package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble"
)

// Room is one room's view of the store: its flushed keys in Pebble with its
// unflushed writes laid over them. It is not safe for concurrent use; the
// room's goroutine owns it.
//
// Byte slices returned by Get and passed to List callbacks belong to the
// store: read them, never modify them. Put takes ownership of val.
type Room struct {
	db     *DB
	key    RoomKey
	data   []byte // prefix of the room's values
	dataHi []byte // end of the room's value span
	alarmK []byte // where the room's alarm lives
	buf    *overlay
	last   Ticket            // newest flush of this room
	onSync []func(error)     // WhenDurable callbacks waiting for the next Flush
	open   map[*Txn]struct{} // transactions begun and not yet finished
}

func newRoom(db *DB, k RoomKey) *Room {
	data := roomPrefix(k, kindData)
	alarm := roomPrefix(k, kindAlarm)
	return &Room{
		db:     db,
		key:    k,
		data:   data,
		dataHi: prefixEnd(data),
		alarmK: alarm,
		buf:    newOverlay(),
		open:   make(map[*Txn]struct{}),
	}
}

// Key names the room.
func (r *Room) Key() RoomKey { return r.key }

// ListOptions select a range of keys, compared as UTF-8 bytes. Empty strings
// mean "no bound". To exclude only the empty key, use Start: "\x00".
type ListOptions struct {
	Start      string // first key, inclusive
	StartAfter string // keys after this one (exclusive); combined with Start, the later bound wins
	End        string // keys before this one (exclusive)
	Prefix     string // only keys with this prefix
	Reverse    bool   // descending order; the bounds keep their meaning
	Limit      int    // at most this many keys; 0 for no limit
}

func (o ListOptions) span() span {
	s := span{lo: o.Start}
	if o.StartAfter != "" && o.StartAfter+"\x00" > s.lo {
		s.lo = o.StartAfter + "\x00" // the smallest key greater than StartAfter
	}
	if o.Prefix > s.lo {
		s.lo = o.Prefix
	}
	if o.End != "" {
		end := o.End
		s.hi = &end
	}
	if o.Prefix != "" {
		if pe := prefixEnd([]byte(o.Prefix)); pe != nil && (s.hi == nil || string(pe) < *s.hi) {
			hi := string(pe)
			s.hi = &hi
		}
	}
	if s.hi != nil && s.lo >= *s.hi {
		s.empty = true
	}
	return s
}

// Get returns the value of key, seeing the room's unflushed writes.
func (r *Room) Get(key string) (val []byte, ok bool, err error) {
	if e, found := r.buf.lookup(key); found {
		return e.val, !e.deleted, nil
	}
	if r.buf.cleared {
		return nil, false, nil
	}
	return r.getFlushed(key)
}

func (r *Room) getFlushed(key string) ([]byte, bool, error) {
	if err := r.db.acquire(); err != nil {
		return nil, false, err
	}
	defer r.db.release()
	k := make([]byte, 0, len(r.data)+len(key))
	k = append(append(k, r.data...), key...)
	v, closer, err := r.db.pdb.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: room %s: get %q: %w", r.key, key, err)
	}
	out := append([]byte(nil), v...)
	return out, true, closer.Close()
}

// Put buffers key=val; it becomes durable after Flush.
func (r *Room) Put(key string, val []byte) error {
	if val == nil {
		val = []byte{}
	}
	r.buf.put(key, val)
	return nil
}

// Delete buffers the removal of key and reports whether it existed.
func (r *Room) Delete(key string) (existed bool, err error) {
	_, existed, err = r.Get(key)
	if err != nil {
		return false, err
	}
	r.buf.del(key)
	return existed, nil
}

// DeleteAll buffers the removal of every key of the room. The alarm is
// separate state and stays.
func (r *Room) DeleteAll() error {
	r.buf.clear()
	return nil
}

// List calls fn for each key in o's range, in order, until fn returns false.
// It sees the room's unflushed writes. fn must not call back into the store.
func (r *Room) List(o ListOptions, fn func(key string, val []byte) bool) error {
	s := o.span()
	if s.empty {
		return nil
	}
	c, err := r.cursor(s, o.Reverse)
	if err != nil {
		return err
	}
	return drain(c, o.Limit, fn)
}

// cursor merges the room's buffer over Pebble within s. The caller must
// Close it.
func (r *Room) cursor(s span, reverse bool) (cursor, error) {
	top := r.buf.rangeCursor(s, reverse)
	if r.buf.cleared {
		return newMergeCursor(nil, top, reverse), nil
	}
	base, err := r.pebbleCursor(s, reverse)
	if err != nil {
		return nil, err
	}
	return newMergeCursor(base, top, reverse), nil
}

func drain(c cursor, limit int, fn func(string, []byte) bool) error {
	n := 0
	for ; c.Valid(); c.Next() {
		if limit > 0 && n >= limit {
			break
		}
		n++
		if !fn(c.Key(), c.Value()) {
			break
		}
	}
	return c.Close()
}

// pebbleCursor walks the room's flushed values within s.
type pebbleCursor struct {
	db      *DB
	it      *pebble.Iterator
	strip   int
	reverse bool
	valid   bool
	err     error
}

func (r *Room) pebbleCursor(s span, reverse bool) (*pebbleCursor, error) {
	if err := r.db.acquire(); err != nil {
		return nil, err
	}
	lo := append(append([]byte(nil), r.data...), s.lo...)
	hi := r.dataHi
	if s.hi != nil {
		hi = append(append([]byte(nil), r.data...), *s.hi...)
	}
	it, err := r.db.pdb.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		r.db.release()
		return nil, fmt.Errorf("store: room %s: list: %w", r.key, err)
	}
	c := &pebbleCursor{db: r.db, it: it, strip: len(r.data), reverse: reverse}
	if reverse {
		c.valid = it.Last()
	} else {
		c.valid = it.First()
	}
	return c, nil
}

func (c *pebbleCursor) Valid() bool   { return c.valid }
func (c *pebbleCursor) Key() string   { return string(c.it.Key()[c.strip:]) }
func (c *pebbleCursor) Value() []byte { return c.it.Value() }

func (c *pebbleCursor) Next() {
	if c.reverse {
		c.valid = c.it.Prev()
	} else {
		c.valid = c.it.Next()
	}
}

func (c *pebbleCursor) Close() error {
	err := c.it.Close()
	c.db.release()
	if err != nil {
		return fmt.Errorf("store: list: %w", err)
	}
	return nil
}

// GetAlarm returns the room's alarm, seeing unflushed changes.
func (r *Room) GetAlarm() (time.Time, bool, error) {
	if r.buf.alarm.changed {
		return r.buf.alarm.at, r.buf.alarm.set, nil
	}
	return r.flushedAlarm()
}

func (r *Room) flushedAlarm() (time.Time, bool, error) {
	if err := r.db.acquire(); err != nil {
		return time.Time{}, false, err
	}
	defer r.db.release()
	return r.flushedAlarmLocked()
}

// SetAlarm buffers a new alarm time, replacing any other.
func (r *Room) SetAlarm(t time.Time) error {
	r.buf.alarm = alarmChange{changed: true, set: true, at: clampAlarm(t)}
	return nil
}

// DeleteAlarm buffers the removal of the alarm.
func (r *Room) DeleteAlarm() error {
	r.buf.alarm = alarmChange{changed: true}
	return nil
}

// Pending reports whether the room has unflushed writes.
func (r *Room) Pending() bool { return !r.buf.empty() }

// Flush applies every buffered write (values, deletions, deleteAll, alarm) as
// one atomic Pebble batch without waiting for the disk, and returns the
// ticket to pass to DB.WhenDurable. The writes are visible at once and
// survive a crash only once durable. With nothing buffered it returns the
// room's previous ticket, so a turn without writes still waits for the
// writes before it. After an error the buffer is kept, but the room should be
// reset: its JS state may assume writes that will never land.
func (r *Room) Flush() (Ticket, error) {
	if r.buf.empty() {
		return r.last, nil
	}
	t, err := r.apply()
	waiting := r.onSync
	r.onSync = nil
	for _, fn := range waiting {
		if err != nil {
			go fn(err)
		} else {
			r.db.WhenDurable(t, fn)
		}
	}
	return t, err
}

func (r *Room) apply() (Ticket, error) {
	if err := r.db.acquire(); err != nil {
		return 0, err
	}
	defer r.db.release()

	b := r.db.pdb.NewBatch()
	defer b.Close()
	if r.buf.cleared {
		if err := b.DeleteRange(r.data, r.dataHi, nil); err != nil {
			return 0, fmt.Errorf("store: room %s: flush: %w", r.key, err)
		}
	}
	var err error
	r.buf.entries.Ascend(func(e entry) bool {
		k := make([]byte, 0, len(r.data)+len(e.key))
		k = append(append(k, r.data...), e.key...)
		if e.deleted {
			err = b.Delete(k, nil)
		} else {
			err = b.Set(k, e.val, nil)
		}
		return err == nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: room %s: flush: %w", r.key, err)
	}

	alarm := r.buf.alarm
	if alarm.changed {
		if err := r.batchAlarm(b, alarm); err != nil {
			return 0, err
		}
		// Apply under the alarm lock so that RunAlarms never sees the new
		// index with the old "already fired" mark (see alarms.go).
		r.db.alarms.mu.Lock()
		err = r.db.pdb.Apply(b, pebble.NoSync)
		if err == nil {
			delete(r.db.alarms.fired, r.key)
		}
		r.db.alarms.mu.Unlock()
		r.db.alarms.wake()
	} else {
		err = r.db.pdb.Apply(b, pebble.NoSync)
	}
	if err != nil {
		return 0, fmt.Errorf("store: room %s: flush: %w", r.key, err)
	}
	r.buf.reset()
	r.last = r.db.issue()
	return r.last, nil
}

// WhenDurable calls fn (on a store goroutine) once every write made through
// this room so far is on disk. Writes still buffered wait for the next Flush,
// which the runtime makes at the end of the turn; this is storage.sync().
func (r *Room) WhenDurable(fn func(error)) {
	if r.buf.empty() {
		r.db.WhenDurable(r.last, fn)
		return
	}
	r.onSync = append(r.onSync, fn)
}

// batchAlarm writes the alarm change and keeps the time index in step.
func (r *Room) batchAlarm(b *pebble.Batch, a alarmChange) error {
	old, had, err := r.flushedAlarmLocked()
	if err != nil {
		return err
	}
	if had {
		if err := b.Delete(alarmIndexKey(old, r.key), nil); err != nil {
			return fmt.Errorf("store: room %s: flush alarm: %w", r.key, err)
		}
	}
	if !a.set {
		if err := b.Delete(r.alarmK, nil); err != nil {
			return fmt.Errorf("store: room %s: flush alarm: %w", r.key, err)
		}
		return nil
	}
	tb := encodeTime(a.at)
	if err := b.Set(r.alarmK, tb[:], nil); err != nil {
		return fmt.Errorf("store: room %s: flush alarm: %w", r.key, err)
	}
	if err := b.Set(alarmIndexKey(a.at, r.key), nil, nil); err != nil {
		return fmt.Errorf("store: room %s: flush alarm: %w", r.key, err)
	}
	return nil
}

// flushedAlarmLocked is flushedAlarm for callers that already hold db.live.
func (r *Room) flushedAlarmLocked() (time.Time, bool, error) {
	v, closer, err := r.db.pdb.Get(r.alarmK)
	if errors.Is(err, pebble.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: room %s: get alarm: %w", r.key, err)
	}
	defer closer.Close()
	t, err := decodeTime(v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: room %s: %w", r.key, err)
	}
	return t, true, nil
}
