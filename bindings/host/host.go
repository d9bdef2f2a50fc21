// Package host defines what a JS binding may ask of the room that runs it.
//
// Every binding (Web globals, storage, the Room and Connection objects) is
// installed on one goja.Runtime that belongs to one room. Only the room's
// goroutine may touch that runtime; bindings that do I/O run it elsewhere and
// hand the result back through Loop.
package host

import (
	"context"
	"log/slog"
	"time"
)

// Loop is the room's event loop as bindings see it. Unless a method says
// otherwise it must be called on the loop goroutine.
type Loop interface {
	// Post queues fn to run on the loop goroutine. It is safe from any
	// goroutine and returns false when the loop has stopped (fn never runs).
	Post(fn func()) bool

	// AfterFunc runs fn on the loop after d. cancel stops it; it reports
	// whether the timer was still pending. Timers die with the loop.
	AfterFunc(d time.Duration, fn func()) (cancel func() bool)

	// Go runs work on its own goroutine and then the function it returns on
	// the loop. While work runs the room counts as busy (it is not evicted).
	// If the loop stops first, the returned function is dropped.
	Go(work func(ctx context.Context) (apply func()))

	// Context is cancelled when the loop stops; outbound I/O should use it.
	Context() context.Context
}

// Env is what a room tells its bindings about where they run.
type Env struct {
	Loop   Loop
	Logger *slog.Logger // tagged with party and room; console.* goes here
}
