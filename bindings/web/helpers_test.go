package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/runtime/eventloop"
)

// testRoom is a goja runtime with the globals installed, driven by a real
// event loop, as a room would be.
type testRoom struct {
	t    *testing.T
	loop *eventloop.Loop
	vm   *goja.Runtime
	g    *Globals
	logs *logSink
	errs []error
}

type logSink struct {
	mu      sync.Mutex
	records []slog.Record
}

func (s *logSink) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.records {
		out = append(out, r.Level.String()+" "+r.Message)
	}
	return out
}

type sinkHandler struct{ s *logSink }

func (h sinkHandler) Enabled(_ context.Context, l slog.Level) bool { return true }
func (h sinkHandler) Handle(_ context.Context, r slog.Record) error {
	h.s.mu.Lock()
	h.s.records = append(h.s.records, r.Clone())
	h.s.mu.Unlock()
	return nil
}
func (h sinkHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h sinkHandler) WithGroup(string) slog.Handler      { return h }

func newTestRoom(t *testing.T, opts Options) *testRoom {
	t.Helper()
	loop := eventloop.New(eventloop.Options{})
	go loop.Run()
	t.Cleanup(loop.Stop)
	r := &testRoom{t: t, loop: loop, logs: &logSink{}}
	if opts.ReportError == nil {
		opts.ReportError = func(err error) { r.errs = append(r.errs, err) }
	}
	r.do(func() {
		r.vm = goja.New()
		g, err := Install(r.vm, host.Env{Loop: loop, Logger: slog.New(sinkHandler{r.logs})}, opts)
		if err != nil {
			t.Fatal(err)
		}
		r.g = g
	})
	return r
}

// do runs fn on the loop and waits for it.
func (r *testRoom) do(fn func()) {
	r.t.Helper()
	done := make(chan any, 1)
	if !r.loop.Post(func() {
		defer func() { done <- recover() }()
		fn()
	}) {
		r.t.Fatal("loop stopped")
	}
	select {
	case p := <-done:
		if p != nil {
			panic(p)
		}
	case <-time.After(10 * time.Second):
		r.t.Fatal("loop job timed out")
	}
}

// eval runs src on the loop and returns its value exported to Go.
func (r *testRoom) eval(src string) any {
	r.t.Helper()
	var out any
	r.do(func() {
		v, err := r.vm.RunString(src)
		if err != nil {
			r.t.Fatalf("eval %s: %v", src, err)
		}
		out = v.Export()
	})
	return out
}

// evalJSON runs src and returns JSON.stringify of its settled value, or
// "throws Name: message" / "rejects Name: message".
func (r *testRoom) settle(src string) string {
	r.t.Helper()
	res := make(chan string, 1)
	r.do(func() {
		// A block gives each case its own const/let scope.
		v, err := r.vm.RunString("{\n" + src + "\n}")
		if err != nil {
			res <- "throws " + errText(err)
			return
		}
		r.g.await(v, func(val goja.Value, rej *JSError) {
			if rej != nil {
				res <- "rejects " + rej.Message
				return
			}
			s, err := jsonOf(val.Export())
			if err != nil {
				res <- "unjsonable " + val.String()
				return
			}
			res <- s
		})
	})
	select {
	case s := <-res:
		return s
	case <-time.After(10 * time.Second):
		r.t.Fatalf("%s never settled", src)
		return ""
	}
}

func errText(err error) string {
	if ex, ok := err.(*goja.Exception); ok {
		return ex.Value().String()
	}
	return err.Error()
}

func jsonOf(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func errorAs(err error, target any) bool { return errors.As(err, target) }
