package room

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/clone"
	"gopk/bindings/host"
	"gopk/bindings/jsutil"
	"gopk/bindings/party"
	"gopk/runtime/eventloop"
)

// vmState is one VM of a room: the user's server object and the JS views of
// the room's sockets. A room may go through many (restarts, hibernation).
type vmState struct {
	r         *Room
	vm        *goja.Runtime
	code      *Code
	globals   Globals
	js        *party.Room
	server    *goja.Object
	legacy    bool // object API: the room is passed as the last argument
	hibernate bool
	fns       map[string]goja.Callable
	conns     map[*Conn]*party.Connection

	starting   bool // onStart has not settled
	afterStart []func()
	rejections []*goja.Promise
	hostHint   string // host of the request that started the VM (for stubs)
}

var handlerNames = []string{"onStart", "onConnect", "onMessage", "onClose", "onError", "onRequest", "onAlarm", "getConnectionTags"}

// MaxCallStack bounds recursion so runaway code throws instead of eating memory.
const MaxCallStack = 4096

// newRuntime makes a VM with the platform installed and the party's module
// evaluated, returning its default export.
func newRuntime(platform Platform, code *Code, partyName string, env host.Env) (*goja.Runtime, Globals, goja.Value, error) {
	vm := goja.New()
	vm.SetMaxCallStackSize(MaxCallStack)
	globals, def, err := loadModule(vm, platform, code, partyName, env)
	if err != nil {
		return nil, nil, nil, err
	}
	return vm, globals, def, nil
}

// loadModule installs the platform on vm and evaluates the party's module.
func loadModule(vm *goja.Runtime, platform Platform, code *Code, partyName string, env host.Env) (globals Globals, def goja.Value, err error) {
	defer func() {
		// goja can panic on input it should reject; a party must fail to
		// load, not take the process down.
		if p := recover(); p != nil {
			if globals != nil {
				globals.Close()
			}
			globals, def, err = nil, nil, fmt.Errorf("loading %s: internal error: %v", partyName, p)
		}
	}()
	prog := code.Programs[partyName]
	if prog == nil {
		return nil, nil, fmt.Errorf("party %q not found", partyName)
	}
	globals, err = platform.Install(vm, env, code.ProcessEnv)
	if err != nil {
		return nil, nil, fmt.Errorf("installing globals: %w", err)
	}
	wrapper, err := vm.RunProgram(prog)
	if err != nil {
		globals.Close()
		return nil, nil, fmt.Errorf("loading %s: %s", partyName, jsutil.Stack(err))
	}
	fn, ok := goja.AssertFunction(wrapper)
	if !ok {
		globals.Close()
		return nil, nil, fmt.Errorf("loading %s: the bundle is not a gopk module function (was it built by gopk?)", partyName)
	}
	module := vm.NewObject()
	exports := vm.NewObject()
	module.Set("exports", exports)
	if _, err := fn(goja.Undefined(), module, exports, globals.Require()); err != nil {
		globals.Close()
		return nil, nil, fmt.Errorf("evaluating %s: %s", partyName, jsutil.Stack(err))
	}
	mod, ok := module.Get("exports").(*goja.Object)
	if !ok {
		globals.Close()
		return nil, nil, fmt.Errorf("party %s: the default export must be a class or an object, not %s", partyName, module.Get("exports").String())
	}
	def = mod.Get("default")
	if (def == nil || goja.IsUndefined(def)) && !has(mod, "__esModule") {
		def = mod // a CommonJS entry: module.exports is the server
	}
	if def == nil || goja.IsUndefined(def) {
		globals.Close()
		return nil, nil, fmt.Errorf("party %s: the module has no default export (export default class … or export default { … })", partyName)
	}
	if _, ok := def.(*goja.Object); !ok {
		globals.Close()
		return nil, nil, fmt.Errorf("party %s: the default export must be a class or an object, not %s", partyName, def.String())
	}
	return globals, def, nil
}

