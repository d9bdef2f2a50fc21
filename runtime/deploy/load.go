package deploy

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/bindings/jsutil"
	"gopk/runtime/bundle"
	"gopk/runtime/cron"
	"gopk/runtime/eventloop"
	"gopk/runtime/room"
)

// checked is a version that compiled and whose every module evaluated.
type checked struct {
	manifest *Manifest
	programs map[string]*goja.Program
}

// ValidationError is why a version was refused; the old one keeps serving.
type ValidationError struct {
	Party string
	Err   error
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("party %q: %v", e.Party, e.Err)
}

func (e *ValidationError) Unwrap() error { return e.Err }

// check compiles every party of the unpacked version in dir and evaluates
// each module body in a scratch VM, as a room would, so that a version that
// cannot start is refused before any room sees it.
func check(dir string, platform room.Platform, log *slog.Logger, timeout time.Duration) (*checked, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if err := cron.Validate(m.Crons); err != nil {
		return nil, err
	}
	programs := make(map[string]*goja.Program, len(m.Parties))
	for _, name := range m.Parties {
		code, err := os.ReadFile(filepath.Join(dir, partiesDir, name+".js"))
		if err != nil {
			return nil, err
		}
		prog, err := bundle.Compile(name, code)
		if err != nil {
			return nil, &ValidationError{Party: name, Err: err}
		}
		programs[name] = prog
	}
	for _, name := range m.Parties {
		if err := evaluate(name, programs[name], m.ProcessEnv, platform, log.With("party", name, "phase", "validate"), timeout); err != nil {
			return nil, &ValidationError{Party: name, Err: err}
		}
	}
	return &checked{manifest: m, programs: programs}, nil
}

var errEvalTimeout = errors.New("timed out")

// evaluate runs one party's module body on a fresh loop and VM and checks
// its default export the way runtime/room does: exports.default, or
// module.exports for a CommonJS entry, must be a class or an object.
func evaluate(name string, prog *goja.Program, processEnv map[string]string, platform room.Platform, log *slog.Logger, timeout time.Duration) error {
	loop := eventloop.New(eventloop.Options{})
	go loop.Run()
	defer loop.Stop()

	result := make(chan error, 1)
	vmc := make(chan *goja.Runtime, 1)
	loop.Post(func() {
		vm := goja.New()
		vm.SetMaxCallStackSize(room.MaxCallStack)
		vmc <- vm
		defer func() {
			if p := recover(); p != nil { // a binding's bug must not take the server down
				result <- fmt.Errorf("internal error while evaluating: %v", p)
			}
		}()
		globals, err := platform.Install(vm, host.Env{Loop: loop, Logger: log}, processEnv)
		if err != nil {
			result <- fmt.Errorf("installing globals: %w", err)
			return
		}
		defer globals.Close()
		result <- runModule(vm, prog, globals.Require())
	})
	vm := <-vmc
	select {
	case err := <-result:
		return err
	case <-time.After(timeout):
		vm.Interrupt(errEvalTimeout)
		err := <-result
		return fmt.Errorf("evaluating the module took longer than %v (an endless loop at the top level?): %v", timeout, err)
	}
}

func runModule(vm *goja.Runtime, prog *goja.Program, require goja.Value) error {
	wrapper, err := vm.RunProgram(prog)
	if err != nil {
		return fmt.Errorf("loading the bundle: %s", jsutil.Stack(err))
	}
	fn, ok := goja.AssertFunction(wrapper)
	if !ok {
		return errors.New("the bundle is not a gopk module function (was it built by gopk deploy?)")
	}
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	if _, err := fn(goja.Undefined(), module, exports, require); err != nil {
		return fmt.Errorf("the module threw while loading: %s", jsutil.Stack(err))
	}
	mod, ok := module.Get("exports").(*goja.Object)
	if !ok {
		return fmt.Errorf("the default export must be a class or an object, not %s", module.Get("exports").String())
	}
	def := mod.Get("default")
	if isUndef(def) && isUndef(mod.Get("__esModule")) {
		def = mod
	}
	if isUndef(def) {
		return errors.New("the module has no default export (export default class … or export default { … })")
	}
	if _, ok := def.(*goja.Object); !ok {
		return fmt.Errorf("the default export must be a class or an object, not %s", def.String())
	}
	return nil
}

func isUndef(v goja.Value) bool { return v == nil || goja.IsUndefined(v) }
