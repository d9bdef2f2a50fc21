package store

import (
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"
)

var benchVal = make([]byte, 100)

// BenchmarkGet reads one key: buffered in the room (this turn's write),
// flushed and hot (in Pebble's memtable), and cold (in an sstable on disk,
// behind a tiny block cache, among 100k keys).
func BenchmarkGet(b *testing.B) {
	b.Run("buffered", func(b *testing.B) {
		db, _ := openDisk(b)
		r := db.Room(RoomKey{"p", "main", "r"})
		_ = r.Put("k", benchVal)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, ok, _ := r.Get("k"); !ok {
				b.Fatal("missing")
			}
		}
	})
	b.Run("hot", func(b *testing.B) {
		db, _ := openDisk(b)
		r := db.Room(RoomKey{"p", "main", "r"})
		_ = r.Put("k", benchVal)
		mustFlush(b, r)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, ok, _ := r.Get("k"); !ok {
				b.Fatal("missing")
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		dir := b.TempDir()
		db, err := Open(dir, Options{Logger: quietLogger()})
		if err != nil {
			b.Fatal(err)
		}
		const n = 100_000
		r := db.Room(RoomKey{"p", "main", "r"})
		for i := 0; i < n; i++ {
			_ = r.Put(fmt.Sprintf("key-%07d", i), benchVal)
			if i%1000 == 999 {
				mustFlush(b, r)
			}
		}
		mustFlush(b, r)
		if err := db.pdb.Flush(); err != nil { // memtable → sstable
			b.Fatal(err)
		}
		_ = db.Close()
		db, err = Open(dir, Options{Logger: quietLogger(), CacheSize: 1})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		r = db.Room(RoomKey{"p", "main", "r"})
		rng := rand.New(rand.NewSource(1))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, ok, _ := r.Get(fmt.Sprintf("key-%07d", rng.Intn(n))); !ok {
				b.Fatal("missing")
			}
		}
	})
}

// BenchmarkPutFlush is one turn of 10 coalesced puts and its flush (not
// waiting for the disk); ns/op is per turn.
func BenchmarkPutFlush(b *testing.B) {
	db, _ := openDisk(b)
	r := db.Room(RoomKey{"p", "main", "r"})
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprint("key-", i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, k := range keys {
			_ = r.Put(k, benchVal)
		}
		if _, err := r.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(keys))/b.Elapsed().Seconds(), "puts/s")
}

// BenchmarkGroupCommit runs N rooms at once, each doing output-gated turns:
// put, flush, wait until durable, repeat. It reports durable writes per
// second over all rooms and fsyncs per write (below 1 means rooms shared
// fsyncs). ns/op is per write.
func BenchmarkGroupCommit(b *testing.B) {
	for _, rooms := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			db, _ := openDisk(b)
			per := b.N/rooms + 1
			var wg sync.WaitGroup
			syncs0 := db.Stats().Syncs
			start := time.Now()
			b.ResetTimer()
			for i := 0; i < rooms; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					r := db.Room(RoomKey{"p", "main", fmt.Sprint(i)})
					done := make(chan error, 1)
					for j := 0; j < per; j++ {
						_ = r.Put(fmt.Sprint("k", j%100), benchVal)
						tk, err := r.Flush()
						if err != nil {
							b.Error(err)
							return
						}
						db.WhenDurable(tk, func(err error) { done <- err })
						if err := <-done; err != nil {
							b.Error(err)
							return
						}
					}
				}(i)
			}
			wg.Wait()
			b.StopTimer()
			writes := float64(per * rooms)
			b.ReportMetric(writes/time.Since(start).Seconds(), "writes/s")
			b.ReportMetric(float64(db.Stats().Syncs-syncs0)/writes, "fsyncs/write")
		})
	}
}
