package party

import (
	"github.com/dop251/goja"
)

// newConnectionPrototype builds, once per VM, the prototype every
// Connection object shares. Methods find their Go connection through
// byObj, so a connection costs one plain object and no closures.
func (r *Room) newConnectionPrototype() *goja.Object {
	vm := r.vm
	p := vm.NewObject()
	self := func(c goja.FunctionCall) *Connection {
		o, _ := c.This.(*goja.Object)
		conn := r.byObj[o]
		if conn == nil {
			panic(vm.NewTypeError("Illegal invocation: not a connection"))
		}
		return conn
	}
	getter := func(name string, fn func(*Connection) goja.Value) {
		_ = p.DefineAccessorProperty(name, vm.ToValue(func(c goja.FunctionCall) goja.Value { return fn(self(c)) }), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	for name, v := range map[string]int{"CONNECTING": Connecting, "OPEN": Open, "CLOSING": Closing, "CLOSED": Closed,
		"READY_STATE_CONNECTING": Connecting, "READY_STATE_OPEN": Open, "READY_STATE_CLOSING": Closing, "READY_STATE_CLOSED": Closed} {
		_ = p.DefineDataProperty(name, vm.ToValue(v), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	getter("id", func(c *Connection) goja.Value { return vm.ToValue(c.Socket.ID()) })
	getter("uri", func(c *Connection) goja.Value { return vm.ToValue(c.Socket.URI()) })
	getter("readyState", func(c *Connection) goja.Value { return vm.ToValue(c.Socket.ReadyState()) })
	getter("socket", func(c *Connection) goja.Value { return c.obj })
	getter("state", func(c *Connection) goja.Value { return c.state })
	getter("binaryType", func(c *Connection) goja.Value { return vm.ToValue("arraybuffer") })
	getter("extensions", func(c *Connection) goja.Value { return vm.ToValue("") })
	getter("protocol", func(c *Connection) goja.Value { return vm.ToValue("") })

	p.Set("send", func(c goja.FunctionCall) goja.Value {
		conn := self(c)
		if st := conn.Socket.ReadyState(); st != Open && st != Connecting {
			return goja.Undefined() // workerd drops sends on a closed socket silently
		}
		text, data := r.frame(c.Argument(0))
		conn.Socket.Send(text, data)
		return goja.Undefined()
	})
	p.Set("close", func(c goja.FunctionCall) goja.Value {
		conn := self(c)
		code := 1000
		if a := c.Argument(0); !goja.IsUndefined(a) {
			code = int(a.ToInteger())
			if code != 1000 && (code < 3000 || code > 4999) {
				panic(vm.NewTypeError("Invalid WebSocket close code: %d", code))
			}
		}
		reason := ""
		if a := c.Argument(1); !goja.IsUndefined(a) {
			reason = a.String()
			if len(reason) > 123 {
				panic(vm.NewTypeError("Close reason too long"))
			}
		}
		conn.Socket.Close(code, reason)
		return goja.Undefined()
	})
	p.Set("accept", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	p.Set("setState", func(c goja.FunctionCall) goja.Value {
		conn := self(c)
		v := c.Argument(0)
		if fn, ok := goja.AssertFunction(v); ok {
			next, err := fn(goja.Undefined(), conn.state)
			if err != nil {
				panic(err)
			}
			v = next
		}
		if goja.IsUndefined(v) {
			v = goja.Null()
		}
		r.setState(conn, v)
		return v
	})
	p.Set("serializeAttachment", func(c goja.FunctionCall) goja.Value {
		r.setState(self(c), c.Argument(0))
		return goja.Undefined()
	})
	p.Set("deserializeAttachment", func(c goja.FunctionCall) goja.Value { return self(c).state })
	p.Set("addEventListener", func(c goja.FunctionCall) goja.Value {
		conn := self(c)
		typ := c.Argument(0).String()
		fn := c.Argument(1)
		if goja.IsUndefined(fn) || goja.IsNull(fn) {
			return goja.Undefined()
		}
		once := false
		if opts, ok := c.Argument(2).(*goja.Object); ok {
			once = opts.Get("once") != nil && opts.Get("once").ToBoolean()
		}
		for _, l := range conn.listeners[typ] {
			if l.fn.SameAs(fn) {
				return goja.Undefined()
			}
		}
		if conn.listeners == nil {
			conn.listeners = make(map[string][]listener)
		}
		conn.listeners[typ] = append(conn.listeners[typ], listener{fn: fn, once: once})
		return goja.Undefined()
	})
	p.Set("removeEventListener", func(c goja.FunctionCall) goja.Value {
		conn := self(c)
		typ := c.Argument(0).String()
		fn := c.Argument(1)
		ls := conn.listeners[typ]
		for i, l := range ls {
			if l.fn.SameAs(fn) {
				conn.listeners[typ] = append(ls[:i:i], ls[i+1:]...)
				break
			}
		}
		return goja.Undefined()
	})
	p.Set("dispatchEvent", func(c goja.FunctionCall) goja.Value {
		conn := self(c)
		ev, _ := c.Argument(0).(*goja.Object)
		if ev == nil {
			panic(vm.NewTypeError("dispatchEvent expects an event"))
		}
		r.dispatch(conn, ev.Get("type").String(), ev)
		return vm.ToValue(true)
	})
	for _, typ := range []string{"message", "close", "error", "open"} {
		typ := typ
		_ = p.DefineAccessorProperty("on"+typ,
			vm.ToValue(func(c goja.FunctionCall) goja.Value {
				if h := self(c).handlers[typ]; h != nil {
					return h
				}
				return goja.Null()
			}),
			vm.ToValue(func(c goja.FunctionCall) goja.Value {
				conn := self(c)
				if conn.handlers == nil {
					conn.handlers = make(map[string]goja.Value)
				}
				if _, ok := goja.AssertFunction(c.Argument(0)); ok {
					conn.handlers[typ] = c.Argument(0)
				} else {
					delete(conn.handlers, typ)
				}
				return goja.Undefined()
			}), goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	return p
}

// Dispatch delivers an event of typ to the connection's listeners and its
// on<typ> handler. init fills the event (data, code, reason, …). Errors
// thrown by listeners are returned after every listener ran.
func (r *Room) Dispatch(c *Connection, typ string, init map[string]goja.Value) error {
	if !c.HasListeners(typ) {
		return nil
	}
	ev := r.newEvent(typ, init)
	return r.dispatch(c, typ, ev)
}

func (r *Room) dispatch(c *Connection, typ string, ev *goja.Object) error {
	var first error
	call := func(fn goja.Value) {
		f, ok := goja.AssertFunction(fn)
		if !ok {
			if o, isObj := fn.(*goja.Object); isObj {
				if h, ok := goja.AssertFunction(o.Get("handleEvent")); ok {
					if _, err := h(o, ev); err != nil && first == nil {
						first = err
					}
				}
			}
			return
		}
		if _, err := f(c.obj, ev); err != nil && first == nil {
			first = err
		}
	}
	ls := c.listeners[typ]
	if len(ls) > 0 {
		snapshot := append([]listener(nil), ls...)
		kept := ls[:0]
		for _, l := range ls {
			if !l.once {
				kept = append(kept, l)
			}
		}
		c.listeners[typ] = kept
		for _, l := range snapshot {
			call(l.fn)
		}
	}
	if h := c.handlers[typ]; h != nil {
		call(h)
	}
	return first
}

var eventCtorNames = map[string]string{"message": "MessageEvent", "close": "CloseEvent", "error": "ErrorEvent"}

// newEvent builds an event with the globals' Event classes when present,
// so `instanceof MessageEvent` holds, else a plain object of the same shape.
func (r *Room) newEvent(typ string, init map[string]goja.Value) *goja.Object {
	vm := r.vm
	if name := eventCtorNames[typ]; name != "" {
		if ctor, ok := vm.Get(name).(*goja.Object); ok {
			initObj := vm.NewObject()
			for k, v := range init {
				initObj.Set(k, v)
			}
			if ev, err := vm.New(ctor, vm.ToValue(typ), initObj); err == nil {
				return ev
			}
		}
	}
	ev := vm.NewObject()
	ev.Set("type", typ)
	for k, v := range init {
		ev.Set(k, v)
	}
	return ev
}
