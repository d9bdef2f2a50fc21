package serve

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"

	"gopk/store"
)

// The storage sync metric must see the fsyncs that acknowledge writes.
func TestTimedWALSeesCommitSyncs(t *testing.T) {
	var syncs atomic.Int64
	db, err := store.Open(t.TempDir(), store.Options{FS: timedWAL{FS: vfs.Default, observe: func(time.Duration) { syncs.Add(1) }}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := syncs.Load()
	r := db.Room(store.RoomKey{Project: "p", Party: "main", Room: "r"})
	if err := r.Put("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	r.WhenDurable(func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if syncs.Load() == before {
		t.Fatal("a durable write made no timed WAL sync")
	}
}
