package room

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/dop251/goja"
	"github.com/google/uuid"

	"gopk/bindings/host"
	"gopk/bindings/jsutil"
	"gopk/bindings/party"
	"gopk/runtime/eventloop"
)

// Edge runs a party's static hooks (onBeforeConnect, onBeforeRequest,
// onFetch, onSocket, onCron) — PartyKit's stateless edge worker — in a VM
// of its own that holds the party's module but no room.
type Edge struct {
	m     *Rooms
	party string
	code  *Code
	loop  *eventloop.Loop
	ready chan struct{}

	// Set before ready closes, read-only after.
	err          error
	hooks        map[string]bool
	hasOnRequest bool

	// Loop-owned.
	vm      *goja.Runtime
	globals Globals
	def     *goja.Object
	legacy  bool
	js      *party.Room // only for its WebSocket objects (onSocket, stub sockets)
	job     jobSlot
	sockets map[*Conn]*party.Connection
}

var edgeHooks = []string{"onBeforeConnect", "onBeforeRequest", "onFetch", "unstable_onFetch", "onSocket", "onCron"}

// Edge returns the party's edge, starting it on first use.
func (m *Rooms) Edge(partyName string) (*Edge, error) {
	m.mu.Lock()
	e := m.edges[partyName]
	if e == nil {
		e = &Edge{m: m, party: partyName, code: m.code, ready: make(chan struct{})}
		e.loop = eventloop.New(eventloop.Options{RunJob: e.runJob})
		m.edges[partyName] = e
		go e.loop.Run()
		e.loop.Post(e.init)
	}
	m.mu.Unlock()
	<-e.ready
	return e, e.err
}

func (e *Edge) runJob(fn func()) {
	defer func() {
		if p := recover(); p != nil {
			e.job.end()
			e.m.log.Error("edge crashed", "party", e.party, "panic", fmt.Sprint(p))
			e.m.dropEdge(e)
		}
	}()
	e.job.begin(e.vm, e.m.dog.heap.Load())
	fn()
	if why := e.job.end(); why != nil {
		// Same rule as rooms: an interrupted VM is not trusted again.
		e.m.log.Error("edge hooks reset: "+why.Error(), "party", e.party)
		e.m.dropEdge(e)
	}
}

// dropEdge retires an edge; the next request starts a fresh one.
func (m *Rooms) dropEdge(e *Edge) {
	m.mu.Lock()
	if m.edges[e.party] == e {
		delete(m.edges, e.party)
	}
	m.mu.Unlock()
	e.loop.Stop()
}

func (e *Edge) init() {
	defer close(e.ready)
	env := host.Env{Loop: e.loop, Logger: e.m.log.With("party", e.party)}
	vm, globals, def, err := newRuntime(e.m.opts.Platform, e.code, e.party, env)
	if err != nil {
		e.err = err
		return
	}
	e.vm, e.globals = vm, globals
	e.job.mu.Lock()
	e.job.vm = vm
	e.job.mu.Unlock()
	obj, ok := def.(*goja.Object)
	if !ok {
		e.err = fmt.Errorf("party %s: the default export must be a class or an object", e.party)
		return
	}
	e.def = obj
	e.legacy = !isClass(vm, def)
	e.js = party.NewRoom(vm, edgeHost{e}, party.Info{Name: e.party})
	e.js.SetInitialized()
	e.sockets = make(map[*Conn]*party.Connection)
	e.hooks = make(map[string]bool)
	for _, h := range edgeHooks {
		if _, ok := goja.AssertFunction(obj.Get(h)); ok {
			e.hooks[h] = true
		} else if !e.legacy {
			if proto, ok := obj.Get("prototype").(*goja.Object); ok {
				if _, onProto := goja.AssertFunction(proto.Get(h)); onProto {
					env.Logger.Warn(h + " is defined as an instance method; PartyKit only calls it when it is static")
				}
			}
		}
	}
	if e.legacy {
		_, e.hasOnRequest = goja.AssertFunction(obj.Get("onRequest"))
	} else if proto, ok := obj.Get("prototype").(*goja.Object); ok {
		_, e.hasOnRequest = goja.AssertFunction(proto.Get("onRequest"))
	}
}

