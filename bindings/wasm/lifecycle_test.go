package wasm

import (
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// TestInterruptFlagIsFound guards the reflection in interrupt.go: if goja
// renames its interrupt flag, WebAssembly calls stop being interruptible,
// and this fails.
func TestInterruptFlagIsFound(t *testing.T) {
	vm := goja.New()
	flag := interruptFlag(vm)
	if flag == nil {
		t.Fatal("goja's interrupt flag was not found: watchdog interrupts cannot stop WebAssembly")
	}
	if atomic.LoadUint32(flag) != 0 {
		t.Fatal("a fresh VM reads as interrupted")
	}
	vm.Interrupt("stop")
	if atomic.LoadUint32(flag) == 0 {
		t.Fatal("vm.Interrupt did not set the flag interruptFlag found")
	}
	vm.ClearInterrupt()
	if atomic.LoadUint32(flag) != 0 {
		t.Fatal("ClearInterrupt did not clear the flag")
	}
}

// TestWatchdogStopsRunawayWasm: a wasm loop that never ends is stopped by
// vm.Interrupt from another goroutine (what the room's watchdog does), and
// goja reports the interrupt, so the room resets as for a JS loop.
func TestWatchdogStopsRunawayWasm(t *testing.T) {
	r := newRoom(t, NewEngine(Options{InterruptPoll: 5 * time.Millisecond}))
	r.setBytes("mathBytes", mathWasm())
	r.setBytes("addBytes", addWasm())
	var runErr error
	var elapsed time.Duration
	r.do(func() {
		_, err := r.vm.RunString(`const { spin } = new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports;`)
		if err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(50*time.Millisecond, func() { r.vm.Interrupt("event ran longer than its CPU budget") })
		defer timer.Stop()
		start := time.Now()
		_, runErr = r.vm.RunString(`try { spin(); } catch (e) { "caught " + e; }`)
		elapsed = time.Since(start)
	})
	var ie *goja.InterruptedError
	if !errors.As(runErr, &ie) {
		t.Fatalf("the runaway call ended with %v, want goja's InterruptedError (uncatchable)", runErr)
	}
	if ie.Value() != "event ran longer than its CPU budget" {
		t.Errorf("interrupt value %v", ie.Value())
	}
	t.Logf("stopped %s after the call began (interrupt at 50ms, poll 5ms)", elapsed)
	if elapsed > 10*time.Second {
		t.Errorf("the call took %s to stop", elapsed)
	}
	// The room resets after an interrupt; this VM's instances are dead, and
	// say so instead of running.
	r.do(func() { r.vm.ClearInterrupt() })
	if got := r.eval(`spin();`); got != `throws RuntimeError: WebAssembly instance was stopped (the room's watchdog interrupted it, or the room is shutting down)` {
		t.Errorf("a call into a stopped instance: %s", got)
	}
}

// TestLoopStopStopsRunawayWasm: stopping a room's loop ends a wasm call
// that would never return, so the room's goroutine exits.
func TestLoopStopStopsRunawayWasm(t *testing.T) {
	r := newRoom(t, Default())
	r.setBytes("mathBytes", mathWasm())
	ended := make(chan string, 1)
	r.loop.Post(func() {
		_, err := r.vm.RunString(`new WebAssembly.Instance(new WebAssembly.Module(mathBytes)).exports.spin()`)
		ended <- jsErrorText(err)
	})
	time.Sleep(50 * time.Millisecond)
	r.loop.Stop()
	select {
	case got := <-ended:
		if got != "RuntimeError: WebAssembly execution was stopped: the room is shutting down" {
			t.Errorf("the call ended with %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the wasm call did not stop when the loop stopped")
	}
	select {
	case <-r.loop.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not end")
	}
}

func jsErrorText(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		o := ex.Value().(*goja.Object)
		return o.Get("name").String() + ": " + o.Get("message").String()
	}
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// TestCompiledOncePerProcess: rooms share compiled modules, by content;
// each instance still has its own memory.
func TestCompiledOncePerProcess(t *testing.T) {
	e := NewEngine(Options{})
	a, err := e.Compile(memoryWasm())
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Compile(append([]byte(nil), memoryWasm()...))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("the same bytes compiled twice")
	}
	if c, _ := e.Compile(addWasm()); c == a {
		t.Fatal("different modules share an entry")
	}

	r1, r2 := newRoom(t, e), newRoom(t, e)
	for _, r := range []*room{r1, r2} {
		r.setBytes("memBytes", memoryWasm())
	}
	script := `
		globalThis.inst ??= new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports;
		inst.store(0, inst.load(0) + 1);
		return inst.load(0);`
	r1.eval(script)
	r1.eval(script)
	if got := r2.eval(script); got != "1" {
		t.Errorf("a second room's instance saw %s, want its own fresh memory (1)", got)
	}
	if got := r1.eval(script); got != "3" {
		t.Errorf("the first room's instance counted %s, want 3", got)
	}
	if n := len(e.byHash); n != 2 { // memoryWasm, and addWasm above
		t.Errorf("the engine holds %d compiled modules, want 2", n)
	}
}

// TestMemoryLimit: no memory grows past Options.MemoryLimitPages.
func TestMemoryLimit(t *testing.T) {
	r := newRoom(t, NewEngine(Options{MemoryLimitPages: 2}))
	r.setBytes("memBytes", memoryWasm()) // declares max 4 pages
	big := moduleWriter{memories: []limits{{min: 3}}}
	r.setBytes("bigBytes", big.bytes())
	r.expect([]jsCase{
		{"a declared maximum over the limit is lowered to it", `
			const { mem, grow } = new WebAssembly.Instance(new WebAssembly.Module(memBytes)).exports;
			return [grow(1), grow(1), mem.buffer.byteLength];`, `[1,-1,131072]`},
		{"a minimum over the limit does not compile", `
			try { new WebAssembly.Module(bigBytes); } catch (e) { return e.name; }`, `"CompileError"`},
		{"a JS Memory over the limit", `new WebAssembly.Memory({ initial: 3 });`,
			`throws RangeError: WebAssembly.Memory(): could not allocate memory: 3 pages is over this server's limit of 2 pages`},
	})
}

// TestResourcesFreedWithTheVM: when a room's VM is garbage collected, its
// wazero instances are closed (wazero's store would otherwise keep them,
// and their memories, for the life of the process).
func TestResourcesFreedWithTheVM(t *testing.T) {
	e := NewEngine(Options{})
	r := newRoom(t, e)
	r.setBytes("cbBytes", callbackWasm())
	var res *resources
	r.do(func() {
		rl, err := newRealm(e, r.vm, r.env())
		if err != nil {
			t.Fatal(err)
		}
		res = rl.res
		_ = r.vm.Set("W", rl.shell.namespace)
		if _, err := r.vm.RunString(`new W.Instance(new W.Module(cbBytes), { env: { twice: (x) => x, log() {} } }).exports.run(1)`); err != nil {
			t.Fatal(err)
		}
	})
	res.mu.Lock()
	mods := append(res.modules[:0:0], res.modules...)
	res.mu.Unlock()
	if len(mods) < 2 {
		t.Fatalf("%d modules recorded, want the instance and its host module", len(mods))
	}
	r.do(func() { r.vm = nil })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		if mods[0].IsClosed() && mods[len(mods)-1].IsClosed() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the room's wazero modules were not closed after its VM was collected")
}
