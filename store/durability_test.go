package store

import (
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"

	"gopk/store/storetest"
)

// newStrictFS returns a file system that forgets unsynced data on crash, with
// /db created and its directory entry synced (as a real data dir would be).
func newStrictFS(t *testing.T) *vfs.MemFS {
	t.Helper()
	fs := vfs.NewStrictMem()
	if err := fs.MkdirAll("/db", 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := fs.OpenDir("/")
	if err != nil {
		t.Fatal(err)
	}
	if err := root.Sync(); err != nil {
		t.Fatal(err)
	}
	_ = root.Close()
	return fs
}

// crash simulates a power cut: Close's syncs are ignored and everything not
// synced before is dropped. It returns the reopened DB.
func crash(t *testing.T, fs *vfs.MemFS, db *DB, dir string) *DB {
	t.Helper()
	fs.SetIgnoreSyncs(true)
	_ = db.Close()
	fs.ResetToSyncedState()
	fs.SetIgnoreSyncs(false)
	return openFS(t, fs, dir)
}

func TestCrashKeepsSyncedFlushDropsUnsyncedWhole(t *testing.T) {
	fs := newStrictFS(t)
	db := openFS(t, fs, "/db")
	a := db.Room(RoomKey{"p", "main", "a"})
	for i := 0; i < 50; i++ {
		_ = a.Put(fmt.Sprintf("s%02d", i), []byte("synced"))
	}
	waitDurable(t, db, mustFlush(t, a))

	// One batch that is applied (visible) but never synced: new keys, an
	// overwrite, a delete, a deleteAll elsewhere and an alarm.
	for i := 0; i < 50; i++ {
		_ = a.Put(fmt.Sprintf("u%02d", i), []byte("unsynced"))
	}
	_ = a.Put("s00", []byte("overwritten"))
	_, _ = a.Delete("s01")
	_ = a.SetAlarm(timeMs(123))
	mustFlush(t, a)
	if v, _ := mustGet(t, db.Room(a.Key()), "u49"); v != "unsynced" {
		t.Fatal("flushed write not visible before the crash")
	}

	db = crash(t, fs, db, "/db")
	defer db.Close()
	a = db.Room(RoomKey{"p", "main", "a"})
	got := listAll(t, a, ListOptions{})
	if len(got) != 50 {
		t.Fatalf("after crash: %d keys, want the 50 synced ones", len(got))
	}
	for i, e := range got {
		if e.k != fmt.Sprintf("s%02d", i) || e.v != "synced" {
			t.Fatalf("after crash: key %d is %q=%q; the unsynced batch left a trace", i, e.k, e.v)
		}
	}
	if _, ok, _ := a.GetAlarm(); ok {
		t.Fatal("alarm of the unsynced batch survived the crash")
	}
	if alarms, _ := db.Alarms(); len(alarms) != 0 {
		t.Fatalf("alarm index of the unsynced batch survived: %v", alarms)
	}
}

// TestOneSyncCoversEarlierFlushes checks the premise of group commit: the
// syncer's single synced record makes every flush applied before it durable,
// including other rooms' flushes that nobody waited for.
func TestOneSyncCoversEarlierFlushes(t *testing.T) {
	fs := newStrictFS(t)
	db := openFS(t, fs, "/db")
	var last Ticket
	for i := 0; i < 20; i++ {
		r := db.Room(RoomKey{"p", "main", fmt.Sprint(i)})
		_ = r.Put("k", []byte(fmt.Sprint(i)))
		last = mustFlush(t, r)
	}
	waitDurable(t, db, last)
	if s := db.Stats().Syncs; s != 1 {
		t.Fatalf("%d syncs for one WhenDurable, want 1", s)
	}
	db = crash(t, fs, db, "/db")
	defer db.Close()
	for i := 0; i < 20; i++ {
		if v, ok := mustGet(t, db.Room(RoomKey{"p", "main", fmt.Sprint(i)}), "k"); !ok || v != fmt.Sprint(i) {
			t.Fatalf("room %d lost its flush although a later one was synced", i)
		}
	}
}

// TestRandomCrashes runs rounds of flushes from several rooms, waits for some
// of them, cuts the power and checks after every restart: each flush is all
// there or not at all, every flush acknowledged as durable is there, and
// flushes survive in order (none survives while an earlier one is lost).
func TestRandomCrashes(t *testing.T) {
	fs := newStrictFS(t)
	db := openFS(t, fs, "/db")
	rng := rand.New(rand.NewSource(7))
	const perFlush = 5
	type flush struct {
		room  RoomKey
		id    int
		acked bool
	}
	var all []flush
	for cycle := 0; cycle < 15; cycle++ {
		rooms := map[RoomKey]*Room{}
		for i := 0; i < 3; i++ {
			k := RoomKey{"p", "main", fmt.Sprint("r", i)}
			rooms[k] = db.Room(k)
		}
		start := len(all)
		for n := rng.Intn(30); n >= 0; n-- {
			k := RoomKey{"p", "main", fmt.Sprint("r", rng.Intn(3))}
			r := rooms[k]
			id := len(all)
			for j := 0; j < perFlush; j++ {
				_ = r.Put(fmt.Sprintf("f%05d-%d", id, j), []byte{byte(j)})
			}
			tk := mustFlush(t, r)
			all = append(all, flush{room: k, id: id})
			if rng.Intn(4) == 0 {
				waitDurable(t, db, tk)
				for i := start; i <= id; i++ {
					all[i].acked = true
				}
			}
		}
		db = crash(t, fs, db, "/db")
		lost := false
		for i := range all {
			f := &all[i]
			n := len(listAll(t, db.Room(f.room), ListOptions{Prefix: fmt.Sprintf("f%05d-", f.id)}))
			switch {
			case n != 0 && n != perFlush:
				t.Fatalf("cycle %d: flush %d is torn: %d of %d keys", cycle, f.id, n, perFlush)
			case n == 0 && f.acked:
				t.Fatalf("cycle %d: flush %d was acknowledged durable and is lost", cycle, f.id)
			case n == 0:
				lost = true
			case lost:
				t.Fatalf("cycle %d: flush %d survived although an earlier one was lost", cycle, f.id)
			}
		}
		// Forget lost flushes; the next cycle starts from what the disk has.
		kept := all[:0]
		for _, f := range all {
			if len(listAll(t, db.Room(f.room), ListOptions{Prefix: fmt.Sprintf("f%05d-", f.id)})) > 0 {
				f.acked = true // it is on disk now
				kept = append(kept, f)
			}
		}
		all = kept
	}
	_ = db.Close()
}

// TestGroupCommit holds the WAL's fsync while one flush waits for it, lets 50
// other rooms flush meanwhile, and checks that (1) nobody is told "durable"
// while the disk holds the sync back, and (2) the 50 share a single fsync.
func TestGroupCommit(t *testing.T) {
	gate := storetest.NewSyncGate(vfs.NewMem())
	db := openFS(t, gate, "/db")
	defer db.Close()
	defer gate.Release() // before Close, which syncs

	var mu sync.Mutex
	acked := 0
	ack := func(err error) {
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		acked++
		mu.Unlock()
	}
	ackedNow := func() int { mu.Lock(); defer mu.Unlock(); return acked }

	gate.Hold()
	first := db.Room(RoomKey{"p", "main", "first"})
	_ = first.Put("k", []byte("v"))
	db.WhenDurable(mustFlush(t, first), ack)
	waitFor(t, func() bool { return gate.Waiting() == 1 }, "syncer to block in fsync")

	const rooms = 50
	var wg sync.WaitGroup
	for i := 0; i < rooms; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := db.Room(RoomKey{"p", "main", fmt.Sprint(i)})
			_ = r.Put("k", []byte("v"))
			tk, err := r.Flush()
			if err != nil {
				t.Error(err)
				return
			}
			db.WhenDurable(tk, ack)
		}(i)
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // give a wrong implementation time to ack early
	if n := ackedNow(); n != 0 {
		t.Fatalf("%d flushes acknowledged while the fsync was held", n)
	}
	gate.Release()
	waitFor(t, func() bool { return ackedNow() == rooms+1 }, "all flushes to be acknowledged")
	if got := db.Stats().Syncs; got != 2 {
		t.Fatalf("%d syncs in all, want 2 (the held one and one shared by %d rooms)", got, rooms)
	}
}

func TestRoomWhenDurableWaitsForNextFlush(t *testing.T) {
	gate := storetest.NewSyncGate(vfs.NewMem())
	db := openFS(t, gate, "/db")
	defer db.Close()
	defer gate.Release()
	r := db.Room(RoomKey{"p", "main", "r"})

	// Nothing written yet: durable at once.
	done := make(chan error, 1)
	r.WhenDurable(func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	_ = r.Put("k", nil)
	r.WhenDurable(func(err error) { done <- err })
	select {
	case <-done:
		t.Fatal("sync resolved before the writes were flushed")
	case <-time.After(30 * time.Millisecond):
	}
	gate.Hold()
	mustFlush(t, r)
	select {
	case <-done:
		t.Fatal("sync resolved while the fsync was held")
	case <-time.After(30 * time.Millisecond):
	}
	gate.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
