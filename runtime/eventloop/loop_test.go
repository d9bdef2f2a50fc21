package eventloop

import (
	"context"
	"sync"
	"testing"
	"time"

	"gopk/bindings/host"
)

var _ host.Loop = (*Loop)(nil)

func start(t *testing.T) *Loop {
	l := New(Options{})
	go l.Run()
	t.Cleanup(l.Stop)
	return l
}

// on runs fn on the loop and waits for it.
func on(l *Loop, fn func()) {
	done := make(chan struct{})
	l.Post(func() { fn(); close(done) })
	<-done
}

func TestJobsRunInOrder(t *testing.T) {
	l := start(t)
	var got []int
	var wg sync.WaitGroup
	wg.Add(100)
	for i := 0; i < 100; i++ {
		i := i
		l.Post(func() { got = append(got, i); wg.Done() })
	}
	wg.Wait()
	for i, v := range got {
		if v != i {
			t.Fatalf("job %d ran at position %d", v, i)
		}
	}
}

func TestHoldDelaysEventsNotJobs(t *testing.T) {
	l := start(t)
	on(l, l.Hold)
	ran := make(chan string, 3)
	l.PostEvent(func() { ran <- "event" })
	l.Post(func() { ran <- "job" })
	if got := <-ran; got != "job" {
		t.Fatalf("first to run: %s", got)
	}
	select {
	case <-ran:
		t.Fatal("event ran while held")
	case <-time.After(50 * time.Millisecond):
	}
	on(l, l.Release)
	if got := <-ran; got != "event" {
		t.Fatalf("after release: %s", got)
	}
}

func TestEventCanHoldTheNextEvent(t *testing.T) {
	l := start(t)
	order := make(chan string, 4)
	l.PostEvent(func() {
		l.Hold()
		order <- "first"
		l.AfterFunc(20*time.Millisecond, func() { order <- "released"; l.Release() })
	})
	l.PostEvent(func() { order <- "second" })
	for _, want := range []string{"first", "released", "second"} {
		if got := <-order; got != want {
			t.Fatalf("got %s want %s", got, want)
		}
	}
}

func TestTimersAndCancel(t *testing.T) {
	l := start(t)
	fired := make(chan int, 2)
	var cancel func() bool
	on(l, func() {
		l.AfterFunc(10*time.Millisecond, func() { fired <- 1 })
		cancel = l.AfterFunc(10*time.Millisecond, func() { fired <- 2 })
	})
	if !cancel() {
		t.Fatal("cancel of a pending timer reported false")
	}
	if got := <-fired; got != 1 {
		t.Fatalf("fired %d", got)
	}
	select {
	case <-fired:
		t.Fatal("cancelled timer fired")
	case <-time.After(40 * time.Millisecond):
	}
	if n, _ := l.Pending(); n != 0 {
		t.Fatalf("%d timers pending after firing", n)
	}
}

func TestGoAppliesOnLoopAndCountsBusy(t *testing.T) {
	l := start(t)
	release := make(chan struct{})
	applied := make(chan struct{})
	l.Go(func(ctx context.Context) func() {
		<-release
		return func() { close(applied) }
	})
	if _, busy := l.Pending(); busy != 1 {
		t.Fatalf("busy = %d", busy)
	}
	close(release)
	<-applied
	if _, busy := l.Pending(); busy != 0 {
		t.Fatalf("busy after apply = %d", busy)
	}
}

func TestStopDropsWork(t *testing.T) {
	l := New(Options{})
	go l.Run()
	l.Stop()
	<-l.Done()
	if l.Post(func() { t.Error("ran after stop") }) {
		t.Fatal("Post after Stop returned true")
	}
	if l.Context().Err() == nil {
		t.Fatal("context not cancelled")
	}
}
