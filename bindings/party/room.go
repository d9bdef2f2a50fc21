package party

import (
	"errors"

	"github.com/dop251/goja"

	"gopk/bindings/jsutil"
)

// Host is what the JS Room needs from the runtime that owns the sockets.
type Host interface {
	// Broadcast sends one frame to every socket in to, framing it once.
	Broadcast(text bool, data []byte, to []Socket)
	// Hold and Release close and open the room's gate for other events
	// (blockConcurrencyWhile).
	Hold()
	Release()
	// Stub returns the JS object for room.context.parties.<party>.get(id).
	Stub(party, id string) *goja.Object
	// Parties lists the project's party names, "main" included.
	Parties() []string
}

// Info describes the room to its JS object.
type Info struct {
	ID         string
	InternalID string
	Name       string // the party
	Env        goja.Value
	Storage    goja.Value
	Context    *goja.Object // extra context members (assets, ai, …); parties is added here
}

// Room is the JS Party.Room of one VM plus the VM's view of the connections.
type Room struct {
	vm         *goja.Runtime
	host       Host
	obj        *goja.Object
	connProto  *goja.Object
	conns      []*Connection
	byObj      map[*goja.Object]*Connection
	idHidden   bool
	initDone   bool
	info       Info
	onSetState func(*Connection, goja.Value) error
}

// OnSetState installs a check run whenever user code sets a connection's
// state (setState, serializeAttachment); an error is thrown to the caller
// and the state is left unchanged. Hibernating rooms use it to keep the
// state in Go and enforce PartyKit's attachment limit.
func (r *Room) OnSetState(fn func(*Connection, goja.Value) error) { r.onSetState = fn }

func (r *Room) setState(c *Connection, v goja.Value) {
	if r.onSetState != nil {
		if err := r.onSetState(c, v); err != nil {
			panic(r.vm.NewGoError(err))
		}
	}
	c.state = v
}

// NewRoom builds the Party.Room object for vm.
func NewRoom(vm *goja.Runtime, host Host, info Info) *Room {
	r := &Room{vm: vm, host: host, byObj: make(map[*goja.Object]*Connection), info: info}
	r.connProto = r.newConnectionPrototype()
	r.obj = r.newRoomObject()
	return r
}

// Object is the JS Party.Room.
func (r *Room) Object() *goja.Object { return r.obj }

// SetInAlarm marks that onAlarm is running (until its promise settles):
// room.id and room.context.parties throw then, as they do on PartyKit.
func (r *Room) SetInAlarm(v bool) { r.idHidden = v }

// SetInitialized marks the end of construction: before it, broadcast does
// nothing and getConnection(s) see no connections, as on PartyKit.
func (r *Room) SetInitialized() { r.initDone = true }

// AddConnection makes the JS view of a socket and lists it in the room.
func (r *Room) AddConnection(s Socket, tags []string) *Connection {
	c := r.Wrap(s, tags)
	r.conns = append(r.conns, c)
	return c
}

// List adds a connection made with Wrap to the room's list.
func (r *Room) List(c *Connection) { r.conns = append(r.conns, c) }

// Wrap makes the JS view of a socket without listing it.
func (r *Room) Wrap(s Socket, tags []string) *Connection {
	c := &Connection{Socket: s, Tags: append([]string{s.ID()}, tags...), state: goja.Null()}
	c.obj = r.vm.CreateObject(r.connProto)
	r.byObj[c.obj] = c
	return c
}

// RemoveConnection drops exactly this connection (not others with its id).
func (r *Room) RemoveConnection(c *Connection) {
	for i, x := range r.conns {
		if x == c {
			copy(r.conns[i:], r.conns[i+1:])
			r.conns[len(r.conns)-1] = nil
			r.conns = r.conns[:len(r.conns)-1]
			break
		}
	}
}

// Forget drops the JS object of a connection that is gone.
func (r *Room) Forget(c *Connection) { delete(r.byObj, c.obj) }

// Connections lists live connections in the order they joined.
func (r *Room) Connections() []*Connection { return r.conns }

