// Package platform assembles what a room's VM gets before the user's code
// runs — the ECMAScript gap-fillers, structured clone, the Workers globals,
// Node built-ins and room.storage — and adapts them to what runtime/room
// asks of a platform. It is the one place that lists a room's global scope.
package platform

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/dop251/goja"

	"gopk/bindings/clone"
	"gopk/bindings/es"
	"gopk/bindings/host"
	"gopk/bindings/intl"
	"gopk/bindings/jsonparse"
	"gopk/bindings/jsutil"
	"gopk/bindings/node"
	"gopk/bindings/storage"
	"gopk/bindings/wasm"
	"gopk/bindings/web"
	"gopk/runtime/room"
	"gopk/store"
)

// Options tune the platform of every room.
type Options struct {
	// HTTPClient makes outbound fetches (egress policy lives in its Transport).
	HTTPClient *http.Client
}

// Platform installs gopk's globals on room VMs.
type Platform struct{ opts Options }

// New makes the platform.
func New(o Options) *Platform { return &Platform{opts: o} }

// Install builds a room's global scope, in this order:
//  1. ECMAScript built-ins goja lacks (bindings/es), RegExp \p{…} support,
//     and a faster JSON.parse (bindings/jsonparse);
//  2. Intl on CLDR data (bindings/intl), lazily built;
//  3. structuredClone (bindings/clone);
//  4. the Workers globals (bindings/web): console, timers, URL, crypto,
//     TextEncoder/Decoder, events, Headers/Request/Response, fetch,
//     HTMLRewriter, …;
//  5. WebAssembly on wazero (bindings/wasm), lazily built;
//  6. require() for the Node built-ins PartyKit bundles as external.
func (p *Platform) Install(vm *goja.Runtime, env host.Env, processEnv map[string]string) (room.Globals, error) {
	if err := es.Install(vm); err != nil {
		return nil, fmt.Errorf("es: %w", err)
	}
	if err := jsonparse.Install(vm); err != nil {
		return nil, err
	}
	if err := intl.Install(vm); err != nil {
		return nil, fmt.Errorf("intl: %w", err)
	}
	clone.Install(vm)
	g, err := web.Install(vm, env, web.Options{ProcessEnv: processEnv, HTTPClient: p.opts.HTTPClient})
	if err != nil {
		return nil, err
	}
	if err := wasm.Install(vm, env); err != nil {
		return nil, err
	}
	return &globals{vm: vm, env: env, web: g, require: node.NewRequire(vm, env, g)}, nil
}

type globals struct {
	vm      *goja.Runtime
	env     host.Env
	web     *web.Globals
	require goja.Value
}

func (g *globals) Require() goja.Value { return g.require }

func (g *globals) NewRequest(r *room.HTTPRequest) goja.Value {
	o, err := g.web.NewRequest(r.Method, r.URL, r.Header, r.Body)
	if err != nil {
		panic(err)
	}
	return o
}

func (g *globals) NewResponse(r *room.HTTPResponse) goja.Value {
	o, err := g.web.NewResponse(r.Status, http.StatusText(r.Status), r.Header, r.Body)
	if err != nil {
		panic(err)
	}
	return o
}

func (g *globals) ExportRequest(v goja.Value, done func(*room.HTTPRequest, error)) {
	r, ok := g.web.ExportRequest(v)
	if !ok {
		done(nil, fmt.Errorf("expected a Request"))
		return
	}
	body := r.Body
	if r.Stream != nil {
		// Streamed request bodies are read off the loop, then handed back.
		stream := r.Stream
		g.env.Loop.Go(func(context.Context) func() {
			b, err := readAll(stream)
			return func() {
				if err != nil {
					done(nil, err)
					return
				}
				done(&room.HTTPRequest{Method: r.Method, URL: r.URL, Header: r.Header, Body: b}, nil)
			}
		})
		return
	}
	done(&room.HTTPRequest{Method: r.Method, URL: r.URL, Header: r.Header, Body: body}, nil)
}

func (g *globals) AwaitResponse(v goja.Value, done func(*room.HTTPResponse, error)) {
	g.web.AwaitResponse(v, func(r *web.OutgoingResponse, err error) {
		if err != nil {
			done(nil, asRejection(err))
			return
		}
		out := &room.HTTPResponse{Status: r.Status, Header: r.Header, Body: r.Body, Stream: r.Stream, WebSocket: r.WebSocket}
		done(out, nil)
	})
}

func (g *globals) IsResponse(v goja.Value) bool { return g.web.IsResponse(v) }
func (g *globals) IsRequest(v goja.Value) bool  { return g.web.IsRequest(v) }
func (g *globals) Close()                       { g.web.Close() }

// asRejection turns web's error for a thrown value into the form the room
// reports (message for clients, stack for logs).
func asRejection(err error) error {
	if je, ok := err.(*web.JSError); ok && je.Value != nil {
		return &jsutil.Rejection{Value: je.Value}
	}
	return err
}

// maxStreamedBody bounds a streamed request body read into memory.
const maxStreamedBody = 32 << 20

func readAll(rc io.ReadCloser) ([]byte, error) {
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxStreamedBody+1))
	if err == nil && len(b) > maxStreamedBody {
		err = fmt.Errorf("request body larger than %d bytes", maxStreamedBody)
	}
	return b, err
}

// Storage makes room.storage objects (bindings/storage).
type Storage struct{}

// New makes the JS storage object of a room.
func (Storage) New(vm *goja.Runtime, env host.Env, r *store.Room) goja.Value {
	return storage.New(vm, env, r)
}