// Validate loads a party of code the way a room would — globals installed,
// module body evaluated, default export checked — in a scratch VM that is
// thrown away. A module body still running after timeout (an endless loop
// at the top level) is interrupted and reported. Deploys call it before a
// version may become active.
func Validate(code *Code, partyName string, platform Platform, log *slog.Logger, timeout time.Duration) error {
	loop := eventloop.New(eventloop.Options{})
	go loop.Run()
	defer loop.Stop()
	result := make(chan error, 1)
	vmc := make(chan *goja.Runtime, 1)
	loop.Post(func() {
		vm := goja.New()
		vm.SetMaxCallStackSize(MaxCallStack)
		vmc <- vm
		globals, _, err := loadModule(vm, platform, code, partyName, host.Env{Loop: loop, Logger: log})
		if globals != nil {
			globals.Close()
		}
		result <- err
	})
	select {
	case err := <-result:
		return err
	case <-time.After(timeout):
		(<-vmc).Interrupt(errValidateTimeout)
		err := <-result
		return fmt.Errorf("evaluating the module took longer than %v (an endless loop at the top level?): %v", timeout, err)
	}
}

var errValidateTimeout = errors.New("timed out")

// isClass tells a class export from a legacy object export the way PartyKit
// does: a function with an object prototype.
func isClass(vm *goja.Runtime, def goja.Value) bool {
	if _, ok := goja.AssertFunction(def); !ok {
		return false
	}
	proto, ok := def.ToObject(vm).Get("prototype").(*goja.Object)
	return ok && proto != nil
}

func (r *Room) startVM() (*vmState, error) {
	code := r.m.Code()
	env := host.Env{Loop: r.loop, Logger: r.log}
	vm, globals, def, err := newRuntime(r.m.opts.Platform, code, r.party, env)
	if err != nil {
		return nil, err
	}
	v := &vmState{r: r, vm: vm, code: code, globals: globals, fns: map[string]goja.Callable{}, conns: map[*Conn]*party.Connection{}}
	vm.SetPromiseRejectionTracker(v.trackRejection)

	var storage goja.Value
	if r.m.opts.Storage != nil && r.store != nil {
		storage = r.m.opts.Storage.New(vm, env, r.store)
	}
	envJSON, _ := json.Marshal(code.Vars)
	if code.Vars == nil {
		envJSON = []byte("{}")
	}
	envVal, _ := jsonParse(vm, string(envJSON))
	ctx := vm.NewObject()
	ctx.Set("ai", goja.Undefined())
	ctx.Set("assets", newAssets(vm, globals, code))
	ctx.Set("vectorize", vm.NewObject())
	bindings := vm.NewObject()
	bindings.Set("r2", vm.NewObject())
	bindings.Set("kv", vm.NewObject())
	ctx.Set("bindings", bindings)
	v.js = party.NewRoom(vm, (*roomHost)(v), party.Info{
		ID: r.id, InternalID: r.internal, Name: r.party, Env: envVal, Storage: storage, Context: ctx,
	})
	for _, c := range r.conns { // sockets carried over from an earlier VM
		jc := v.js.AddConnection(c, c.tags)
		v.conns[c] = jc
		v.restoreState(c, jc)
	}

	if isClass(vm, def) {
		inst, err := vm.New(def, v.js.Object())
		if err != nil {
			v.close()
			return nil, fmt.Errorf("constructing the %s server: %s", r.party, jsutil.Stack(err))
		}
		v.server = inst
		if opts, ok := inst.Get("options").(*goja.Object); ok {
			if h := opts.Get("hibernate"); h != nil {
				v.hibernate = h.ToBoolean()
			}
		}
	} else {
		obj, ok := def.(*goja.Object)
		if !ok {
			v.close()
			return nil, fmt.Errorf("party %s: the default export must be a class or an object", r.party)
		}
		v.server = obj
		v.legacy = true
		v.hibernate = has(obj, "onMessage") || !has(obj, "onConnect")
	}
	for _, name := range handlerNames {
		if v.legacy && (name == "onStart" || name == "getConnectionTags") {
			continue
		}
		if fn, ok := goja.AssertFunction(v.server.Get(name)); ok {
			v.fns[name] = fn
		}
	}
	v.js.SetInitialized()
	r.hasOnClose = v.fns["onClose"] != nil
	if v.hibernate {
		v.js.OnSetState(v.attach)
	}

	if onStart := v.fns["onStart"]; onStart != nil {
		res, err := onStart(v.server)
		if err != nil {
			r.log.Error("onStart failed", "error", jsutil.Stack(err))
			return v, nil
		}
		if jsutil.IsPromise(res) {
			v.starting = true
			r.loop.Hold()
			jsutil.Await(vm, res, func(_ goja.Value, err error) {
				if err != nil {
					r.log.Error("onStart failed", "error", jsutil.Stack(err))
				}
				v.starting = false
				r.loop.Release()
				queued := v.afterStart
				v.afterStart = nil
				for _, fn := range queued {
					fn()
				}
			})
		}
	}
	return v, nil
}

