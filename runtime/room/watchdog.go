package room

import (
	"fmt"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// A watchdog stops events that run too long or allocate too much. goja
// cannot bound one runtime's CPU or heap, so it watches from outside: every
// tick it looks at the event each room is running and interrupts those past
// the CPU budget, or during which the process heap grew by more than the
// memory budget. An interrupted VM is treated as crashed: the room resets.
//
// What it cannot stop: a single native operation (a huge regexp backtrack,
// "x".repeat(1e9)) runs to its end before the interrupt lands.
type watchdog struct {
	m        *Rooms
	tick     time.Duration
	heap     atomic.Uint64 // process heap at the last tick
	stopOnce sync.Once
	stop     chan struct{}
}

// jobSlot is a room's view for the watchdog.
type jobSlot struct {
	mu        sync.Mutex
	start     time.Time // zero when no event runs
	heapStart uint64
	vm        *goja.Runtime
	fired     error // why the current event was interrupted
}

// budgetError is the value an interrupted VM carries.
type budgetError struct{ why string }

func (e *budgetError) Error() string { return e.why }

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func readHeap() uint64 {
	s := make([]metrics.Sample, 1)
	s[0].Name = heapSample[0].Name
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func newWatchdog(m *Rooms) *watchdog {
	w := &watchdog{m: m, tick: 10 * time.Millisecond, stop: make(chan struct{})}
	if b := m.opts.EventBudget; b > 0 && b/20 > w.tick {
		w.tick = min(b/20, 50*time.Millisecond)
	}
	w.heap.Store(readHeap())
	go w.run()
	return w
}

func (w *watchdog) close() { w.stopOnce.Do(func() { close(w.stop) }) }

func (w *watchdog) run() {
	t := time.NewTicker(w.tick)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			heap := readHeap()
			w.heap.Store(heap)
			w.check(now, heap)
		}
	}
}

func (w *watchdog) check(now time.Time, heap uint64) {
	budget, memBudget := w.m.opts.EventBudget, w.m.opts.MemoryBudget
	w.m.mu.Lock()
	slots := make([]*jobSlot, 0, len(w.m.rooms)+len(w.m.edges))
	for _, r := range w.m.rooms {
		slots = append(slots, &r.job)
	}
	for _, e := range w.m.edges {
		slots = append(slots, &e.job)
	}
	w.m.mu.Unlock()
	for _, s := range slots {
		s.mu.Lock()
		if !s.start.IsZero() && s.vm != nil && s.fired == nil {
			var why error
			if budget > 0 && now.Sub(s.start) > budget {
				why = &budgetError{fmt.Sprintf("event ran longer than its CPU budget of %s", budget)}
			} else if memBudget > 0 && heap > s.heapStart && heap-s.heapStart > uint64(memBudget) {
				why = &budgetError{fmt.Sprintf("event grew the heap by %d MiB, over its budget of %d MiB", (heap-s.heapStart)>>20, memBudget>>20)}
			}
			if why != nil {
				s.fired = why
				s.vm.Interrupt(why)
			}
		}
		s.mu.Unlock()
	}
}

// begin and end bracket every job of a room or an edge.
func (s *jobSlot) begin(vm *goja.Runtime, heap uint64) {
	s.mu.Lock()
	s.start = time.Now()
	s.heapStart = heap
	s.vm = vm
	s.mu.Unlock()
}

func (r *Room) jobBegin() {
	var vm *goja.Runtime
	if r.vm != nil {
		vm = r.vm.vm
	}
	r.job.begin(vm, r.m.dog.heap.Load())
}

// watchVM tells the watchdog which VM the current job runs (it changes when
// a job starts one).
func (r *Room) watchVM(vm *goja.Runtime) {
	s := &r.job
	s.mu.Lock()
	s.vm = vm
	s.mu.Unlock()
}

// jobEnd reports whether the job was interrupted. A fired interrupt that
// arrived after JS returned is latched in the VM; either way the VM is done.
func (r *Room) jobEnd() error { return r.job.end() }

func (s *jobSlot) end() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.start = time.Time{}
	why := s.fired
	if why != nil && s.vm != nil {
		s.vm.ClearInterrupt()
	}
	s.fired = nil
	s.vm = nil
	return why
}
