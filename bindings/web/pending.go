package web

import (
	"github.com/dop251/goja"
)

// Phase-2 pieces (streams, subtle, WebSocketPair) land here; until then
// they fail loudly instead of pretending.

func (g *Globals) exportWebSocket(ws goja.Value) any { return ws }

func (g *Globals) buildSubtle() goja.Value {
	g.throwError("Error", "crypto.subtle is not implemented yet")
	return nil
}
