package web

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/dop251/goja"
	"github.com/gorilla/websocket"
)

var websocketModule = &jsModule{file: "websocket.js"}

// wsHandle is the Go state of one JS WebSocket: an end of a WebSocketPair,
// or an outbound client connection. Fields are touched on the loop only,
// except where a comment says otherwise.
type wsHandle struct {
	g      *Globals
	obj    *goja.Object
	closed bool

	// pair ends
	peer     *wsHandle
	accepted bool
	held     []wsEvent // events that arrived before accept()
	goEnd    *WebSocketEnd

	// outbound client
	out    chan wsFrame // to the writer goroutine
	cancel context.CancelFunc
}

// wsEvent is a message or close headed for a pair end.
type wsEvent struct {
	close  bool
	data   []byte
	binary bool
	code   int
	reason string
}

type wsFrame struct {
	kind int // websocket.TextMessage, BinaryMessage or CloseMessage
	data []byte
}

func (g *Globals) websocketExports() *goja.Object {
	return g.module(websocketModule, func() *goja.Object {
		ev := g.eventsExports()
		n := g.vm.NewObject()
		for _, name := range []string{"EventTarget", "Event", "MessageEvent", "CloseEvent", "ErrorEvent"} {
			_ = n.Set(name, ev.Get(name))
		}
		_ = n.Set("DOMException", func(goja.FunctionCall) goja.Value { return g.domExceptionCtor() })
		_ = n.Set("pair", func(goja.FunctionCall) goja.Value {
			a, b := &wsHandle{g: g}, &wsHandle{g: g}
			a.peer, b.peer = b, a
			return g.vm.NewArray(a, b)
		})
		_ = n.Set("bind", func(c goja.FunctionCall) goja.Value {
			g.wsHandleOf(c.Argument(0)).obj = c.Argument(1).ToObject(g.vm)
			return goja.Undefined()
		})
		_ = n.Set("accept", func(c goja.FunctionCall) goja.Value {
			h := g.wsHandleOf(c.Argument(0))
			if h.peer == nil {
				g.throwTypeError("accept() is only for the ends of a WebSocketPair")
			}
			if !h.accepted {
				h.accepted = true
				held := h.held
				h.held = nil
				for _, ev := range held {
					ev := ev
					g.env.Loop.Post(func() { h.dispatch(ev) })
				}
			}
			return goja.Undefined()
		})
		_ = n.Set("send", func(c goja.FunctionCall) goja.Value {
			h := g.wsHandleOf(c.Argument(0))
			data, binary := g.wsData(c.Argument(1))
			h.send(data, binary)
			return goja.Undefined()
		})
		_ = n.Set("close", func(c goja.FunctionCall) goja.Value {
			h := g.wsHandleOf(c.Argument(0))
			h.close(int(c.Argument(1).ToInteger()), c.Argument(2).String())
			return goja.Undefined()
		})
		_ = n.Set("dial", g.wsDial)
		return n
	})
}

func (g *Globals) buildWebSocket() []goja.Value {
	return exports(g.websocketExports(), "WebSocket", "WebSocketPair")
}

func (g *Globals) wsHandleOf(v goja.Value) *wsHandle {
	h, ok := v.Export().(*wsHandle)
	if !ok {
		g.throwTypeError("Illegal invocation")
	}
	return h
}

// wsData copies a message for sending: strings are text frames, buffers
// binary frames.
func (g *Globals) wsData(v goja.Value) ([]byte, bool) {
	if b, ok := g.bufferSourceCopy(v); ok {
		return b, true
	}
	return []byte(v.String()), false
}

// fire delivers an event to the JS WebSocket of h.
func (h *wsHandle) fire(typ string, args ...any) {
	if h.obj == nil {
		return
	}
	g := h.g
	fire, _ := goja.AssertFunction(g.websocketExports().Get("fire"))
	vals := []goja.Value{h.obj, g.vm.ToValue(typ)}
	for _, a := range args {
		vals = append(vals, g.vm.ToValue(a))
	}
	if _, err := fire(goja.Undefined(), vals...); err != nil {
		g.reportError(err)
	}
}

// deliver queues an event for a pair end: after the current job, and only
// once the end is accepted. An end handed to Go passes it on instead.
func (h *wsHandle) deliver(ev wsEvent) {
	h.g.env.Loop.Post(func() {
		switch {
		case h.goEnd != nil:
			h.goEnd.forward(ev)
		case !h.accepted:
			h.held = append(h.held, ev)
		default:
			h.dispatch(ev)
		}
	})
}

func (h *wsHandle) dispatch(ev wsEvent) {
	if ev.close {
		if h.closed && h.obj == nil {
			return
		}
		h.closed = true
		h.fire("close", ev.code, ev.reason, ev.code != 1006)
		return
	}
	h.fire("message", h.messageValue(ev.data, ev.binary))
}

func (h *wsHandle) messageValue(data []byte, binary bool) any {
	if binary {
		return h.g.newArrayBuffer(data)
	}
	return string(data)
}

func (h *wsHandle) send(data []byte, binary bool) {
	if h.closed {
		return
	}
	switch {
	case h.out != nil:
		kind := websocket.TextMessage
		if binary {
			kind = websocket.BinaryMessage
		}
		select {
		case h.out <- wsFrame{kind: kind, data: data}:
		default:
			h.g.throwError("Error", "WebSocket send queue is full")
		}
	case h.peer != nil:
		if !h.accepted {
			h.g.throwError("TypeError", "You must call accept() on this WebSocket before sending messages.")
		}
		h.peer.deliver(wsEvent{data: data, binary: binary})
	}
}

