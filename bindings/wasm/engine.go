package wasm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Options bound what WebAssembly may do in the rooms of one Engine.
type Options struct {
	// MemoryLimitPages caps every linear memory, in 64 KiB pages. A module
	// whose minimum is larger fails to compile; larger maximums are lowered
	// to it, so memory.grow past it fails as it would at the maximum.
	// Default 2048 (128 MiB, workerd's memory limit for a whole isolate);
	// at most 65535.
	MemoryLimitPages uint32

	// InterruptPoll is how often a running WebAssembly call looks whether
	// the room's watchdog interrupted the VM (see interrupt.go). Default
	// 10ms.
	InterruptPoll time.Duration
}

// DefaultMemoryLimitPages is Options.MemoryLimitPages unless set.
const DefaultMemoryLimitPages = 2048

// features are what V8 (workerd) enables by default and wazero supports
// without known gaps: WebAssembly 2.0 (bulk memory, multi-value, mutable
// globals, non-trapping float-to-int, reference types, sign extension,
// 128-bit SIMD), tail calls and extended constant expressions. Threads need
// SharedArrayBuffer, which goja lacks; exception handling would need
// WebAssembly.Tag and Exception, which gopk does not provide.
var features = api.CoreFeaturesV2 | experimental.CoreFeaturesTailCall | experimental.CoreFeaturesExtendedConst

// Engine compiles WebAssembly for every room of a process. A module is
// compiled once per distinct content and then instantiated by any room;
// each instance has its own memory. An Engine is safe for concurrent use.
type Engine struct {
	opts   Options
	rt     wazero.Runtime
	modCfg wazero.ModuleConfig

	mu       sync.Mutex
	byHash   map[[sha256.Size]byte]*compiled
	embedded map[string]*compiled // by the base64 text of a bundled .wasm
	own      map[string]*compiled // modules gopk writes, by their bytes
}

// compiled is one module, compiled once. ready is closed when code or err
// is set, so that rooms asking for a module being compiled wait for it
// instead of compiling it again.
type compiled struct {
	ready chan struct{}
	code  wazero.CompiledModule
	info  *moduleInfo
	err   error
}

// NewEngine makes an Engine. All its modules live in one wazero runtime
// (instances are anonymous and linked explicitly, so rooms never see each
// other's modules), compiled with termination checks so that a running
// call can be stopped.
func NewEngine(o Options) *Engine {
	if o.MemoryLimitPages == 0 {
		o.MemoryLimitPages = DefaultMemoryLimitPages
	}
	o.MemoryLimitPages = min(o.MemoryLimitPages, 65535)
	if o.InterruptPoll <= 0 {
		o.InterruptPoll = 10 * time.Millisecond
	}
	cfg := wazero.NewRuntimeConfig().
		WithCoreFeatures(features).
		WithMemoryLimitPages(o.MemoryLimitPages).
		WithCloseOnContextDone(true)
	return &Engine{
		opts: o,
		rt:   wazero.NewRuntimeWithConfig(context.Background(), cfg),
		// Anonymous, and no start export run: the JS API runs only the
		// start section. The random source is shared, else wazero makes
		// one per instance for WASI, which JS modules do not use.
		modCfg:   wazero.NewModuleConfig().WithName("").WithStartFunctions().WithRandSource(rand.Reader),
		byHash:   map[[sha256.Size]byte]*compiled{},
		embedded: map[string]*compiled{},
		own:      map[string]*compiled{},
	}
}

// defaultEngine serves Install. It is process-wide on purpose: sharing
// compiled code between rooms is its whole point.
var defaultEngine = sync.OnceValue(func() *Engine { return NewEngine(Options{}) })

// Default is the process-wide Engine that Install uses.
func Default() *Engine { return defaultEngine() }

// CompileError is a module that is not valid WebAssembly (or that this
// engine cannot run); JS sees it as WebAssembly.CompileError.
type CompileError struct{ Msg string }

func (e *CompileError) Error() string { return e.Msg }

