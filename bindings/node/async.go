package node

import (
	"github.com/dop251/goja"
)

// asyncContext carries AsyncLocalStorage stores across promise reactions
// (goja's AsyncContextTracker) and the room's timers. A context is an
// immutable map from AsyncLocalStorage instance to its store; entering a
// store copies the map, so captured contexts never change under a callback.
type asyncContext struct {
	current *alsFrame
}

type alsFrame struct {
	stores map[*goja.Object]goja.Value
}

func (a *asyncContext) Grab() any { return a.current }

func (a *asyncContext) Resumed(ctx any) {
	a.current, _ = ctx.(*alsFrame)
}

func (a *asyncContext) Exited() { a.current = nil }

func (r *requirer) asyncNatives() *goja.Object {
	if r.als == nil {
		r.als = &asyncContext{}
		r.vm.SetAsyncContextTracker(r.als)
		r.web.SetAsyncContextTracker(r.als)
	}
	a := r.als
	n := r.vm.NewObject()
	frameValue := func(f *alsFrame) goja.Value {
		if f == nil {
			return goja.Null()
		}
		return r.vm.ToValue(f)
	}
	frameOf := func(v goja.Value) *alsFrame {
		f, _ := v.Export().(*alsFrame)
		return f
	}
	_ = n.Set("enter", func(c goja.FunctionCall) goja.Value {
		prev := a.current
		key := c.Argument(0).ToObject(r.vm)
		next := &alsFrame{stores: make(map[*goja.Object]goja.Value)}
		if prev != nil {
			for k, v := range prev.stores {
				next.stores[k] = v
			}
		}
		next.stores[key] = c.Argument(1)
		a.current = next
		return frameValue(prev)
	})
	_ = n.Set("restore", func(c goja.FunctionCall) goja.Value {
		a.current = frameOf(c.Argument(0))
		return goja.Undefined()
	})
	_ = n.Set("swap", func(c goja.FunctionCall) goja.Value {
		prev := a.current
		a.current = frameOf(c.Argument(0))
		return frameValue(prev)
	})
	_ = n.Set("current", func(goja.FunctionCall) goja.Value { return frameValue(a.current) })
	_ = n.Set("get", func(c goja.FunctionCall) goja.Value {
		if a.current == nil {
			return goja.Undefined()
		}
		if v, ok := a.current.stores[c.Argument(0).ToObject(r.vm)]; ok {
			return v
		}
		return goja.Undefined()
	})
	return n
}