func has(o *goja.Object, name string) bool {
	v := o.Get(name)
	return v != nil && !goja.IsUndefined(v)
}

func jsonParse(vm *goja.Runtime, s string) (goja.Value, error) {
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	return parse(goja.Undefined(), vm.ToValue(s))
}

// call runs a handler with PartyKit's argument order (the legacy API gets
// the room appended) and reports a throw or a rejection through onErr.
func (v *vmState) call(name string, onErr func(error), args ...goja.Value) {
	fn := v.fns[name]
	if fn == nil {
		return
	}
	if v.legacy {
		args = append(args, v.js.Object())
	}
	settled := v.timer(name)
	res, err := fn(v.server, args...)
	if err != nil {
		settled()
		onErr(err)
		return
	}
	if !jsutil.IsPromise(res) {
		settled()
		return
	}
	jsutil.Await(v.vm, res, func(_ goja.Value, err error) {
		settled()
		if err != nil {
			onErr(err)
		}
	})
}

// timer starts timing a handler for Options.Metrics; the returned func
// records it.
func (v *vmState) timer(handler string) func() {
	m := v.r.m.opts.Metrics
	if m == nil {
		return func() {}
	}
	start := time.Now()
	return func() { m.Event(v.r.party, handler, time.Since(start)) }
}

// callThen is call for handlers whose completion matters (onConnect,
// onRequest): done gets the settled value or the error.
func (v *vmState) callThen(name string, done func(goja.Value, error), args ...goja.Value) {
	fn := v.fns[name]
	if v.legacy {
		args = append(args, v.js.Object())
	}
	settled := v.timer(name)
	res, err := fn(v.server, args...)
	if err != nil {
		settled()
		done(nil, err)
		return
	}
	jsutil.Await(v.vm, res, func(val goja.Value, err error) {
		settled()
		done(val, err)
	})
}

func (v *vmState) logError(handler string) func(error) {
	return func(err error) {
		v.r.log.Error(handler+" threw", "error", jsutil.Stack(err))
	}
}

