package web

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/dop251/goja"
)

// maxTimerDelay is the largest delay browsers and workerd honour (2^31-1 ms).
const maxTimerDelay = math.MaxInt32

// timerTable maps the numeric ids JS sees to pending timers. Ids are
// shared by timeouts and intervals, as the HTML spec says.
type timerTable struct {
	next int64
	live map[int64]*timerEntry
}

// timerEntry is one scheduled callback. Each has its own loop timer; when
// one fires, every live timer due no later than it runs first, in deadline
// order, so two timers whose Go timers raced still run in the order their
// deadlines say (a 1 ms timeout before a 20 ms one, however busy the host).
type timerEntry struct {
	id       int64
	deadline time.Time
	cancel   func() bool
	run      func()
}

func (t *timerTable) add(e *timerEntry) {
	if t.live == nil {
		t.live = make(map[int64]*timerEntry)
	}
	t.live[e.id] = e
}

func (t *timerTable) newID() int64 {
	t.next++
	return t.next
}

func (t *timerTable) cancel(id int64) {
	if e, ok := t.live[id]; ok {
		delete(t.live, id)
		e.cancel()
	}
}

func (t *timerTable) cancelAll() {
	for id, e := range t.live {
		delete(t.live, id)
		e.cancel()
	}
}

// fireUpTo runs, in deadline order, every live timer due by e's deadline.
func (t *timerTable) fireUpTo(e *timerEntry) {
	var due []*timerEntry
	for _, x := range t.live {
		if !x.deadline.After(e.deadline) {
			due = append(due, x)
		}
	}
	slices.SortFunc(due, func(a, b *timerEntry) int {
		if c := a.deadline.Compare(b.deadline); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for _, x := range due {
		if t.live[x.id] != x {
			continue // cleared or re-armed by an earlier callback
		}
		x.cancel()
		x.run()
	}
}

// buildTimers makes setTimeout/setInterval/clearTimeout/clearInterval on the
// room's loop. Like workerd they return numbers and there is no setImmediate.
func (g *Globals) buildTimers() []goja.Value {
	set := func(repeat bool) func(goja.FunctionCall) goja.Value {
		name := "setTimeout"
		if repeat {
			name = "setInterval"
		}
		return func(call goja.FunctionCall) goja.Value {
			fn, ok := goja.AssertFunction(call.Argument(0))
			if !ok {
				g.throwTypeError("%s: the callback must be a function", name)
			}
			delay := timerDelay(call.Argument(1))
			var extra []goja.Value
			if len(call.Arguments) > 2 {
				extra = append(extra, call.Arguments[2:]...)
			}
			return g.vm.ToValue(g.startTimer(fn, delay, repeat, extra))
		}
	}
	clear := func(call goja.FunctionCall) goja.Value {
		id := call.Argument(0)
		if goja.IsUndefined(id) || goja.IsNull(id) {
			return goja.Undefined()
		}
		g.timers.cancel(id.ToInteger())
		return goja.Undefined()
	}
	return []goja.Value{
		g.vm.ToValue(set(false)),
		g.vm.ToValue(set(true)),
		g.vm.ToValue(clear),
		g.vm.ToValue(clear),
	}
}

func timerDelay(v goja.Value) time.Duration {
	if goja.IsUndefined(v) {
		return 0
	}
	ms := v.ToFloat()
	if math.IsNaN(ms) || ms < 0 {
		ms = 0
	}
	if ms > maxTimerDelay {
		ms = maxTimerDelay
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// startTimer schedules fn and returns its id. An interval re-arms itself
// before running the callback, so clearInterval inside the callback works.
func (g *Globals) startTimer(fn goja.Callable, delay time.Duration, repeat bool, args []goja.Value) int64 {
	if g.closed {
		return 0
	}
	var ctx any
	if g.asyncCtx != nil {
		ctx = g.asyncCtx.Grab()
	}
	id := g.timers.newID()
	var arm func()
	call := func() {
		if g.asyncCtx != nil {
			g.asyncCtx.Resumed(ctx)
			defer g.asyncCtx.Exited()
		}
		if _, err := fn(goja.Undefined(), args...); err != nil {
			g.reportError(err)
		}
	}
	arm = func() {
		e := &timerEntry{id: id, deadline: time.Now().Add(delay)}
		e.run = func() {
			if repeat {
				arm()
			} else {
				delete(g.timers.live, id)
			}
			call()
		}
		e.cancel = g.env.Loop.AfterFunc(delay, func() {
			if g.timers.live[id] == e {
				g.timers.fireUpTo(e)
			}
		})
		g.timers.add(e)
	}
	arm()
	return id
}

// buildQueueMicrotask makes queueMicrotask on goja's own job queue: the
// callback runs when the current job's microtasks drain, before any timer or
// I/O completion. A throwing callback is reported, not swallowed.
func (g *Globals) buildQueueMicrotask() []goja.Value {
	qm := func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			g.throwTypeError("queueMicrotask: the callback must be a function")
		}
		g.enqueueJob(func() {
			if _, err := fn(goja.Undefined()); err != nil {
				g.reportError(err)
			}
		})
		return goja.Undefined()
	}
	return []goja.Value{g.vm.ToValue(qm)}
}

// enqueueJob runs job as a microtask, via the reaction of a resolved promise.
func (g *Globals) enqueueJob(job func()) {
	if g.classes.promiseThen == nil {
		proto := g.vm.Get("Promise").ToObject(g.vm).Get("prototype").ToObject(g.vm)
		g.classes.promiseThen, _ = goja.AssertFunction(proto.Get("then"))
	}
	p, resolve, _ := g.vm.NewPromise()
	_ = resolve(goja.Undefined())
	reaction := g.vm.ToValue(func(goja.FunctionCall) goja.Value {
		job()
		return goja.Undefined()
	})
	if _, err := g.classes.promiseThen(g.vm.ToValue(p), reaction); err != nil {
		panic(err)
	}
}
