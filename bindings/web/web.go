// Package web installs the Cloudflare Workers platform globals (console,
// timers, crypto, URL, TextEncoder, Request/Response, ...) on a room's goja
// runtime, so PartyKit servers written for workerd find what they expect.
//
// Every global is lazy: Install puts one dynamic object between globalThis and
// Object.prototype, and the first read of a name builds its group (a Go-backed
// object, or a JS module compiled once per process) and defines it as an own
// property of globalThis. A room that never touches Response never pays for it.
//
// Only the room's goroutine may call into a Globals; I/O runs through
// env.Loop.Go and settles its promises on the loop.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/host"
)

// DefaultUserAgent is navigator.userAgent unless Options says otherwise.
// Libraries (jose, database drivers) test for workerd with exactly this
// string, so it is the compatible default.
const DefaultUserAgent = "Cloudflare-Workers"

// Options configure the globals of one room.
type Options struct {
	// ProcessEnv becomes process.env (PartyKit puts only .env values there,
	// never the host's environment).
	ProcessEnv map[string]string
	// UserAgent is navigator.userAgent and fetch's default User-Agent.
	// Empty means DefaultUserAgent.
	UserAgent string
	// HTTPClient performs fetch and outbound WebSocket handshakes; its
	// Transport is where an egress policy belongs. Nil means a client with
	// no timeout of its own (requests die with the room's context).
	HTTPClient *http.Client
	// ReportError receives errors nobody can catch: a throwing timer
	// callback, microtask or event listener. An *goja.InterruptedError here
	// means the watchdog fired. Nil logs them at error level.
	ReportError func(err error)
}

// Globals is the per-room state behind the installed globals.
type Globals struct {
	vm    *goja.Runtime
	env   host.Env
	opts  Options
	start time.Time

	lazy     *lazyGlobals
	modules  map[*jsModule]*goja.Object
	classes  classCache
	fetchInt *fetchInternal

	timers   timerTable
	console  consoleState
	closed   bool
	closers  []func()
	inflight map[*int]context.CancelFunc // fetches not yet finished
	asyncCtx goja.AsyncContextTracker
}

// Install makes the Workers globals available on vm. Call it on the loop
// goroutine before the user's bundle runs.
func Install(vm *goja.Runtime, env host.Env, opts Options) (*Globals, error) {
	if vm == nil || env.Loop == nil {
		return nil, errors.New("web.Install: runtime and env.Loop are required")
	}
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	g := &Globals{
		vm:      vm,
		env:     env,
		opts:    opts,
		start:   time.Now(),
		modules: make(map[*jsModule]*goja.Object),
	}
	global := vm.GlobalObject()
	// self and global are plain aliases; workerd has both.
	for _, name := range []string{"self", "global"} {
		if err := global.DefineDataProperty(name, global, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return nil, fmt.Errorf("web.Install: define %s: %w", name, err)
		}
	}
	if err := g.installLazy(); err != nil {
		return nil, fmt.Errorf("web.Install: %w", err)
	}
	// queueMicrotask is defined eagerly so it replaces one an earlier
	// installer (bindings/es) put there: this one reports throwing callbacks
	// through Options.ReportError.
	qm := g.buildQueueMicrotask()[0]
	if err := global.DefineDataProperty("queueMicrotask", qm, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return nil, fmt.Errorf("web.Install: define queueMicrotask: %w", err)
	}
	return g, nil
}

// Close stops the room's timers and aborts its outstanding I/O. The loop
// stops its own timers too; Close makes eviction explicit and idempotent.
func (g *Globals) Close() {
	if g.closed {
		return
	}
	g.closed = true
	g.timers.cancelAll()
	for i := len(g.closers) - 1; i >= 0; i-- {
		g.closers[i]()
	}
	g.closers = nil
	for _, cancel := range g.inflight {
		cancel()
	}
}

// SetAsyncContextTracker makes timers carry an async context (Node's
// AsyncLocalStorage) from where they are set to where they fire, as promise
// reactions do through goja's own tracker.
func (g *Globals) SetAsyncContextTracker(t goja.AsyncContextTracker) { g.asyncCtx = t }

// Runtime is the runtime these globals are installed on.
func (g *Globals) Runtime() *goja.Runtime { return g.vm }

// reportError hands an uncatchable error to the room, or logs it.
func (g *Globals) reportError(err error) {
	if err == nil {
		return
	}
	if g.opts.ReportError != nil {
		g.opts.ReportError(err)
		return
	}
	msg := err.Error()
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg = ex.String()
	}
	g.env.Logger.Error("uncaught exception", "error", msg)
}

// throwTypeError panics with a JS TypeError; natives use it to reject bad
// arguments the way the platform does.
func (g *Globals) throwTypeError(format string, args ...any) {
	panic(g.vm.NewTypeError(fmt.Sprintf(format, args...)))
}

// throwError panics with a new instance of the named builtin error class
// (RangeError, SyntaxError, ...).
func (g *Globals) throwError(class, format string, args ...any) {
	ctor := g.vm.Get(class).ToObject(g.vm)
	e, err := g.vm.New(ctor, g.vm.ToValue(fmt.Sprintf(format, args...)))
	if err != nil {
		panic(err)
	}
	panic(e)
}