func (v *vmState) connect(c *Conn, req *HTTPRequest, finish func(error)) {
	vm := v.vm
	// c.handshake lets a live swap complete a handshake the old VM left open.
	c.handshake = finish
	done := func(err error) {
		if c.handshake != nil {
			c.handshake = nil
			finish(err)
		}
	}
	if v.hostHint == "" {
		if u, err := url.Parse(req.URL); err == nil {
			v.hostHint = u.Host
		}
	}
	c.req = req
	ctx := v.connContext(req)
	conn := v.js.Wrap(c, nil)
	v.conns[c] = conn

	accept := func(tags []string) {
		if v.hibernate {
			if err := validateTags(c.id, tags); err != nil {
				done(err)
				return
			}
		}
		c.tags = tags
		conn.Tags = append([]string{c.id}, tags...)
		v.js.List(conn)
		if v.fns["onConnect"] == nil {
			done(nil)
			return
		}
		onDone := func(_ goja.Value, err error) {
			if err != nil {
				v.r.log.Error("onConnect threw", "conn", c.id, "error", jsutil.Stack(err))
				done(fmt.Errorf("%s", jsutil.Message(err)))
				return
			}
			done(nil)
		}
		if v.legacy {
			// The object API passes the room before the context: (conn, room, ctx).
			settled := v.timer("onConnect")
			res, err := v.fns["onConnect"](v.server, conn.Object(), v.js.Object(), ctx)
			if err != nil {
				settled()
				onDone(nil, err)
				return
			}
			jsutil.Await(vm, res, func(val goja.Value, err error) {
				settled()
				onDone(val, err)
			})
			return
		}
		v.callThen("onConnect", onDone, conn.Object(), ctx)
	}
	getTags := v.fns["getConnectionTags"]
	if getTags == nil {
		accept(nil)
		return
	}
	res, err := getTags(v.server, conn.Object(), ctx)
	if err != nil {
		v.r.log.Error("getConnectionTags threw", "error", jsutil.Stack(err))
		done(fmt.Errorf("%s", jsutil.Message(err)))
		return
	}
	jsutil.Await(vm, res, func(val goja.Value, err error) {
		if err != nil {
			done(fmt.Errorf("%s", jsutil.Message(err)))
			return
		}
		var tags []string
		if val != nil && !goja.IsUndefined(val) && !goja.IsNull(val) {
			if err := vm.ExportTo(val, &tags); err != nil {
				done(fmt.Errorf("getConnectionTags must return an array of strings"))
				return
			}
		}
		accept(tags)
	})
}

func validateTags(id string, tags []string) error {
	if len(tags)+1 > 10 {
		return fmt.Errorf("A connection can only have 10 tags, including the default id tag.")
	}
	for _, t := range append([]string{id}, tags...) {
		if t == "" {
			return fmt.Errorf("A connection tag must not be an empty string.")
		}
		if len(t) > 256 {
			return fmt.Errorf("A connection tag must not exceed 256 characters.")
		}
	}
	return nil
}

func (v *vmState) message(c *Conn, text bool, data []byte) {
	conn := v.conns[c]
	if conn == nil {
		return
	}
	var msg goja.Value
	if text {
		msg = v.vm.ToValue(string(data))
	} else {
		msg = v.vm.ToValue(v.vm.NewArrayBuffer(data))
	}
	if v.fns["onMessage"] != nil {
		v.call("onMessage", v.logError("onMessage"), msg, conn.Object())
	}
	if !v.hibernate && conn.HasListeners("message") {
		if err := v.js.Dispatch(conn, "message", map[string]goja.Value{"data": msg}); err != nil {
			v.logError("message listener")(err)
		}
	}
}

func (v *vmState) disconnect(c *Conn, code int, reason string) {
	conn := v.conns[c]
	if conn == nil {
		return
	}
	v.js.RemoveConnection(conn)
	delete(v.conns, c)
	defer v.js.Forget(conn)
	if v.fns["onClose"] != nil {
		v.call("onClose", v.logError("onClose"), conn.Object())
	}
	if !v.hibernate && conn.HasListeners("close") {
		init := map[string]goja.Value{
			"code": v.vm.ToValue(code), "reason": v.vm.ToValue(reason), "wasClean": v.vm.ToValue(code != 1006),
		}
		if err := v.js.Dispatch(conn, "close", init); err != nil {
			v.logError("close listener")(err)
		}
	}
}

// closeEvent runs onClose for a socket that closed while the room had no
// VM (hibernated): it gets a JS view of its own, not listed in the room.
func (v *vmState) closeEvent(c *Conn, code int, reason string) {
	jc := v.js.Wrap(c, c.tags)
	v.restoreState(c, jc)
	defer v.js.Forget(jc)
	if v.fns["onClose"] != nil {
		v.call("onClose", v.logError("onClose"), jc.Object())
	}
}

