package web

import (
	"github.com/dop251/goja"
)

var (
	eventsModule       = &jsModule{file: "events.js"}
	domExceptionModule = &jsModule{file: "domexception.js"}
	abortModule        = &jsModule{file: "abort.js"}
)

// eventNames are the globals events.js provides.
var eventNames = []string{"Event", "EventTarget", "CustomEvent", "MessageEvent", "CloseEvent", "ErrorEvent"}

func (g *Globals) domExceptionCtor() goja.Value {
	return g.module(domExceptionModule, nil).Get("DOMException")
}

func (g *Globals) eventsExports() *goja.Object {
	return g.module(eventsModule, func() *goja.Object {
		n := g.vm.NewObject()
		_ = n.Set("reportError", func(c goja.FunctionCall) goja.Value {
			g.reportError(newJSError(c.Argument(0)))
			return goja.Undefined()
		})
		_ = n.Set("DOMException", func(goja.FunctionCall) goja.Value { return g.domExceptionCtor() })
		return n
	})
}

func (g *Globals) buildEvents() []goja.Value {
	return exports(g.eventsExports(), eventNames...)
}

func (g *Globals) buildDOMException() []goja.Value {
	return []goja.Value{g.domExceptionCtor()}
}

func (g *Globals) buildAbort() []goja.Value {
	exp := g.module(abortModule, func() *goja.Object {
		ev := g.eventsExports()
		n := g.vm.NewObject()
		_ = n.Set("Event", ev.Get("Event"))
		_ = n.Set("EventTarget", ev.Get("EventTarget"))
		_ = n.Set("DOMException", func(goja.FunctionCall) goja.Value { return g.domExceptionCtor() })
		_ = n.Set("setTimeout", func(c goja.FunctionCall) goja.Value {
			fn, ok := goja.AssertFunction(c.Argument(0))
			if !ok {
				g.throwTypeError("setTimeout: the callback must be a function")
			}
			return g.vm.ToValue(g.startTimer(fn, timerDelay(c.Argument(1)), false, nil))
		})
		return n
	})
	return exports(exp, "AbortSignal", "AbortController")
}

// newDOMException makes a DOMException for a Go native to throw.
func (g *Globals) newDOMException(message, name string) *goja.Object {
	e, err := g.vm.New(g.domExceptionCtor(), g.vm.ToValue(message), g.vm.ToValue(name))
	if err != nil {
		panic(err)
	}
	return e
}
