package web

import (
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

var (
	processModule = &jsModule{file: "process.js"}
	bufferModule  = &jsModule{file: "buffer.js"}
)

// buildProcess makes process, scheduler and caches. process.env is a copy
// of Options.ProcessEnv: never the host's environment.
func (g *Globals) buildProcess() []goja.Value {
	exp := g.module(processModule, func() *goja.Object {
		n := g.vm.NewObject()
		env := g.vm.NewObject()
		for k, v := range g.opts.ProcessEnv {
			_ = env.Set(k, v)
		}
		_ = n.Set("env", env)
		_ = n.Set("hrtimeNs", func(goja.FunctionCall) goja.Value {
			return g.vm.ToValue(float64(time.Since(g.start).Nanoseconds()))
		})
		return n
	})
	return exports(exp, "process", "scheduler", "caches")
}

// buildBuffer is goja_nodejs's Buffer with the missing Node methods added.
func (g *Globals) buildBuffer() []goja.Value {
	module := g.vm.NewObject()
	exportsObj := g.vm.NewObject()
	_ = module.Set("exports", exportsObj)
	buffer.Require(g.vm, module)
	lib := module.Get("exports").ToObject(g.vm)
	exp := g.module(bufferModule, func() *goja.Object {
		n := g.vm.NewObject()
		_ = n.Set("Buffer", lib.Get("Buffer"))
		return n
	})
	return exports(exp, "Buffer")
}

// BufferModule is require("buffer") for bindings/node: the same Buffer as
// the global, plus the module's other exports.
func (g *Globals) BufferModule() *goja.Object {
	m := g.vm.NewObject()
	b := g.global("Buffer")
	_ = m.Set("Buffer", b)
	_ = m.Set("kMaxLength", 1<<32-1)
	_ = m.Set("constants", map[string]any{"MAX_LENGTH": 1<<32 - 1, "MAX_STRING_LENGTH": 1<<29 - 24})
	_ = m.Set("atob", g.global("atob"))
	_ = m.Set("btoa", g.global("btoa"))
	_ = m.Set("Blob", g.globalIfAny("Blob"))
	return m
}

// Global returns a Workers global by name (building it if needed), for
// bindings that re-export globals as Node modules. Unknown names give
// undefined.
func (g *Globals) Global(name string) goja.Value {
	return g.globalIfAny(name)
}

func (g *Globals) globalIfAny(name string) goja.Value {
	if _, ok := groupOf[name]; !ok {
		return goja.Undefined()
	}
	return g.global(name)
}
