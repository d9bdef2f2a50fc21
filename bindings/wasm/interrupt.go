package wasm

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The room's watchdog stops a runaway event with vm.Interrupt, which goja
// checks between JS instructions only: a WebAssembly call is native code to
// goja and would run on. wazero stops a call when its module is closed (the
// engine compiles termination checks into loops and calls), so while a
// room is inside WebAssembly a timer looks every InterruptPoll at goja's
// interrupt flag, and closes the room's modules once it is set. The call
// then fails, goja sees its interrupt as soon as control is back in JS, and
// the room resets as for any interrupted event. The same happens when the
// room's loop stops.
//
// goja has no public way to read the flag, so interruptFlag finds it by
// reflection (a test fails if goja's layout changes). A hook from the
// watchdog through host.Env would be cleaner, and would also stop a call
// at once instead of at the next poll.

// interruptFlag returns goja's interrupt flag of vm, or nil when goja's
// layout is not what this code knows (WebAssembly calls then cannot be
// interrupted by the watchdog, only by the loop stopping).
func interruptFlag(vm *goja.Runtime) *uint32 {
	inner := reflect.ValueOf(vm).Elem().FieldByName("vm")
	if !inner.IsValid() || inner.Kind() != reflect.Pointer || inner.IsNil() {
		return nil
	}
	f := inner.Elem().FieldByName("interrupted")
	if !f.IsValid() || f.Kind() != reflect.Uint32 || !f.CanAddr() {
		return nil
	}
	return (*uint32)(unsafe.Pointer(f.UnsafeAddr()))
}

// resources are the wazero objects one room made. They are closed when the
// room's VM is garbage collected or its loop stops, and closed early (the
// modules only) to stop a call the watchdog interrupted. Nothing here may
// refer to the VM or the realm, or the cleanup that closes them would never
// run.
type resources struct {
	mu       sync.Mutex
	closed   bool
	modules  []api.Module
	compiled []wazero.CompiledModule // host modules made for one instance
	stopLoop func() bool             // unregisters the loop-stop hook
}

func (r *resources) addModule(m api.Module) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		_ = m.Close(context.Background())
		return
	}
	r.modules = append(r.modules, m)
}

func (r *resources) addCompiled(c wazero.CompiledModule) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.compiled = append(r.compiled, c)
}

// stop ends every running call of these modules and makes later calls fail.
// Module code and memories stay allocated: a call may still be unwinding.
func (r *resources) stop(exitCode uint32) {
	r.mu.Lock()
	mods := append([]api.Module(nil), r.modules...)
	r.mu.Unlock()
	for i := len(mods) - 1; i >= 0; i-- {
		_ = mods[i].CloseWithExitCode(context.Background(), exitCode)
	}
}

// close releases everything; later instances are closed as they come.
func (r *resources) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	mods, comp, stop := r.modules, r.compiled, r.stopLoop
	r.modules, r.compiled = nil, nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	ctx := context.Background()
	for i := len(mods) - 1; i >= 0; i-- {
		_ = mods[i].Close(ctx)
	}
	for _, c := range comp {
		_ = c.Close(ctx)
	}
}

// Exit codes of a module closed by gopk, as sys.ExitError reports them.
const (
	exitInterrupted uint32 = 0xdead0001
	exitLoopStopped uint32 = 0xdead0002
)

// interruptWatch polls goja's interrupt flag while a room runs WebAssembly.
// The timer is armed by the first call after an idle tick and disarms itself
// when it finds no call running, so an idle room has no timer.
type interruptWatch struct {
	flag  *uint32
	poll  time.Duration
	res   *resources
	busy  atomic.Bool
	armed atomic.Bool
	fired atomic.Bool
	timer *time.Timer
}

func newInterruptWatch(vm *goja.Runtime, poll time.Duration, res *resources) *interruptWatch {
	w := &interruptWatch{flag: interruptFlag(vm), poll: poll, res: res}
	if w.flag != nil {
		w.timer = time.AfterFunc(time.Hour, w.tick)
		w.timer.Stop()
	}
	return w
}

// enter and leave bracket the outermost WebAssembly call (loop goroutine).
func (w *interruptWatch) enter() {
	if w.timer == nil {
		return
	}
	w.busy.Store(true)
	if w.armed.CompareAndSwap(false, true) {
		w.timer.Reset(w.poll)
	}
}

func (w *interruptWatch) leave() { w.busy.Store(false) }

func (w *interruptWatch) tick() {
	if w.busy.Load() {
		if atomic.LoadUint32(w.flag) != 0 {
			w.fired.Store(true)
			w.res.stop(exitInterrupted)
			return // stays armed: the modules are dead, the room resets
		}
		w.timer.Reset(w.poll)
		return
	}
	w.armed.Store(false)
	// A call may have started between the two lines above and found the
	// timer still armed; re-arm for it.
	if w.busy.Load() && w.armed.CompareAndSwap(false, true) {
		w.timer.Reset(w.poll)
	}
}
