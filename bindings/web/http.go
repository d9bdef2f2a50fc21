package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/dop251/goja"
)

var fetchModule = &jsModule{file: "fetch.js"}

// OutgoingResponse is a JS Response as Go sends it to a client.
type OutgoingResponse struct {
	Status     int
	StatusText string
	Header     http.Header
	// Body is the whole body when the Response held bytes (nil for no body).
	Body []byte
	// Stream is set instead of Body when the Response's body is a JS
	// ReadableStream; reading it pulls chunks from the room's loop. The
	// reader must Close it.
	Stream io.ReadCloser
	// WebSocket is the server end of a WebSocketPair when Status is 101.
	WebSocket any
}

// OutgoingRequest is a JS Request as Go forwards it (a rewritten request
// from onBeforeConnect / onBeforeRequest).
type OutgoingRequest struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	Stream io.ReadCloser
}

// fetchInternal holds the hooks fetch.js exports for Go.
type fetchInternal struct {
	makeIncoming, requestParts, responseParts, makeFetched, wrapHeaders, headersHandle goja.Callable
}

func (g *Globals) fetchExports() *goja.Object {
	return g.module(fetchModule, func() *goja.Object {
		n := g.vm.NewObject()
		g.headerNatives(n)
		_ = n.Set("encodeUTF8", func(c goja.FunctionCall) goja.Value {
			return g.newUint8Array([]byte(c.Argument(0).String()))
		})
		_ = n.Set("decodeUTF8", func(c goja.FunctionCall) goja.Value {
			b, _ := g.bufferSource(c.Argument(0))
			return g.vm.ToValue(decodeUTF8(b))
		})
		g.bodyNatives(n)
		_ = n.Set("extractExtra", func(c goja.FunctionCall) goja.Value {
			// Blob and FormData bodies; only if that module is in use, since
			// no Blob can exist before it is.
			if _, loaded := g.modules[blobModule]; !loaded {
				return goja.Null()
			}
			enc, _ := goja.AssertFunction(g.blobExports().Get("encode"))
			v, err := enc(goja.Undefined(), c.Argument(0))
			if err != nil {
				panic(err)
			}
			return v
		})
		_ = n.Set("parseFormData", func(c goja.FunctionCall) goja.Value {
			parse, _ := goja.AssertFunction(g.blobExports().Get("parse"))
			v, err := parse(goja.Undefined(), c.Argument(0), c.Argument(1))
			if err != nil {
				panic(err)
			}
			return v
		})
		_ = n.Set("fetch", g.fetchNative)
		return n
	})
}

func (g *Globals) fetchHooks() *fetchInternal {
	if g.fetchInt != nil {
		return g.fetchInt
	}
	in := g.fetchExports().Get("internal").ToObject(g.vm)
	fn := func(name string) goja.Callable {
		f, ok := goja.AssertFunction(in.Get(name))
		if !ok {
			panic("web: fetch.js has no internal." + name)
		}
		return f
	}
	g.fetchInt = &fetchInternal{
		makeIncoming:  fn("makeIncoming"),
		requestParts:  fn("requestParts"),
		responseParts: fn("responseParts"),
		makeFetched:   fn("makeFetched"),
		wrapHeaders:   fn("wrapHeaders"),
		headersHandle: fn("headersHandle"),
	}
	return g.fetchInt
}

func (g *Globals) buildHeaders() []goja.Value {
	return exports(g.fetchExports(), "Headers")
}

func (g *Globals) buildFetchClasses() []goja.Value {
	return exports(g.fetchExports(), "Request", "Response", "fetch")
}

// NewRequest builds the JS Request a handler receives for an incoming HTTP
// request. body has already been read (and bounded) by Go; the Request
// takes ownership of it. Its headers are mutable, as PartyKit's facade
// hands handlers a fresh copy.
func (g *Globals) NewRequest(method, url string, header http.Header, body []byte) (*goja.Object, error) {
	hooks := g.fetchHooks()
	var bodyVal goja.Value = goja.Null()
	if body != nil && method != http.MethodGet && method != http.MethodHead {
		bodyVal = g.newUint8Array(body)
	}
	var out *goja.Object
	err := g.try(func() {
		v, err := hooks.makeIncoming(goja.Undefined(),
			g.vm.ToValue(method), g.vm.ToValue(url), g.vm.ToValue(newHeaderList(header)), bodyVal, goja.Undefined())
		if err != nil {
			panic(err)
		}
		out = v.ToObject(g.vm)
	})
	if err != nil {
		return nil, fmt.Errorf("building Request for %s %s: %w", method, url, err)
	}
	return out, nil
}

// NewResponse builds a JS Response from Go (the answer of a room-to-room
// fetch, or a fetched response). The Response takes ownership of body.
func (g *Globals) NewResponse(status int, statusText string, header http.Header, body []byte) (*goja.Object, error) {
	return g.newFetchedResponse(status, statusText, header, body, "", false)
}

func (g *Globals) newFetchedResponse(status int, statusText string, header http.Header, body []byte, url string, redirected bool) (*goja.Object, error) {
	hooks := g.fetchHooks()
	var bodyVal goja.Value = goja.Null()
	if body != nil {
		bodyVal = g.newUint8Array(body)
	}
	var out *goja.Object
	err := g.try(func() {
		v, err := hooks.makeFetched(goja.Undefined(), g.vm.ToValue(status), g.vm.ToValue(statusText),
			g.vm.ToValue(newHeaderList(header)), bodyVal, g.vm.ToValue(url), g.vm.ToValue(redirected))
		if err != nil {
			panic(err)
		}
		out = v.ToObject(g.vm)
	})
	if err != nil {
		return nil, fmt.Errorf("building Response (status %d): %w", status, err)
	}
	return out, nil
}

