// Package party builds the JS objects a PartyKit server sees: Party.Room and
// Party.Connection. The sockets themselves live in Go (runtime/room); these
// objects are per-VM views of them, rebuilt whenever a room gets a new VM.
package party

import (
	"github.com/dop251/goja"
)

// Socket is one WebSocket as the runtime holds it.
type Socket interface {
	ID() string
	URI() string
	// Send queues a frame (through the room's output gate). It never blocks.
	Send(text bool, data []byte)
	Close(code int, reason string)
	// ReadyState follows WebSocket: 0 connecting, 1 open, 2 closing, 3 closed.
	ReadyState() int
}

// Ready states, as WebSocket numbers them.
const (
	Connecting = 0
	Open       = 1
	Closing    = 2
	Closed     = 3
)

// Connection is the JS view of one socket inside one VM.
type Connection struct {
	Socket Socket
	Tags   []string // id first, then the tags from getConnectionTags
	obj    *goja.Object
	state  goja.Value

	listeners map[string][]listener
	handlers  map[string]goja.Value // onmessage, onclose, onerror
}

type listener struct {
	fn   goja.Value
	once bool
}

// Object is the JS object user code holds.
func (c *Connection) Object() *goja.Object { return c.obj }

// HasListeners reports whether user code listens for events of typ on this
// connection (addEventListener or on<typ>). Used to skip building events.
func (c *Connection) HasListeners(typ string) bool {
	return len(c.listeners[typ]) > 0 || c.handlers[typ] != nil
}

// State is the value last given to setState (null if none).
func (c *Connection) State() goja.Value { return c.state }

// SetStateValue sets state without calling user code (used when a VM is
// rebuilt and the state is carried over).
func (c *Connection) SetStateValue(v goja.Value) { c.state = v }
