package room

import (
	"context"
	"fmt"
	"net/url"

	"github.com/dop251/goja"
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
		panic(vm.NewGoError(fmt.Errorf("room.context.parties.%s.get(id).socket() is not supported yet", partyName)))
	})
	o.Set("connect", o.Get("socket"))
	return o
}

func (v *vmState) stub(partyName, id string) *goja.Object {
	s := &stubs{m: v.r.m, vm: v.vm, globals: v.globals,
		hostHint: func() string { return v.hostHint },
		run: func(work func() func()) {
			v.r.loop.Go(func(context.Context) func() { return work() })
		}}
	return s.get(partyName, id)
}