// IsResponse reports whether v is a Response of this runtime.
func (g *Globals) IsResponse(v goja.Value) bool {
	return g.isInstance(v, "Response")
}

// IsRequest reports whether v is a Request of this runtime.
func (g *Globals) IsRequest(v goja.Value) bool {
	return g.isInstance(v, "Request")
}

func (g *Globals) isInstance(v goja.Value, class string) bool {
	o, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	return g.vm.InstanceOf(o, g.fetchExports().Get(class).ToObject(g.vm))
}

// AwaitResponse waits for what a handler returned (a Response, or a promise
// of one) and calls done on the loop with it converted for Go. A rejection
// arrives as a *JSError; a value that is not a Response is an error that
// says what it was.
func (g *Globals) AwaitResponse(v goja.Value, done func(*OutgoingResponse, error)) {
	g.await(v, func(res goja.Value, rejected *JSError) {
		if rejected != nil {
			done(nil, rejected)
			return
		}
		resp, err := g.exportResponse(res)
		done(resp, err)
	})
}

// await calls then with v's settled value: at once for a non-promise or a
// settled promise, else when it settles (on the loop, via goja's jobs).
func (g *Globals) await(v goja.Value, then func(goja.Value, *JSError)) {
	o, ok := v.(*goja.Object)
	if !ok {
		then(v, nil)
		return
	}
	p, ok := o.Export().(*goja.Promise)
	if !ok {
		then(v, nil)
		return
	}
	switch p.State() {
	case goja.PromiseStateFulfilled:
		then(p.Result(), nil)
		return
	case goja.PromiseStateRejected:
		then(nil, newJSError(p.Result()))
		return
	}
	if g.classes.promiseThen == nil {
		proto := g.vm.Get("Promise").ToObject(g.vm).Get("prototype").ToObject(g.vm)
		g.classes.promiseThen, _ = goja.AssertFunction(proto.Get("then"))
	}
	onFul := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		then(c.Argument(0), nil)
		return goja.Undefined()
	})
	onRej := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		then(nil, newJSError(c.Argument(0)))
		return goja.Undefined()
	})
	if _, err := g.classes.promiseThen(o, onFul, onRej); err != nil {
		then(nil, &JSError{Message: err.Error()})
	}
}

// exportResponse converts a JS Response to Go, copying its body bytes (they
// leave the loop goroutine).
func (g *Globals) exportResponse(v goja.Value) (*OutgoingResponse, error) {
	if v == nil {
		v = goja.Undefined()
	}
	var parts *goja.Object
	err := g.try(func() {
		res, err := g.fetchHooks().responseParts(goja.Undefined(), v)
		if err != nil {
			panic(err)
		}
		if !goja.IsNull(res) {
			parts = res.ToObject(g.vm)
		}
	})
	if err != nil {
		return nil, err
	}
	if parts == nil {
		return nil, fmt.Errorf("expected a Response, got %s", describe(v))
	}
	hl, _ := parts.Get("2").Export().(*headerList)
	out := &OutgoingResponse{
		Status:     int(parts.Get("0").ToInteger()),
		StatusText: parts.Get("1").String(),
		Header:     hl.httpHeader(),
	}
	if err := g.exportBody(parts.Get("3"), &out.Body, &out.Stream); err != nil {
		return nil, err
	}
	if ws := parts.Get("4"); ws != nil && !goja.IsNull(ws) && !goja.IsUndefined(ws) {
		out.WebSocket = g.exportWebSocket(ws)
	}
	return out, nil
}

// ExportRequest converts a JS Request to Go; ok is false when v is not a
// Request.
func (g *Globals) ExportRequest(v goja.Value) (*OutgoingRequest, bool) {
	if v == nil {
		return nil, false
	}
	var parts *goja.Object
	err := g.try(func() {
		o, ok := v.(*goja.Object)
		if !ok || !g.IsRequest(o) {
			return
		}
		res, err := g.fetchHooks().requestParts(goja.Undefined(), o)
		if err != nil {
			panic(err)
		}
		parts = res.ToObject(g.vm)
	})
	if err != nil || parts == nil {
		return nil, false
	}
	hl, _ := parts.Get("2").Export().(*headerList)
	out := &OutgoingRequest{
		Method: parts.Get("0").String(),
		URL:    parts.Get("1").String(),
		Header: hl.httpHeader(),
	}
	if err := g.exportBody(parts.Get("3"), &out.Body, &out.Stream); err != nil {
		return nil, false
	}
	return out, true
}

// exportBody copies a body source (null, bytes or stream) for Go.
func (g *Globals) exportBody(src goja.Value, body *[]byte, stream *io.ReadCloser) error {
	if src == nil || goja.IsNull(src) || goja.IsUndefined(src) {
		return nil
	}
	if b, ok := g.bufferSourceCopy(src); ok {
		*body = b
		return nil
	}
	rc, err := g.streamReader(src)
	if err != nil {
		return err
	}
	*stream = rc
	return nil
}

// try runs f, turning a JS exception or Go panic value into an error.
func (g *Globals) try(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch x := r.(type) {
			case error:
				err = x
			case goja.Value:
				err = newJSError(x)
			default:
				err = fmt.Errorf("%v", x)
			}
		}
	}()
	if ex := g.vm.Try(f); ex != nil {
		return ex
	}
	return nil
}

// describe names a JS value for an error message.
func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		if c, ok := o.Get("constructor").(*goja.Object); ok {
			if n := c.Get("name"); n != nil && n.String() != "" {
				return "an object of class " + n.String()
			}
		}
		return "an object"
	}
	return fmt.Sprintf("%T %s", v.Export(), v.String())
}
