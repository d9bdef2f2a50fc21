package room

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/dop251/goja"
	"github.com/google/uuid"

	"gopk/bindings/party"
)

// stubs builds room.context.parties.<party>.get(id) objects: fetch() and
// socket() reach the target room directly, bypassing its edge hooks, as on
// PartyKit.
type stubs struct {
	m        *Rooms
	vm       *goja.Runtime
	globals  Globals
	hostHint func() string
	run      func(work func() func())
	// For socket(): make a caller-side JS WebSocket over a Socket, fire its
	// events, and run a function on the caller's loop.
	wrap     func(party.Socket) *party.Connection
	dispatch func(*party.Connection, string, map[string]goja.Value) error
	post     func(func()) bool
}

func (s *stubs) get(partyName, id string) *goja.Object {
	vm := s.vm
	o := vm.NewObject()
	base := func() string {
		h := s.hostHint()
		if h == "" {
			h = "localhost"
		}
		return "http://" + h + "/parties/" + partyName + "/" + id
	}
	o.Set("fetch", func(c goja.FunctionCall) goja.Value {
		target := base()
		init := c.Argument(1)
		first := c.Argument(0)
		if s, ok := first.Export().(string); ok {
			if len(s) == 0 || s[0] != '/' {
				panic(vm.NewGoError(fmt.Errorf("Path must start with /")))
			}
			target += s
		} else if !goja.IsUndefined(first) {
			init = first
		}
		reqCtor, ok := vm.Get("Request").(*goja.Object)
		if !ok {
			panic(vm.NewTypeError("Request is not available"))
		}
		args := []goja.Value{vm.ToValue(target)}
		if !goja.IsUndefined(init) && !goja.IsNull(init) {
			if io, isObj := init.(*goja.Object); isObj && s.globals.IsRequest(io) {
				// A Request: keep its method, headers and body, at our URL.
				u := io.Get("url").String()
				if pu, err := url.Parse(u); err == nil && pu.Path != "" && pu.Path != "/" {
					args[0] = vm.ToValue(target + pu.Path)
				}
			}
			args = append(args, init)
		}
		jsReq, err := vm.New(reqCtor, args...)
		if err != nil {
			panic(err)
		}
		p, resolve, reject := vm.NewPromise()
		s.globals.ExportRequest(jsReq, func(req *HTTPRequest, err error) {
			if err != nil {
				_ = reject(vm.NewGoError(err))
				return
			}
			if !s.m.HasParty(partyName) {
				_ = reject(vm.NewGoError(fmt.Errorf("Party %s not found", partyName)))
				return
			}
			s.run(func() func() {
				resp := s.m.Request(partyName, id, req)
				return func() { _ = resolve(s.globals.NewResponse(resp)) }
			})
		})
		return vm.ToValue(p)
	})
	o.Set("socket", func(c goja.FunctionCall) goja.Value {
		target := base()
		if p, ok := c.Argument(0).Export().(string); ok {
			if len(p) == 0 || p[0] != '/' {
				panic(vm.NewGoError(fmt.Errorf("Path must start with /")))
			}
			target += p
		}
		if !s.m.HasParty(partyName) {
			panic(vm.NewGoError(fmt.Errorf("Party %s not found", partyName)))
		}
		req := &HTTPRequest{Method: "GET", URL: target, Header: http.Header{"Upgrade": {"websocket"}}}
		p, resolve, reject := vm.NewPromise()
		rm := s.m.Room(partyName, id)
		conn, done := rm.Connect(uuid.NewString(), target, req)
		s.run(func() func() {
			err, _ := rm.Await(done, nil)
			return func() {
				if errors.Is(err, ErrStopped) {
					_ = reject(vm.NewGoError(fmt.Errorf("room %s/%s is restarting", partyName, id)))
					return
				}
				end := &pipeEnd{in: make(chan frame, 256), peer: conn}
				var js *party.Connection
				end.deliver = func(f frame) {
					s.post(func() { s.deliverPiped(js, f) })
				}
				js = s.wrap(end)
				conn.attachPipe(end)
				if err != nil {
					rm.loop.Post(func() { conn.Close(1011, truncateReason(err.Error())) })
				}
				_ = resolve(js.Object())
			}
		})
		return vm.ToValue(p)
	})
	o.Set("connect", o.Get("socket"))
	return o
}

func (v *vmState) stub(partyName, id string) *goja.Object {
	s := &stubs{m: v.r.m, vm: v.vm, globals: v.globals,
		hostHint: func() string { return v.hostHint },
		run: func(work func() func()) {
			v.r.loop.Go(func(context.Context) func() { return work() })
		},
		wrap:     func(sock party.Socket) *party.Connection { return v.js.Wrap(sock, nil) },
		dispatch: v.js.Dispatch,
		post:     v.r.loop.Post,
	}
	return s.get(partyName, id)
}

// deliverPiped turns a frame from a piped room into an event on the caller's
// WebSocket object.
func (s *stubs) deliverPiped(js *party.Connection, f frame) {
	vm := s.vm
	if f.close {
		_ = s.dispatch(js, "close", map[string]goja.Value{
			"code": vm.ToValue(f.code), "reason": vm.ToValue(string(f.data)), "wasClean": vm.ToValue(true),
		})
		return
	}
	var data goja.Value
	if f.text {
		data = vm.ToValue(string(f.data))
	} else {
		data = vm.ToValue(vm.NewArrayBuffer(append([]byte(nil), f.data...)))
	}
	_ = s.dispatch(js, "message", map[string]goja.Value{"data": data})
}