func (v *vmState) request(req *HTTPRequest, done func(*HTTPResponse)) {
	if v.fns["onRequest"] == nil {
		done(textResponse(500, "No onRequest handler"))
		return
	}
	if v.hostHint == "" {
		if u, err := url.Parse(req.URL); err == nil {
			v.hostHint = u.Host
		}
	}
	jsReq := v.globals.NewRequest(req)
	v.callThen("onRequest", func(res goja.Value, err error) {
		if err != nil {
			v.r.log.Error("onRequest threw", "error", jsutil.Stack(err))
			done(errorResponse(err))
			return
		}
		v.globals.AwaitResponse(res, func(resp *HTTPResponse, err error) {
			if err != nil {
				v.r.log.Error("onRequest returned no Response", "error", jsutil.Stack(err))
				done(errorResponse(err))
				return
			}
			done(resp)
		})
	}, jsReq)
}

// errorResponse is PartyKit's answer to a throwing handler: 500 with the
// message, or the error's numeric code as the status.
func errorResponse(err error) *HTTPResponse {
	status := 500
	if tv, ok := jsutil.ThrownValue(err).(*goja.Object); ok && tv != nil {
		if code := tv.Get("code"); code != nil {
			if n, isNum := code.Export().(int64); isNum && n >= 200 && n <= 599 {
				status = int(n)
			} else if f, isF := code.Export().(float64); isF && f >= 200 && f <= 599 && f == float64(int(f)) {
				status = int(f)
			}
		}
	}
	return textResponse(status, jsutil.Message(err))
}

// alarm runs onAlarm; done reports whether it succeeded (for retries).
func (v *vmState) alarm(done func(error)) {
	if v.fns["onAlarm"] == nil {
		done(nil)
		return
	}
	// As on PartyKit, room.id and room.context.parties throw while onAlarm
	// runs, until its promise settles, whatever started the room.
	v.js.SetInAlarm(true)
	v.callThen("onAlarm", func(_ goja.Value, err error) {
		v.js.SetInAlarm(false)
		if err != nil {
			v.r.log.Error("onAlarm threw", "error", jsutil.Stack(err))
		}
		done(err)
	})
}

func (v *vmState) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		v.rejections = append(v.rejections, p)
	case goja.PromiseRejectionHandle:
		for i, x := range v.rejections {
			if x == p {
				v.rejections = append(v.rejections[:i], v.rejections[i+1:]...)
				break
			}
		}
	}
}

// reportRejections logs promises rejected with no handler during the job
// (async code fails by rejecting; without this it fails silently).
func (v *vmState) reportRejections() {
	for _, p := range v.rejections {
		v.r.log.Error("unhandled promise rejection", "error", jsutil.Describe(p.Result()))
	}
	v.rejections = v.rejections[:0]
}

func (v *vmState) close() {
	if v.globals != nil {
		v.globals.Close()
	}
}

// roomHost is the vmState as the JS Room sees it.
type roomHost vmState

func (h *roomHost) Broadcast(text bool, data []byte, to []party.Socket) {
	(*vmState)(h).r.broadcast(text, data, to)
}
func (h *roomHost) Hold()             { h.r.loop.Hold() }
func (h *roomHost) Release()          { h.r.loop.Release() }
func (h *roomHost) Parties() []string { return h.r.m.Parties() }
func (h *roomHost) Stub(partyName, id string) *goja.Object {
	return (*vmState)(h).stub(partyName, id)
}