// Compile compiles b, or returns the module compiled from the same bytes
// before. b is not kept.
func (e *Engine) Compile(b []byte) (*compiled, error) {
	key := sha256.Sum256(b)
	return e.once(func() **compiled {
		c := e.byHash[key]
		return &c
	}, func(c *compiled) { e.byHash[key] = c }, func() (*compiled, error) {
		return e.compileNew(b, true)
	})
}

// compileEmbedded is Compile for a .wasm file the bundler inlined as base64:
// rooms running the same bundle share the string, so it is the key and no
// room decodes or hashes it again.
func (e *Engine) compileEmbedded(b64 string, decode func(string) ([]byte, error)) (*compiled, error) {
	return e.once(func() **compiled {
		c := e.embedded[b64]
		return &c
	}, func(c *compiled) { e.embedded[b64] = c }, func() (*compiled, error) {
		b, err := decode(b64)
		if err != nil {
			return nil, &CompileError{Msg: "bundled .wasm data is not base64: " + err.Error()}
		}
		return e.Compile(b)
	})
}

// compileOwn compiles a module gopk wrote (link.go); those are few shapes,
// cached for the life of the process.
func (e *Engine) compileOwn(b []byte) (*compiled, error) {
	key := string(b)
	return e.once(func() **compiled {
		c := e.own[key]
		return &c
	}, func(c *compiled) { e.own[key] = c }, func() (*compiled, error) {
		return e.compileNew(b, false)
	})
}

// once runs build for a key unless another caller did or is doing it.
// Failures are not cached: the next caller tries again.
func (e *Engine) once(get func() **compiled, put func(*compiled), build func() (*compiled, error)) (*compiled, error) {
	e.mu.Lock()
	if c := *get(); c != nil {
		e.mu.Unlock()
		<-c.ready
		if c.err != nil {
			return nil, c.err
		}
		return c, nil
	}
	c := &compiled{ready: make(chan struct{})}
	put(c)
	e.mu.Unlock()

	made, err := build()
	if err != nil {
		e.mu.Lock()
		if *get() == c {
			put(nil)
		}
		e.mu.Unlock()
		c.err = err
		close(c.ready)
		return nil, err
	}
	c.code, c.info = made.code, made.info
	close(c.ready)
	return c, nil
}

func (e *Engine) compileNew(b []byte, copyBytes bool) (*compiled, error) {
	if copyBytes {
		b = append([]byte(nil), b...) // wazero may keep slices of it
	}
	code, err := e.rt.CompileModule(context.Background(), b)
	if err != nil {
		return nil, &CompileError{Msg: err.Error()}
	}
	info, err := parseModule(b)
	if err != nil {
		_ = code.Close(context.Background())
		return nil, &CompileError{Msg: err.Error()}
	}
	for _, imp := range info.imports {
		if imp.kind == kindTag {
			_ = code.Close(context.Background())
			return nil, &CompileError{Msg: fmt.Sprintf("import %q %q: tag imports (exception handling) are not supported by gopk", imp.module, imp.name)}
		}
	}
	return &compiled{code: code, info: info}, nil
}

// instantiate makes an anonymous instance of c whose imports are resolved
// by resolve (module name → instance).
func (e *Engine) instantiate(c *compiled, resolve map[string]api.Module) (api.Module, error) {
	ctx := context.Background()
	if len(resolve) > 0 {
		ctx = experimental.WithImportResolver(ctx, func(name string) api.Module { return resolve[name] })
	}
	mod, err := e.rt.InstantiateModule(ctx, c.code, e.modCfg)
	if err != nil {
		return nil, err
	}
	return mod, nil
}

// hostModule compiles a module of Go functions (one room's JS imports).
func (e *Engine) hostModule(define func(wazero.HostModuleBuilder)) (wazero.CompiledModule, error) {
	b := e.rt.NewHostModuleBuilder("gopk-js-imports") // instantiated anonymously
	define(b)
	return b.Compile(context.Background())
}
