package platform

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// DevLogHandler prints logs for a person at a terminal: console output of a
// room as "[party/room] text", everything else as "level msg key=value".
type DevLogHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Leveler
	attrs []slog.Attr
}

// NewDevLogHandler writes to w at level and above.
func NewDevLogHandler(w io.Writer, level slog.Leveler) *DevLogHandler {
	return &DevLogHandler{mu: &sync.Mutex{}, w: w, level: level}
}

func (h *DevLogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *DevLogHandler) Handle(_ context.Context, r slog.Record) error {
	var partyName, roomID string
	var rest []string
	add := func(a slog.Attr) {
		switch a.Key {
		case "party":
			partyName = a.Value.String()
		case "room":
			roomID = a.Value.String()
		case "source":
			if a.Value.String() == "console" {
				return
			}
			rest = append(rest, a.Key+"="+a.Value.String())
		default:
			v := a.Value.String()
			if strings.ContainsAny(v, " \n\t") && a.Key != "error" {
				v = fmt.Sprintf("%q", v)
			}
			if a.Key == "error" && strings.Contains(v, "\n") {
				v = "\n  " + strings.ReplaceAll(v, "\n", "\n  ")
			}
			rest = append(rest, a.Key+"="+v)
		}
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool { add(a); return true })
	var b strings.Builder
	b.WriteString(r.Time.Format(time.TimeOnly))
	b.WriteByte(' ')
	if r.Level != slog.LevelInfo {
		b.WriteString(r.Level.String())
		b.WriteByte(' ')
	}
	if partyName != "" {
		b.WriteString("[" + partyName)
		if roomID != "" {
			b.WriteString("/" + roomID)
		}
		b.WriteString("] ")
	}
	b.WriteString(r.Message)
	for _, x := range rest {
		b.WriteByte(' ')
		b.WriteString(x)
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *DevLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &n
}

func (h *DevLogHandler) WithGroup(string) slog.Handler { return h }
