package web

import (
	"time"

	"github.com/dop251/goja"
)

// buildPerformance makes `performance` with now() (milliseconds since the
// room started, sub-millisecond precision) and timeOrigin.
func (g *Globals) buildPerformance() []goja.Value {
	p := g.vm.NewObject()
	_ = p.Set("now", func(goja.FunctionCall) goja.Value {
		return g.vm.ToValue(float64(time.Since(g.start).Nanoseconds()) / 1e6)
	})
	_ = p.Set("timeOrigin", float64(g.start.UnixNano())/1e6)
	_ = p.Set("toJSON", func(goja.FunctionCall) goja.Value {
		o := g.vm.NewObject()
		_ = o.Set("timeOrigin", float64(g.start.UnixNano())/1e6)
		return o
	})
	return []goja.Value{p}
}

// buildNavigator makes `navigator` as workerd has it.
func (g *Globals) buildNavigator() []goja.Value {
	n := g.vm.NewObject()
	_ = n.Set("userAgent", g.opts.UserAgent)
	_ = n.Set("hardwareConcurrency", 1)
	_ = n.Set("language", "en")
	_ = n.Set("languages", g.vm.NewArray("en"))
	return []goja.Value{n}
}
