// Package eventloop runs one room's JavaScript: a FIFO of Go closures executed
// on a single goroutine, timers that fire on it, and a gate that holds back
// external events while the room must not see them (onStart, input gate,
// blockConcurrencyWhile).
//
// goja drains its microtask queue when the outermost Go→JS call returns, so a
// job that resolves a promise also runs the continuations before it ends; the
// loop needs no microtask handling of its own.
package eventloop

import (
	"context"
	"sync"
	"time"
)

// Loop is a single-goroutine executor. The zero value is not usable; use New.
type Loop struct {
	mu      sync.Mutex
	jobs    []func() // internal work: completions, timers; always runs
	events  []func() // external events; run only while the gate is open
	spare   []func()
	wake    chan struct{}
	stopped bool
	held    int // >0: events wait (only touched on the loop goroutine)

	timers map[*timer]struct{}
	busy   int // outstanding Go work (guarded by mu)

	runJob func(func())
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

type timer struct{ t *time.Timer }

// Options tune a loop.
type Options struct {
	// RunJob wraps every job (internal and event). The runtime uses it for the
	// watchdog, end-of-turn storage flushes and panic recovery. Default: fn().
	RunJob func(fn func())
}

// New makes a loop; call Run on the goroutine that will own it.
func New(opts Options) *Loop {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Loop{
		wake:   make(chan struct{}, 1),
		timers: make(map[*timer]struct{}),
		runJob: opts.RunJob,
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	if l.runJob == nil {
		l.runJob = func(fn func()) { fn() }
	}
	return l
}

func (l *Loop) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Post queues an internal job. Safe from any goroutine.
func (l *Loop) Post(fn func()) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.jobs = append(l.jobs, fn)
	l.mu.Unlock()
	l.signal()
	return true
}

// PostEvent queues an external event; it runs only while the gate is open.
// Events keep their order among themselves. Safe from any goroutine.
func (l *Loop) PostEvent(fn func()) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.events = append(l.events, fn)
	l.mu.Unlock()
	l.signal()
	return true
}

// Hold closes the gate: queued and new events wait until a matching Release.
// Loop goroutine only.
func (l *Loop) Hold() { l.held++ }

// Release opens the gate one level. Loop goroutine only.
func (l *Loop) Release() {
	if l.held > 0 {
		l.held--
	}
	if l.held == 0 {
		l.signal()
	}
}

// ReleaseAll opens the gate whatever held it: the holder is gone (a VM
// that was discarded with a transaction or onStart still pending).
// Loop goroutine only.
func (l *Loop) ReleaseAll() {
	if l.held > 0 {
		l.held = 0
		l.signal()
	}
}

// Held reports whether events are currently held. Loop goroutine only.
func (l *Loop) Held() bool { return l.held > 0 }

// AfterFunc runs fn on the loop after d.
func (l *Loop) AfterFunc(d time.Duration, fn func()) (cancel func() bool) {
	t := &timer{}
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return func() bool { return false }
	}
	l.timers[t] = struct{}{}
	l.mu.Unlock()
	fire := func() {
		l.mu.Lock()
		_, live := l.timers[t]
		delete(l.timers, t)
		l.mu.Unlock()
		if live {
			fn()
		}
	}
	t.t = time.AfterFunc(d, func() { l.Post(fire) })
	return func() bool {
		l.mu.Lock()
		_, live := l.timers[t]
		delete(l.timers, t)
		l.mu.Unlock()
		t.t.Stop()
		return live
	}
}

// Go runs work off the loop and its result on it.
func (l *Loop) Go(work func(ctx context.Context) func()) {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.busy++
	l.mu.Unlock()
	go func() {
		apply := work(l.ctx)
		ok := l.Post(func() {
			l.mu.Lock()
			l.busy--
			l.mu.Unlock()
			if apply != nil {
				apply()
			}
		})
		if !ok {
			l.mu.Lock()
			l.busy--
			l.mu.Unlock()
		}
	}()
}

// Context is cancelled when the loop stops.
func (l *Loop) Context() context.Context { return l.ctx }

// Pending reports live timers and outstanding Go work: a room with neither
// (and no sockets or alarm) may be evicted. Safe from any goroutine.
func (l *Loop) Pending() (timers, work int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.timers), l.busy
}

// Stop ends the loop: queued jobs and events are dropped, timers cancelled,
// later Posts return false. Safe from any goroutine; Run returns soon after.
func (l *Loop) Stop() {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.stopped = true
	for t := range l.timers {
		t.t.Stop()
	}
	l.timers = nil
	l.jobs, l.events = nil, nil
	l.mu.Unlock()
	l.cancel()
	l.signal()
}

// Done is closed when Run has returned.
func (l *Loop) Done() <-chan struct{} { return l.done }

// Run executes jobs until Stop. Internal jobs run first, in order; then one
// event, if the gate is open. Running one event at a time lets a job that
// closes the gate (onStart, a cold read) hold back the very next event.
func (l *Loop) Run() {
	defer close(l.done)
	for {
		l.mu.Lock()
		if l.stopped {
			l.mu.Unlock()
			return
		}
		if len(l.jobs) > 0 {
			batch := l.jobs
			l.jobs = l.spare[:0]
			l.mu.Unlock()
			for i, fn := range batch {
				batch[i] = nil
				if l.isStopped() {
					return
				}
				l.runJob(fn)
			}
			l.mu.Lock()
			l.spare = batch[:0]
			l.mu.Unlock()
			continue
		}
		if l.held == 0 && len(l.events) > 0 {
			fn := l.events[0]
			l.events[0] = nil
			l.events = l.events[1:]
			l.mu.Unlock()
			l.runJob(fn)
			continue
		}
		l.mu.Unlock()
		<-l.wake
	}
}

func (l *Loop) isStopped() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopped
}
