package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cockroachdb/pebble"
)

// alarmState remembers which alarms this process has already fired.
//
// An alarm stays in the index after it fires: the runtime deletes or re-sets
// it once onAlarm has run, so a crash in between fires it again after the
// restart. fired keeps RunAlarms from firing it twice in one process. A flush
// that changes a room's alarm clears the room's mark under mu, in the same
// critical section as the Apply, so a scan sees either the old index with the
// old mark or the new index without it.
type alarmState struct {
	mu       sync.Mutex
	fired    map[RoomKey]time.Time
	wakeC    chan struct{}
	quit     chan struct{}
	stopOnce sync.Once
}

func (a *alarmState) init() {
	a.fired = make(map[RoomKey]time.Time)
	a.wakeC = make(chan struct{}, 1)
	a.quit = make(chan struct{})
}

// wake makes RunAlarms rescan: an alarm may now be earlier than it waits for.
func (a *alarmState) wake() {
	select {
	case a.wakeC <- struct{}{}:
	default:
	}
}

func (a *alarmState) stop() { a.stopOnce.Do(func() { close(a.quit) }) }

// Alarm is an alarm as the index holds it.
type Alarm struct {
	Room RoomKey
	At   time.Time
}

// RunAlarms calls fire for each alarm that is due, in time order, once per
// process for each time a room sets it (alarms due at Open fire too: that is
// how they survive a restart). Between alarms it sleeps until the earliest
// one, waking early when a flush changes an alarm. fire runs on the caller's
// goroutine and should only hand the alarm to the room. RunAlarms returns
// when ctx ends (ctx.Err()), when the DB closes (ErrClosed) or on a read
// error.
func (db *DB) RunAlarms(ctx context.Context, fire func(RoomKey, time.Time)) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		due, next, err := db.dueAlarms(time.Now())
		if err != nil {
			return err
		}
		for _, a := range due {
			fire(a.Room, a.At)
		}
		var tick <-chan time.Time
		if !next.IsZero() {
			timer.Reset(time.Until(next))
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-db.alarms.quit:
			return ErrClosed
		case <-db.alarms.wakeC:
		case <-tick:
		}
		timer.Stop()
	}
}

// dueAlarms marks and returns the alarms due at now that have not fired yet,
// and the time of the next alarm after now (zero if none).
func (db *DB) dueAlarms(now time.Time) (due []Alarm, next time.Time, err error) {
	if err := db.acquire(); err != nil {
		return nil, time.Time{}, err
	}
	defer db.release()
	it, err := db.pdb.NewIter(&pebble.IterOptions{
		LowerBound: []byte{spaceAlarm},
		UpperBound: []byte{spaceAlarm + 1},
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: scan alarms: %w", err)
	}
	db.alarms.mu.Lock()
	defer db.alarms.mu.Unlock()
	for ok := it.First(); ok; ok = it.Next() {
		at, k, err := decodeAlarmIndexKey(it.Key())
		if err != nil {
			_ = it.Close()
			return nil, time.Time{}, err
		}
		if at.After(now) {
			next = at
			break
		}
		if f, done := db.alarms.fired[k]; done && f.Equal(at) {
			continue
		}
		db.alarms.fired[k] = at
		due = append(due, Alarm{Room: k, At: at})
	}
	if err := it.Close(); err != nil {
		return nil, time.Time{}, fmt.Errorf("store: scan alarms: %w", err)
	}
	return due, next, nil
}

// Alarms lists every alarm in the index in time order (for tools and tests).
func (db *DB) Alarms() ([]Alarm, error) {
	if err := db.acquire(); err != nil {
		return nil, err
	}
	defer db.release()
	it, err := db.pdb.NewIter(&pebble.IterOptions{
		LowerBound: []byte{spaceAlarm},
		UpperBound: []byte{spaceAlarm + 1},
	})
	if err != nil {
		return nil, fmt.Errorf("store: list alarms: %w", err)
	}
	var out []Alarm
	for ok := it.First(); ok; ok = it.Next() {
		at, k, err := decodeAlarmIndexKey(it.Key())
		if err != nil {
			_ = it.Close()
			return nil, err
		}
		out = append(out, Alarm{Room: k, At: at})
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("store: list alarms: %w", err)
	}
	return out, nil
}
