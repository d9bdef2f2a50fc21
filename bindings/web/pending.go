package web

import (
	"github.com/dop251/goja"
)

// Phase-2 pieces (streams, subtle, WebSocketPair) land here; until then
// they fail loudly instead of pretending.

func (g *Globals) exportWebSocket(ws goja.Value) any { return ws }