func (h *wsHandle) close(code int, reason string) {
	if h.closed {
		return
	}
	switch {
	case h.out != nil:
		msg := websocket.FormatCloseMessage(code, reason)
		select {
		case h.out <- wsFrame{kind: websocket.CloseMessage, data: msg}:
		default:
		}
	case h.peer != nil:
		h.closed = true
		if !h.peer.closed {
			h.peer.deliver(wsEvent{close: true, code: code, reason: reason})
		}
		h.g.env.Loop.Post(func() { h.fire("close", code, reason, true) })
	}
}

// WebSocketEnd is the client end of a WebSocketPair that a handler returned
// in `new Response(null, {status: 101, webSocket})`. The runtime connects
// it to the real client socket. All methods run on the room's loop, and the
// functions given to Attach are called there too.
type WebSocketEnd struct {
	h       *wsHandle
	send    func(data []byte, binary bool)
	closeFn func(code int, reason string)
	early   []func() // sends/closes made before Attach
}

// Attach sets where the server end's messages and close go. Anything the
// server sent before Attach is replayed now, in order.
func (e *WebSocketEnd) Attach(send func(data []byte, binary bool), close func(code int, reason string)) {
	e.send, e.closeFn = send, close
	early := e.early
	e.early = nil
	for _, f := range early {
		f()
	}
}

// Deliver hands a message from the real client to the server end.
func (e *WebSocketEnd) Deliver(data []byte, binary bool) {
	e.h.peer.deliver(wsEvent{data: data, binary: binary})
}

// Closed tells the server end the real client has gone.
func (e *WebSocketEnd) Closed(code int, reason string) {
	if e.h.peer.closed {
		return
	}
	e.h.peer.deliver(wsEvent{close: true, code: code, reason: reason})
}

// forward passes what the server end sent to Go (held until Attach).
func (e *WebSocketEnd) forward(ev wsEvent) {
	if e.send == nil {
		e.early = append(e.early, func() { e.forward(ev) })
		return
	}
	if ev.close {
		e.closeFn(ev.code, ev.reason)
		return
	}
	e.send(ev.data, ev.binary)
}

// exportWebSocket turns the webSocket of a 101 Response into a WebSocketEnd.
func (g *Globals) exportWebSocket(ws goja.Value) any {
	o, ok := ws.(*goja.Object)
	if !ok {
		return nil
	}
	var h *wsHandle
	_ = g.try(func() {
		exp, loaded := g.modules[websocketModule]
		if !loaded {
			return
		}
		handleOf, _ := goja.AssertFunction(exp.Get("handleOf"))
		if v, err := handleOf(goja.Undefined(), o); err == nil {
			h, _ = v.Export().(*wsHandle)
		}
	})
	if h == nil || h.peer == nil {
		return nil
	}
	if h.goEnd == nil {
		h.goEnd = &WebSocketEnd{h: h}
		// What the server end sent before the handover goes to Go, in order.
		held := h.held
		h.held = nil
		for _, ev := range held {
			h.goEnd.forward(ev)
		}
	}
	return h.goEnd
}

// maxWSQueue bounds frames waiting for the writer goroutine.
const maxWSQueue = 1024

// wsDial(ws, url, protocols) opens an outbound connection off the loop.
func (g *Globals) wsDial(c goja.FunctionCall) goja.Value {
	obj := c.Argument(0).ToObject(g.vm)
	url := c.Argument(1).String()
	var protocols []string
	_ = g.vm.ExportTo(c.Argument(2), &protocols)
	ctx, cancel := context.WithCancel(g.env.Loop.Context())
	h := &wsHandle{g: g, obj: obj, out: make(chan wsFrame, maxWSQueue), cancel: cancel}
	g.closers = append(g.closers, cancel)
	dialer := websocket.Dialer{Subprotocols: protocols}
	if g.opts.HTTPClient != nil {
		if t, ok := g.opts.HTTPClient.Transport.(*http.Transport); ok {
			dialer.Proxy = t.Proxy
			dialer.NetDialContext = t.DialContext
			dialer.TLSClientConfig = t.TLSClientConfig
		}
	}
	g.env.Loop.Go(func(context.Context) func() {
		conn, _, err := dialer.DialContext(ctx, url, http.Header{"User-Agent": {g.opts.UserAgent}})
		return func() {
			if err != nil {
				cancel()
				h.closed = true
				h.fire("error", "WebSocket connection failed: "+err.Error())
				h.fire("close", 1006, "", false)
				return
			}
			h.fire("open", conn.Subprotocol())
			g.wsPump(h, conn, ctx)
		}
	})
	return g.vm.ToValue(h)
}

// wsPump runs the reader and writer goroutines of an open client socket.
func (g *Globals) wsPump(h *wsHandle, conn *websocket.Conn, ctx context.Context) {
	var once sync.Once
	finish := func(code int, reason string, clean bool) {
		once.Do(func() {
			g.env.Loop.Post(func() {
				h.closed = true
				h.fire("close", code, reason, clean)
			})
		})
	}
	go func() { // writer
		for {
			select {
			case <-ctx.Done():
				_ = conn.Close()
				return
			case f := <-h.out:
				if err := conn.WriteMessage(f.kind, f.data); err != nil {
					_ = conn.Close()
					return
				}
			}
		}
	}()
	go func() { // reader
		defer h.cancel()
		for {
			kind, data, err := conn.ReadMessage()
			if err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					finish(ce.Code, ce.Text, true)
				} else {
					g.env.Loop.Post(func() { h.fire("error", err.Error()) })
					finish(1006, "", false)
				}
				return
			}
			binary := kind == websocket.BinaryMessage
			g.env.Loop.Post(func() { h.fire("message", h.messageValue(data, binary)) })
		}
	}()
}
