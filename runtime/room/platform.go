package room

import (
	"io"
	"net/http"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/store"
)

// Platform installs the globals of the Workers runtime (console, timers,
// fetch, Request/Response, crypto, …) on a fresh VM. The runtime wires the
// real one (runtime/platform); the room only needs this much of it.
type Platform interface {
	Install(vm *goja.Runtime, env host.Env, processEnv map[string]string) (Globals, error)
}

// Globals is one VM's installed platform.
type Globals interface {
	// Require is the require() handed to the bundle's CommonJS wrapper.
	Require() goja.Value
	// NewRequest makes a JS Request.
	NewRequest(r *HTTPRequest) goja.Value
	// ExportRequest reads back a JS Request (onBefore* may return one).
	ExportRequest(v goja.Value, done func(*HTTPRequest, error))
	// AwaitResponse waits for v (a Response or a promise of one) and reads
	// it out, calling done on the loop.
	AwaitResponse(v goja.Value, done func(*HTTPResponse, error))
	// NewResponse makes a JS Response (answers of room-to-room fetches).
	NewResponse(r *HTTPResponse) goja.Value
	// IsResponse / IsRequest classify a value an edge hook returned.
	IsResponse(v goja.Value) bool
	IsRequest(v goja.Value) bool
	// Close releases what the globals hold (timers, in-flight fetches).
	Close()
}

// HTTPRequest is a request with its body already read.
type HTTPRequest struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// HTTPResponse is what a handler answered.
type HTTPResponse struct {
	Status int
	Header http.Header
	Body   []byte
	// Stream, when set, is the body to stream instead of Body (a JS
	// ReadableStream); the writer must Close it.
	Stream io.ReadCloser
	// WebSocket is set for `new Response(null, {status: 101, webSocket})`.
	WebSocket any
}

// StorageBinding makes the JS room.storage object for a room's VM.
type StorageBinding interface {
	New(vm *goja.Runtime, env host.Env, r *store.Room) goja.Value
}
