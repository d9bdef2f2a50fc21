package storage

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"gopk/store"
)

// jsFunc evaluates src (a function expression) on the loop.
func (h *harness) jsFunc(src string) goja.Callable {
	h.t.Helper()
	var fn goja.Callable
	h.on(func() {
		v, err := h.vm.RunString("(" + src + ")")
		if err != nil {
			h.t.Fatal(err)
		}
		fn, _ = goja.AssertFunction(v)
	})
	return fn
}

// BenchmarkJSGet measures `await storage.get(k)` from JS: hot (the key in
// Pebble's memtable) and cold (keys in sstables behind a 1-byte block cache,
// so each read decodes a block; the OS page cache is warm).
func BenchmarkJSGet(b *testing.B) {
	b.Run("hot", func(b *testing.B) {
		h := newHarness(b)
		h.run(`await storage.put("k", {name: "x", n: 1})`)
		loop := h.jsFunc(`async n => { for (let i = 0; i < n; i++) await storage.get("k"); }`)
		b.ResetTimer()
		h.on(func() { _, _ = loop(goja.Undefined(), h.vm.ToValue(b.N)) })
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "gets/s")
	})
	b.Run("cold", func(b *testing.B) {
		dir := filepath.Join(b.TempDir(), "data")
		db := openStore(b, nil, dir)
		h := newRoomHarness(b, db, testRoom)
		const keys = 100_000
		h.run(fmt.Sprintf(`for (let i = 0; i < %d; i += 100) {
			const e = {}; for (let j = i; j < i + 100; j++) e["key-" + j] = {name: "x", n: j};
			await storage.put(e);
		}`, keys))
		h.loop.Stop()
		<-h.loop.Done()
		_ = db.Close()
		db, err := store.Open(dir, store.Options{Logger: quiet(), CacheSize: 1}) // reopening flushes the WAL to sstables
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		h = newRoomHarness(b, db, testRoom)
		loop := h.jsFunc(fmt.Sprintf(`async n => {
			let x = 12345;
			for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) %% 2147483648; await storage.get("key-" + (x %% %d)); }
		}`, keys))
		b.ResetTimer()
		h.on(func() { _, _ = loop(goja.Undefined(), h.vm.ToValue(b.N)) })
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "gets/s")
	})
}

// BenchmarkJSCoalescedPuts measures turns of 10 puts without an await
// between them, each turn flushed as one batch (not waiting for the disk).
// ns/op is per put.
func BenchmarkJSCoalescedPuts(b *testing.B) {
	h := newHarness(b)
	turn := h.jsFunc(`() => { for (let i = 0; i < 10; i++) storage.put("key-" + i, {name: "x", n: i}); }`)
	turns := b.N/10 + 1
	b.ResetTimer()
	var wg sync.WaitGroup
	wg.Add(turns)
	for i := 0; i < turns; i++ {
		h.loop.Post(func() { _, _ = turn(goja.Undefined()); wg.Done() })
	}
	wg.Wait()
	h.on(func() {}) // the last turn's flush
	b.StopTimer()
	b.ReportMetric(float64(turns*10)/b.Elapsed().Seconds(), "puts/s")
}

// BenchmarkGatedMessages runs N rooms at once; each handles "messages" that
// do `get` + `put` of a counter, and a message counts as delivered when its
// turn's batch is durable (the output gate would release the broadcast
// then). Each room has one message in flight, like a client that waits for
// its ack. It shows group commit: rooms share fsyncs.
func BenchmarkGatedMessages(b *testing.B) {
	for _, rooms := range []int{1, 100} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			db := openStore(b, nil, filepath.Join(b.TempDir(), "data"))
			defer db.Close()
			per := b.N/rooms + 1
			var wg sync.WaitGroup
			type roomRun struct {
				h       *harness
				handler goja.Callable
				left    int
				handled bool // this turn handled a message
			}
			runs := make([]*roomRun, rooms)
			for i := range runs {
				h := newRoomHarness(b, db, store.RoomKey{Project: "p", Party: "main", Room: fmt.Sprint(i)})
				runs[i] = &roomRun{h: h, left: per, handler: h.jsFunc(`async () => {
					const n = (await storage.get("count")) ?? 0;
					await storage.put("count", n + 1);
				}`)}
			}
			syncs0 := db.Stats().Syncs
			b.ResetTimer()
			start := time.Now()
			for _, r := range runs {
				r := r
				wg.Add(1)
				var deliver func()
				deliver = func() { // on the loop: handle one message
					_, _ = r.handler(goja.Undefined())
					r.handled = true
				}
				afterTurn := func(t store.Ticket) {
					if !r.handled {
						return
					}
					r.handled = false
					db.WhenDurable(t, func(error) {
						r.h.loop.Post(func() { // the ack leaves; the client sends the next message
							r.left--
							if r.left == 0 {
								wg.Done()
								return
							}
							r.h.loop.Post(deliver)
						})
					})
				}
				r.h.loop.Post(func() { r.h.afterTurn = afterTurn; deliver() })
			}
			wg.Wait()
			b.StopTimer()
			msgs := float64(per * rooms)
			b.ReportMetric(msgs/time.Since(start).Seconds(), "msgs/s")
			b.ReportMetric(float64(db.Stats().Syncs-syncs0)/msgs, "fsyncs/msg")
		})
	}
}