// connContext is the ConnectionContext of getConnectionTags and onConnect.
// Its request is made when first read: the first Request of a VM builds the
// Fetch classes (about 120 KiB and a third of a room's start), which a server
// that never reads ctx.request need not pay for.
func (v *vmState) connContext(req *HTTPRequest) *goja.Object {
	ctx := v.vm.NewObject()
	var jsReq goja.Value
	get := func(goja.FunctionCall) goja.Value {
		if jsReq == nil {
			jsReq = v.globals.NewRequest(req)
		}
		return jsReq
	}
	set := func(call goja.FunctionCall) goja.Value {
		jsReq = call.Argument(0)
		return goja.Undefined()
	}
	_ = ctx.DefineAccessorProperty("request", v.vm.ToValue(get), v.vm.ToValue(set), goja.FLAG_TRUE, goja.FLAG_TRUE)
	return ctx
}

// reconnect runs onConnect again for a socket carried over by a live swap.
func (v *vmState) reconnect(c *Conn) {
	jc := v.conns[c]
	if jc == nil || v.fns["onConnect"] == nil || c.req == nil {
		return
	}
	ctx := v.connContext(c.req)
	args := []goja.Value{jc.Object(), ctx}
	if v.legacy {
		args = []goja.Value{jc.Object(), v.js.Object(), ctx}
	}
	report := func(_ goja.Value, err error) {
		if err != nil {
			v.r.log.Error("onConnect threw after a live swap", "conn", c.id, "error", jsutil.Stack(err))
		}
	}
	res, err := v.fns["onConnect"](v.server, args...)
	if err != nil {
		report(nil, err)
		return
	}
	jsutil.Await(v.vm, res, report)
}

// saveState serializes a socket's state (structured clone) so it outlives
// the VM; nil means null. A state that cannot be cloned is dropped, loudly.
func (v *vmState) saveState(jc *party.Connection) []byte {
	st := jc.State()
	if st == nil || goja.IsNull(st) || goja.IsUndefined(st) {
		return nil
	}
	b, err := clone.Serialize(v.vm, st)
	if err != nil {
		v.r.log.Warn("connection state could not be carried to the new VM", "conn", jc.Socket.ID(), "error", err)
		return nil
	}
	return b
}

func (v *vmState) restoreState(c *Conn, jc *party.Connection) {
	if c.saved == nil {
		return
	}
	val, err := clone.Deserialize(v.vm, c.saved)
	if err != nil {
		v.r.log.Warn("connection state could not be restored", "conn", c.id, "error", err)
		return
	}
	jc.SetStateValue(val)
}

// MaxAttachment is the most a hibernating socket may keep (PartyKit/workerd).
const MaxAttachment = 2048

// attach keeps a hibernating socket's state in Go the moment it is set,
// refusing states PartyKit would refuse.
func (v *vmState) attach(jc *party.Connection, val goja.Value) error {
	c, ok := jc.Socket.(*Conn)
	if !ok {
		return nil
	}
	if val == nil || goja.IsNull(val) || goja.IsUndefined(val) {
		c.saved = nil
		return nil
	}
	b, err := clone.Serialize(v.vm, val)
	if err != nil {
		return err
	}
	// PartyKit stores {__pk: {id, uri}, __user: state}; count that too.
	if len(b)+len(c.id)+len(c.uri)+24 > MaxAttachment {
		return fmt.Errorf("A WebSocket 'attachment' cannot be larger than %d bytes", MaxAttachment)
	}
	c.saved = b
	return nil
}

// newAssets is context.assets: fetch(path) resolves to a Response for a
// static asset, or null.
func newAssets(vm *goja.Runtime, globals Globals, code *Code) *goja.Object {
	o := vm.NewObject()
	o.Set("fetch", func(c goja.FunctionCall) goja.Value {
		path := c.Argument(0).String()
		if !strings.HasPrefix(path, "/") {
			panic(vm.NewTypeError("assets.fetch: path must start with /"))
		}
		p, resolve, _ := vm.NewPromise()
		var resp *HTTPResponse
		if code.Asset != nil {
			resp = code.Asset(path)
		}
		if resp == nil {
			_ = resolve(goja.Null())
		} else {
			_ = resolve(globals.NewResponse(resp))
		}
		return vm.ToValue(p)
	})
	return o
}