// Has reports whether the party defines a static hook.
func (e *Edge) Has(hook string) bool {
	if hook == "onFetch" {
		return e.hooks["onFetch"] || e.hooks["unstable_onFetch"]
	}
	return e.hooks[hook]
}

// HasOnRequest reports whether the party's server handles plain requests.
func (e *Edge) HasOnRequest() bool { return e.hasOnRequest }

func (e *Edge) stop() { e.loop.Stop() }

// EdgeResult is what an onBefore* hook decided.
type EdgeResult struct {
	Forward  *HTTPRequest  // go on to the room with this request
	Response *HTTPResponse // answer the client with this instead
}

// Before runs onBeforeConnect or onBeforeRequest for a request to room id.
// A returned Request is forwarded, a Response answers, a throw is a 401.
func (e *Edge) Before(hook string, req *HTTPRequest, id string) EdgeResult {
	return retryEdge(e, func(e *Edge) (EdgeResult, bool) { return e.before(hook, req, id) },
		EdgeResult{Response: textResponse(503, "Server restarting")})
}

func (e *Edge) before(hook string, req *HTTPRequest, id string) (EdgeResult, bool) {
	res := make(chan EdgeResult, 1)
	ok := e.loop.Post(func() {
		fn, _ := goja.AssertFunction(e.def.Get(hook))
		jsReq := e.globals.NewRequest(req)
		out, err := fn(e.def, jsReq, e.lobby(req, id), e.execCtx())
		if err != nil {
			res <- EdgeResult{Response: textResponse(401, jsutil.Message(err))}
			return
		}
		jsutil.Await(e.vm, out, func(v goja.Value, err error) {
			switch {
			case err != nil:
				e.m.log.Info(hook+" rejected the request", "party", e.party, "error", jsutil.Message(err))
				res <- EdgeResult{Response: textResponse(401, jsutil.Message(err))}
			case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
				res <- EdgeResult{Forward: req}
			case e.globals.IsResponse(v):
				e.globals.AwaitResponse(v, func(r *HTTPResponse, err error) {
					if err != nil {
						res <- EdgeResult{Response: errorResponse(err)}
						return
					}
					res <- EdgeResult{Response: r}
				})
			case e.globals.IsRequest(v):
				e.globals.ExportRequest(v, func(r *HTTPRequest, err error) {
					if err != nil {
						res <- EdgeResult{Response: errorResponse(err)}
						return
					}
					res <- EdgeResult{Forward: r}
				})
			default:
				res <- EdgeResult{Response: textResponse(500, hook+" must return a Request or a Response")}
			}
		})
	})
	if !ok {
		return EdgeResult{}, false
	}
	return waitEdge(e, res)
}

// Fetch runs onFetch for a path that is not a room; nil means it fell through.
func (e *Edge) Fetch(req *HTTPRequest) *HTTPResponse {
	return retryEdge(e, func(e *Edge) (*HTTPResponse, bool) { return e.fetch(req) }, textResponse(503, "Server restarting"))
}

func (e *Edge) fetch(req *HTTPRequest) (*HTTPResponse, bool) {
	hook := "onFetch"
	if !e.hooks[hook] {
		hook = "unstable_onFetch"
	}
	res := make(chan *HTTPResponse, 1)
	ok := e.loop.Post(func() {
		fn, _ := goja.AssertFunction(e.def.Get(hook))
		out, err := fn(e.def, e.globals.NewRequest(req), e.lobby(req, ""), e.execCtx())
		if err != nil {
			e.m.log.Error(hook+" threw", "party", e.party, "error", jsutil.Stack(err))
			res <- errorResponse(err)
			return
		}
		jsutil.Await(e.vm, out, func(v goja.Value, err error) {
			switch {
			case err != nil:
				e.m.log.Error(hook+" threw", "party", e.party, "error", jsutil.Stack(err))
				res <- errorResponse(err)
			case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
				res <- nil
			default:
				e.globals.AwaitResponse(v, func(r *HTTPResponse, err error) {
					if err != nil {
						res <- errorResponse(err)
						return
					}
					res <- r
				})
			}
		})
	})
	if !ok {
		return nil, false
	}
	return waitEdge(e, res)
}

