package web

import (
	"github.com/dop251/goja"
)

var eventsModule = &jsModule{file: "events.js"}

// eventNames are the globals events.js provides.
var eventNames = []string{
	"Event", "EventTarget", "CustomEvent", "MessageEvent", "CloseEvent", "ErrorEvent",
	"DOMException", "AbortSignal", "AbortController",
}

func (g *Globals) eventsExports() *goja.Object {
	return g.module(eventsModule, func() *goja.Object {
		n := g.vm.NewObject()
		_ = n.Set("reportError", func(c goja.FunctionCall) goja.Value {
			g.reportError(newJSError(c.Argument(0)))
			return goja.Undefined()
		})
		_ = n.Set("setTimeout", func(c goja.FunctionCall) goja.Value {
			fn, ok := goja.AssertFunction(c.Argument(0))
			if !ok {
				g.throwTypeError("setTimeout: the callback must be a function")
			}
			return g.vm.ToValue(g.startTimer(fn, timerDelay(c.Argument(1)), false, nil))
		})
		return n
	})
}

func (g *Globals) buildEvents() []goja.Value {
	return exports(g.eventsExports(), eventNames...)
}

// newDOMException makes a DOMException for a Go native to throw.
func (g *Globals) newDOMException(message, name string) *goja.Object {
	ctor := g.eventsExports().Get("DOMException").ToObject(g.vm)
	e, err := g.vm.New(ctor, g.vm.ToValue(message), g.vm.ToValue(name))
	if err != nil {
		panic(err)
	}
	return e
}