func (r *Room) live(tag string) []*Connection {
	var out []*Connection
	for _, c := range r.conns {
		if c.Socket.ReadyState() != Open && c.Socket.ReadyState() != Connecting {
			continue
		}
		if tag == "" {
			out = append(out, c)
			continue
		}
		for _, t := range c.Tags {
			if t == tag {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func (r *Room) throwf(format string) {
	panic(r.vm.NewGoError(errors.New(format)))
}

func (r *Room) newRoomObject() *goja.Object {
	vm := r.vm
	o := vm.NewObject()
	get := func(name string, fn func() goja.Value) {
		_ = o.DefineAccessorProperty(name, vm.ToValue(func(goja.FunctionCall) goja.Value { return fn() }), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	get("id", func() goja.Value {
		if r.idHidden {
			r.throwf("You can not access `Party.id` in the `onAlarm` handler.\nThis is a known limitation, and may be fixed in a future version of PartyKit.\nIf you access to the id, you can save it into the Room storage when setting the alarm.\n")
		}
		return vm.ToValue(r.info.ID)
	})
	o.Set("internalID", r.info.InternalID)
	o.Set("name", r.info.Name)
	env := r.info.Env
	if env == nil {
		env = vm.NewObject()
	}
	o.Set("env", env)
	if r.info.Storage != nil {
		o.Set("storage", r.info.Storage)
	}
	o.Set("broadcast", r.broadcast)
	o.Set("getConnection", func(c goja.FunctionCall) goja.Value {
		if !r.initDone {
			return goja.Undefined()
		}
		id := c.Argument(0).String()
		var found *Connection
		for _, x := range r.live("") {
			if x.Socket.ID() == id {
				found = x // the newest socket with this id wins
			}
		}
		if found == nil {
			return goja.Undefined()
		}
		return found.obj
	})
	o.Set("getConnections", func(c goja.FunctionCall) goja.Value {
		tag := ""
		if a := c.Argument(0); !goja.IsUndefined(a) && !goja.IsNull(a) {
			tag = a.String()
		}
		if !r.initDone {
			return vm.NewArray()
		}
		list := r.live(tag)
		vals := make([]any, len(list))
		for i, x := range list {
			vals[i] = x.obj
		}
		return vm.NewArray(vals...)
	})
	o.Set("blockConcurrencyWhile", r.blockConcurrencyWhile)
	ctx := r.info.Context
	if ctx == nil {
		ctx = vm.NewObject()
	}
	parties := r.newParties()
	_ = ctx.DefineAccessorProperty("parties", vm.ToValue(func(goja.FunctionCall) goja.Value {
		if r.idHidden {
			r.throwf("You can not access `Party.context.parties` in the `onAlarm` handler.\nThis is a known limitation, and may be fixed in a future version of PartyKit.")
		}
		return parties
	}), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	o.Set("context", ctx)
	get("parties", func() goja.Value { return ctx.Get("parties") })
	get("connections", func() goja.Value {
		m, _ := vm.New(vm.Get("Map"))
		set, _ := goja.AssertFunction(m.Get("set"))
		for _, x := range r.live("") {
			_, _ = set(m, vm.ToValue(x.Socket.ID()), x.obj)
		}
		return m
	})
	analytics := vm.NewObject()
	analytics.Set("writeDataPoint", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	o.Set("analytics", analytics)
	return o
}

func (r *Room) newParties() *goja.Object {
	vm := r.vm
	parties := vm.NewObject()
	for _, name := range r.host.Parties() {
		name := name
		p := vm.NewObject()
		p.Set("get", func(c goja.FunctionCall) goja.Value {
			return r.host.Stub(name, c.Argument(0).String())
		})
		parties.Set(name, p)
	}
	return parties
}

// broadcast(msg, without?) frames msg once and hands it to Go; no JS loop.
func (r *Room) broadcast(c goja.FunctionCall) goja.Value {
	if !r.initDone {
		return goja.Undefined()
	}
	text, data := r.frame(c.Argument(0))
	var without map[string]bool
	if w, ok := c.Argument(1).(*goja.Object); ok {
		var ids []string
		_ = r.vm.ExportTo(w, &ids)
		without = make(map[string]bool, len(ids))
		for _, id := range ids {
			without[id] = true
		}
	}
	to := make([]Socket, 0, len(r.conns))
	for _, x := range r.conns {
		if x.Socket.ReadyState() != Open || without[x.Socket.ID()] {
			continue
		}
		to = append(to, x.Socket)
	}
	if len(to) > 0 {
		r.host.Broadcast(text, data, to)
	}
	return goja.Undefined()
}

// frame turns a JS message into a WebSocket payload: strings are text,
// ArrayBuffers and views are binary, anything else is sent as its string.
func (r *Room) frame(v goja.Value) (text bool, data []byte) {
	if s, ok := v.Export().(string); ok {
		return true, []byte(s)
	}
	if b, ok := jsutil.Bytes(r.vm, v); ok {
		return false, b
	}
	return true, []byte(v.String())
}

func (r *Room) blockConcurrencyWhile(c goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(c.Argument(0))
	if !ok {
		panic(r.vm.NewTypeError("blockConcurrencyWhile expects a function"))
	}
	p, resolve, reject := r.vm.NewPromise()
	r.host.Hold()
	v, err := fn(goja.Undefined())
	if err != nil {
		r.host.Release()
		_ = reject(jsutil.ThrownValue(err))
		return r.vm.ToValue(p)
	}
	jsutil.Await(r.vm, v, func(res goja.Value, err error) {
		r.host.Release()
		if err != nil {
			_ = reject(jsutil.ThrownValue(err))
			return
		}
		_ = resolve(res)
	})
	return r.vm.ToValue(p)
}