// lobby is the Party.Lobby / FetchLobby handed to static hooks.
func (e *Edge) lobby(req *HTTPRequest, id string) *goja.Object {
	vm := e.vm
	l := vm.NewObject()
	if id != "" {
		l.Set("id", id)
	}
	envJSON := "{}"
	if e.code.Vars != nil {
		if b, err := jsonMarshal(e.code.Vars); err == nil {
			envJSON = string(b)
		}
	}
	env, _ := jsonParse(vm, envJSON)
	l.Set("env", env)
	hostName := ""
	if u, err := url.Parse(req.URL); err == nil {
		hostName = u.Host
	}
	s := e.stubs(func() string { return hostName })
	parties := vm.NewObject()
	for _, name := range e.m.Parties() {
		name := name
		p := vm.NewObject()
		p.Set("get", func(c goja.FunctionCall) goja.Value { return s.get(name, c.Argument(0).String()) })
		parties.Set(name, p)
	}
	l.Set("parties", parties)
	l.Set("ai", goja.Undefined())
	l.Set("assets", newAssets(vm, e.globals, e.code))
	l.Set("vectorize", vm.NewObject())
	bindings := vm.NewObject()
	bindings.Set("r2", vm.NewObject())
	bindings.Set("kv", vm.NewObject())
	l.Set("bindings", bindings)
	analytics := vm.NewObject()
	analytics.Set("writeDataPoint", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	l.Set("analytics", analytics)
	return l
}

func (e *Edge) execCtx() *goja.Object {
	ctx := e.vm.NewObject()
	ctx.Set("waitUntil", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	ctx.Set("passThroughOnException", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	return ctx
}

func (e *Edge) stubs(hostHint func() string) *stubs {
	return &stubs{m: e.m, vm: e.vm, globals: e.globals, hostHint: hostHint,
		run:      func(work func() func()) { e.loop.Go(func(context.Context) func() { return work() }) },
		wrap:     func(s party.Socket) *party.Connection { return e.js.Wrap(s, nil) },
		dispatch: e.js.Dispatch,
		post:     e.loop.Post,
	}
}

// Socket runs onSocket for a WebSocket to a non-room path. Like a room
// connection, the 101 is sent only when onSocket settles (frames it sends
// are delivered right after); a throw is answered with 500.
func (e *Edge) Socket(req *HTTPRequest) (*Conn, <-chan error) {
	c := newConn(e, uuid.NewString(), req.URL)
	res := make(chan error, 1)
	ok := e.loop.Post(func() {
		fn, _ := goja.AssertFunction(e.def.Get("onSocket"))
		c.ready.Store(party.Open)
		ws := e.js.Wrap(c, nil)
		e.sockets[c] = ws
		ws.Object().Set("request", e.globals.NewRequest(req))
		out, err := fn(e.def, ws.Object(), e.lobby(req, ""), e.execCtx())
		if err != nil {
			e.m.log.Error("onSocket threw", "party", e.party, "error", jsutil.Stack(err))
			res <- fmt.Errorf("%s", jsutil.Message(err))
			return
		}
		jsutil.Await(e.vm, out, func(_ goja.Value, err error) {
			if err != nil {
				e.m.log.Error("onSocket threw", "party", e.party, "error", jsutil.Stack(err))
				res <- fmt.Errorf("%s", jsutil.Message(err))
				return
			}
			res <- nil
		})
	})
	if !ok {
		res <- ErrStopped
	}
	return c, res
}

// AttachSocket completes an onSocket handshake.
func (e *Edge) AttachSocket(c *Conn, w http.ResponseWriter, r *http.Request) {
	_ = c.attach(w, r)
}

// Done is closed when the edge has stopped (queued hook calls are dropped).
func (e *Edge) Done() <-chan struct{} { return e.loop.Done() }

// Abandon drops a socket whose client left before the upgrade.
func (e *Edge) Abandon(c *Conn) { c.finish(1006, "") }

// The edge as the owner of onSocket sockets: no output gate, events go to
// the listeners of the socket object.
func (e *Edge) emitFrame(c *Conn, f frame) { c.enqueue(f) }
func (e *Edge) options() *Options          { return &e.m.opts }
func (e *Edge) logger() *slog.Logger       { return e.m.log.With("party", e.party) }
func (e *Edge) message(c *Conn, text bool, data []byte) {
	if !e.loop.Post(func() {
		<-c.inflight
		ws := e.sockets[c]
		if ws == nil {
			return
		}
		var msg goja.Value
		if text {
			msg = e.vm.ToValue(string(data))
		} else {
			msg = e.vm.ToValue(e.vm.NewArrayBuffer(data))
		}
		if err := e.js.Dispatch(ws, "message", map[string]goja.Value{"data": msg}); err != nil {
			e.m.log.Error("onSocket message listener threw", "party", e.party, "error", jsutil.Stack(err))
		}
	}) {
		<-c.inflight
	}
}
func (e *Edge) closed(c *Conn, code int, reason string) {
	e.loop.Post(func() {
		ws := e.sockets[c]
		if ws == nil {
			return
		}
		delete(e.sockets, c)
		init := map[string]goja.Value{"code": e.vm.ToValue(code), "reason": e.vm.ToValue(reason), "wasClean": e.vm.ToValue(code != 1006)}
		if err := e.js.Dispatch(ws, "close", init); err != nil {
			e.m.log.Error("onSocket close listener threw", "party", e.party, "error", jsutil.Stack(err))
		}
		e.js.Forget(ws)
	})
}

// edgeHost is what the edge's helper party.Room needs; an edge has no room.
type edgeHost struct{ e *Edge }

func (edgeHost) Broadcast(bool, []byte, []party.Socket) {}
func (edgeHost) Hold()                                  {}
func (edgeHost) Release()                               {}
func (h edgeHost) Parties() []string                    { return h.e.m.Parties() }
func (h edgeHost) Stub(partyName, id string) *goja.Object {
	return h.e.stubs(func() string { return "" }).get(partyName, id)
}

// Cron runs the main party's onCron for the cron named name (expression
// expr), as PartyKit's scheduled handler does.
func (e *Edge) Cron(name, expr string, scheduled time.Time) error {
	res := make(chan error, 1)
	ok := e.loop.Post(func() {
		fn, isFn := goja.AssertFunction(e.def.Get("onCron"))
		if !isFn {
			res <- fmt.Errorf("party %s has no onCron", e.party)
			return
		}
		vm := e.vm
		ctrl := vm.NewObject()
		ctrl.Set("name", name)
		ctrl.Set("cron", expr)
		ctrl.Set("scheduledTime", scheduled.UnixMilli())
		ctrl.Set("noRetry", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
		lobby := e.lobby(&HTTPRequest{URL: "http://localhost/"}, "")
		out, err := fn(e.def, ctrl, lobby, e.execCtx())
		if err != nil {
			e.m.log.Error("onCron threw", "party", e.party, "cron", name, "error", jsutil.Stack(err))
			res <- fmt.Errorf("%s", jsutil.Message(err))
			return
		}
		jsutil.Await(vm, out, func(_ goja.Value, err error) {
			if err != nil {
				e.m.log.Error("onCron threw", "party", e.party, "cron", name, "error", jsutil.Stack(err))
				res <- fmt.Errorf("%s", jsutil.Message(err))
				return
			}
			res <- nil
		})
	})
	if !ok {
		return ErrStopped
	}
	if err, ok := waitEdge(e, res); ok {
		return err
	}
	return ErrStopped
}

// waitEdge waits for a hook's result; ok is false if the edge stopped first
// (reset by the watchdog, a new version) and dropped the queued call.
func waitEdge[T any](e *Edge, res <-chan T) (v T, ok bool) {
	select {
	case v = <-res:
		return v, true
	case <-e.loop.Done():
		select {
		case v = <-res:
			return v, true
		default:
			return v, false
		}
	}
}

// retryEdge runs call on e, and on a fresh edge of the same party if e
// stopped before answering (its successor is started on demand).
func retryEdge[T any](e *Edge, call func(*Edge) (T, bool), gone T) T {
	for attempt := 0; attempt < 3; attempt++ {
		if v, ok := call(e); ok {
			return v
		}
		fresh, err := e.m.Edge(e.party)
		if err != nil || fresh == e {
			break
		}
		e = fresh
	}
	return gone
}
