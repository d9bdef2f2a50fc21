package store

import (
	"strings"
	"time"

	"github.com/google/btree"
)

// entry is one buffered write: a value, or a tombstone when deleted is set.
type entry struct {
	key     string
	val     []byte
	deleted bool
}

func entryLess(a, b entry) bool { return a.key < b.key }

// alarmChange is a buffered setAlarm or deleteAlarm.
type alarmChange struct {
	changed bool
	set     bool // false: deleted
	at      time.Time
}

// overlay holds writes not yet visible below it: a room's unflushed turn, or
// an open transaction. Reads consult the overlay first and fall through to the
// layer below unless cleared says that layer was wiped (deleteAll).
type overlay struct {
	entries *btree.BTreeG[entry]
	cleared bool
	alarm   alarmChange
}

func newOverlay() *overlay {
	return &overlay{entries: btree.NewG(16, entryLess)}
}

func (o *overlay) empty() bool {
	return o.entries.Len() == 0 && !o.cleared && !o.alarm.changed
}

func (o *overlay) reset() {
	o.entries.Clear(true)
	o.cleared = false
	o.alarm = alarmChange{}
}

// lookup reports what the overlay knows about key: found is false when the
// answer lies below (or, if cleared, nowhere).
func (o *overlay) lookup(key string) (e entry, found bool) {
	return o.entries.Get(entry{key: key})
}

func (o *overlay) put(key string, val []byte) {
	o.entries.ReplaceOrInsert(entry{key: key, val: val})
}

func (o *overlay) del(key string) {
	if o.cleared {
		// Nothing lies below a cleared overlay; a tombstone would only take space.
		o.entries.Delete(entry{key: key})
		return
	}
	o.entries.ReplaceOrInsert(entry{key: key, deleted: true})
}

func (o *overlay) clear() {
	o.entries.Clear(true)
	o.cleared = true
}

// mergeInto moves o's writes into the overlay below it (a transaction commit).
func (o *overlay) mergeInto(dst *overlay) {
	if o.cleared {
		dst.clear()
	}
	o.entries.Ascend(func(e entry) bool {
		if e.deleted {
			dst.del(e.key)
		} else {
			dst.put(e.key, e.val)
		}
		return true
	})
	if o.alarm.changed {
		dst.alarm = o.alarm
	}
}

// span is a range of user keys: lo inclusive, hi exclusive, hi == nil for
// unbounded. It is the normal form of ListOptions.
type span struct {
	lo    string
	hi    *string
	empty bool // the options select nothing
}

func (s span) contains(k string) bool {
	return k >= s.lo && (s.hi == nil || k < *s.hi)
}

// cursor walks user keys in one direction. Value is valid until Next.
type cursor interface {
	Valid() bool
	Key() string
	Value() []byte
	Next()
	Close() error
}

// sliceCursor walks a snapshot of overlay entries (tombstones included).
type sliceCursor struct {
	es []entry
	i  int
}

func (c *sliceCursor) Valid() bool   { return c.i < len(c.es) }
func (c *sliceCursor) Key() string   { return c.es[c.i].key }
func (c *sliceCursor) Value() []byte { return c.es[c.i].val }
func (c *sliceCursor) Next()         { c.i++ }
func (c *sliceCursor) Close() error  { return nil }
func (c *sliceCursor) deleted() bool { return c.es[c.i].deleted }

// rangeCursor snapshots o's entries inside s in the given direction. The
// overlay holds one turn's or one transaction's writes, so copying them is
// cheap and keeps the cursor valid if the caller writes while listing.
func (o *overlay) rangeCursor(s span, reverse bool) *sliceCursor {
	var es []entry
	collect := func(e entry) bool {
		es = append(es, e)
		return true
	}
	if !reverse {
		if s.hi == nil {
			o.entries.AscendGreaterOrEqual(entry{key: s.lo}, collect)
		} else {
			o.entries.AscendRange(entry{key: s.lo}, entry{key: *s.hi}, collect)
		}
	} else {
		keep := func(e entry) bool {
			if e.key < s.lo {
				return false
			}
			return collect(e)
		}
		if s.hi == nil {
			o.entries.Descend(keep)
		} else {
			o.entries.DescendLessOrEqual(entry{key: *s.hi}, func(e entry) bool {
				if e.key == *s.hi {
					return true // hi is exclusive
				}
				return keep(e)
			})
		}
	}
	return &sliceCursor{es: es}
}

// mergeCursor lays an overlay's entries over a base cursor: on equal keys the
// overlay wins, and its tombstones hide the base's key.
type mergeCursor struct {
	base    cursor // nil when the overlay is cleared
	top     *sliceCursor
	reverse bool
	fromTop bool
}

func newMergeCursor(base cursor, top *sliceCursor, reverse bool) *mergeCursor {
	m := &mergeCursor{base: base, top: top, reverse: reverse}
	m.settle()
	return m
}

// before reports whether key a comes before b in the walk's direction.
func (m *mergeCursor) before(a, b string) bool {
	if m.reverse {
		return strings.Compare(a, b) > 0
	}
	return a < b
}

// settle positions the cursor on the next visible key.
func (m *mergeCursor) settle() {
	for {
		baseOK := m.base != nil && m.base.Valid()
		topOK := m.top.Valid()
		switch {
		case !baseOK && !topOK:
			return
		case !topOK:
			m.fromTop = false
			return
		case !baseOK || m.before(m.top.Key(), m.base.Key()):
			if m.top.deleted() {
				m.top.Next()
				continue
			}
			m.fromTop = true
			return
		case m.top.Key() == m.base.Key():
			m.base.Next() // shadowed by the overlay
			continue
		default:
			m.fromTop = false
			return
		}
	}
}

func (m *mergeCursor) Valid() bool {
	return m.top.Valid() || (m.base != nil && m.base.Valid())
}

func (m *mergeCursor) Key() string {
	if m.fromTop {
		return m.top.Key()
	}
	return m.base.Key()
}

func (m *mergeCursor) Value() []byte {
	if m.fromTop {
		return m.top.Value()
	}
	return m.base.Value()
}

func (m *mergeCursor) Next() {
	if m.fromTop {
		m.top.Next()
	} else {
		m.base.Next()
	}
	m.settle()
}

func (m *mergeCursor) Close() error {
	if m.base != nil {
		return m.base.Close()
	}
	return nil
}
