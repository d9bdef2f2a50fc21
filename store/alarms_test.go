package store

import (
	"context"
	"testing"
	"time"
)

type fired struct {
	room RoomKey
	at   time.Time
	when time.Time
}

// runAlarms starts RunAlarms and returns the channel it reports to.
func runAlarms(t *testing.T, db *DB) <-chan fired {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan fired, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = db.RunAlarms(ctx, func(k RoomKey, at time.Time) {
			ch <- fired{k, at, time.Now()}
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ch
}

func next(t *testing.T, ch <-chan fired) fired {
	t.Helper()
	select {
	case f := <-ch:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no alarm fired")
		return fired{}
	}
}

func none(t *testing.T, ch <-chan fired, d time.Duration) {
	t.Helper()
	select {
	case f := <-ch:
		t.Fatalf("unexpected alarm for %s at %v", f.room, f.at)
	case <-time.After(d):
	}
}

func setAlarm(t *testing.T, db *DB, room string, at time.Time) {
	t.Helper()
	r := db.Room(RoomKey{"p", "main", room})
	if err := r.SetAlarm(at); err != nil {
		t.Fatal(err)
	}
	mustFlush(t, r)
}

func TestAlarmsFireInTimeOrderNotEarly(t *testing.T) {
	db, _ := openDisk(t)
	base := time.Now()
	setAlarm(t, db, "c", base.Add(90*time.Millisecond))
	setAlarm(t, db, "a", base.Add(30*time.Millisecond))
	setAlarm(t, db, "b", base.Add(60*time.Millisecond))
	ch := runAlarms(t, db)
	for _, want := range []string{"a", "b", "c"} {
		f := next(t, ch)
		if f.room.Room != want {
			t.Fatalf("fired %s, want %s", f.room.Room, want)
		}
		if f.when.Before(f.at) {
			t.Fatalf("alarm for %s at %v fired early, at %v", want, f.at, f.when)
		}
	}
	none(t, ch, 100*time.Millisecond) // each fires once
}

func TestEarlierAlarmWakesRunner(t *testing.T) {
	db, _ := openDisk(t)
	setAlarm(t, db, "late", time.Now().Add(time.Hour))
	ch := runAlarms(t, db)
	none(t, ch, 20*time.Millisecond)
	setAlarm(t, db, "soon", time.Now().Add(10*time.Millisecond))
	if f := next(t, ch); f.room.Room != "soon" {
		t.Fatalf("fired %s, want soon", f.room.Room)
	}
}

func TestAlarmOncePerSetting(t *testing.T) {
	db, _ := openDisk(t)
	ch := runAlarms(t, db)
	at := time.Now().Add(-time.Second) // past alarms fire as soon as possible
	setAlarm(t, db, "r", at)
	next(t, ch)
	none(t, ch, 50*time.Millisecond)
	setAlarm(t, db, "r", at) // setting it again, even to the same time, re-arms it
	if f := next(t, ch); !f.at.Equal(at) {
		t.Fatalf("re-set alarm fired with time %v, want %v", f.at, at)
	}
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.DeleteAlarm()
	mustFlush(t, r)
	if alarms, _ := db.Alarms(); len(alarms) != 0 {
		t.Fatalf("index after deleteAlarm: %v", alarms)
	}
}

func TestOneAlarmPerRoom(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.SetAlarm(timeMs(1000))
	mustFlush(t, r)
	_ = r.SetAlarm(timeMs(3000))
	_ = r.SetAlarm(timeMs(2000)) // the last one in a turn wins
	if at, ok, _ := r.GetAlarm(); !ok || at.UnixMilli() != 2000 {
		t.Fatalf("buffered alarm %v %v, want 2000", at, ok)
	}
	mustFlush(t, r)
	alarms, err := db.Alarms()
	if err != nil {
		t.Fatal(err)
	}
	if len(alarms) != 1 || alarms[0].At.UnixMilli() != 2000 {
		t.Fatalf("index %v, want one alarm at 2000", alarms)
	}
	if at, ok, _ := db.Room(r.Key()).GetAlarm(); !ok || at.UnixMilli() != 2000 {
		t.Fatalf("flushed alarm %v %v", at, ok)
	}
}

func TestUnflushedAlarmDoesNotFire(t *testing.T) {
	db, _ := openDisk(t)
	ch := runAlarms(t, db)
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.SetAlarm(time.Now())
	none(t, ch, 50*time.Millisecond)
	mustFlush(t, r)
	next(t, ch)
}

func TestAlarmsFireAfterRestart(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	// "fired" fires in this process but is never cleared (onAlarm did not
	// finish); "pending" comes due while the server is down.
	setAlarm(t, db, "fired", time.Now())
	setAlarm(t, db, "pending", time.Now().Add(100*time.Millisecond))
	ch := make(chan fired, 10)
	ctx, cancel := context.WithCancel(context.Background())
	go db.RunAlarms(ctx, func(k RoomKey, at time.Time) { ch <- fired{k, at, time.Now()} })
	if f := next(t, ch); f.room.Room != "fired" {
		t.Fatalf("fired %s first", f.room.Room)
	}
	cancel()
	waitDurable(t, db, db.Room(RoomKey{"p", "main", "x"}).last)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)

	db, err = Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ch2 := runAlarms(t, db)
	got := map[string]bool{}
	for i := 0; i < 2; i++ {
		got[next(t, ch2).room.Room] = true
	}
	if !got["fired"] || !got["pending"] {
		t.Fatalf("after restart fired %v, want both alarms", got)
	}
}

func TestRunAlarmsStopsOnClose(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan error, 1)
	go func() { res <- db.RunAlarms(context.Background(), func(RoomKey, time.Time) {}) }()
	time.Sleep(10 * time.Millisecond)
	_ = db.Close()
	select {
	case err := <-res:
		if err != ErrClosed {
			t.Fatalf("RunAlarms returned %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunAlarms did not return after Close")
	}
}
