package deploy

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Entry is one log line as `gopk tail` shows it.
type Entry struct {
	Time    time.Time      `json:"time"`
	Level   string         `json:"level"`
	Project string         `json:"project,omitempty"`
	Party   string         `json:"party,omitempty"`
	Room    string         `json:"room,omitempty"`
	Source  string         `json:"source,omitempty"` // "console" for console.*; empty for the runtime's own lines
	Message string         `json:"message"`
	Error   string         `json:"error,omitempty"` // the error with its source-mapped stack
	Attrs   map[string]any `json:"attrs,omitempty"`
}

// Filter selects the entries a tail subscriber gets.
type Filter struct {
	Project string
	Party   string // "" = all
	Room    string // "" = all
	Level   slog.Level
}

func (f Filter) match(e *Entry, level slog.Level) bool {
	return level >= f.Level && e.Project == f.Project &&
		(f.Party == "" || e.Party == f.Party) && (f.Room == "" || e.Room == f.Room)
}

// Hub is the slog.Handler rooms log through. It passes every record to the
// server's own handler (JSON on stderr) and copies it to `gopk tail`
// subscribers, after masking secret values, which never leave the server.
type Hub struct {
	base    slog.Handler
	onError func(project, party string)

	mu   sync.Mutex
	subs map[*Subscription]struct{}
	n    atomic.Int32 // len(subs), read without the lock on every record

	secrets atomic.Pointer[[]string]
}

// NewHub makes a hub over base. onError (may be nil) is called for every
// error the runtime reports (not console.error), for the errors metric.
func NewHub(base slog.Handler, onError func(project, party string)) *Hub {
	return &Hub{base: base, onError: onError, subs: map[*Subscription]struct{}{}}
}

// Redacted is what a secret value is replaced with.
const Redacted = "[redacted]"

// minSecretLen: shorter env values ("1", "true") are not masked, or every
// line mentioning them would be mangled.
const minSecretLen = 8

// SetSecrets replaces the values to mask in logs and tail output.
func (h *Hub) SetSecrets(values []string) {
	var keep []string
	for _, v := range values {
		if len(v) >= minSecretLen {
			keep = append(keep, v)
		}
	}
	h.secrets.Store(&keep)
}

// Redact masks every secret value in s.
func (h *Hub) Redact(s string) string { return h.redact(s) }

func (h *Hub) redact(s string) string {
	p := h.secrets.Load()
	if p == nil {
		return s
	}
	for _, v := range *p {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// Subscription is one tail client.
type Subscription struct {
	C       <-chan Entry
	c       chan Entry
	filter  Filter
	hub     *Hub
	dropped atomic.Int64
}

// Subscribe starts a tail. Entries a slow subscriber cannot take are dropped
// (and counted), never waited for: logging must not slow a room down.
func (h *Hub) Subscribe(f Filter, buffer int) *Subscription {
	c := make(chan Entry, buffer)
	s := &Subscription{C: c, c: c, filter: f, hub: h}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.n.Store(int32(len(h.subs)))
	h.mu.Unlock()
	return s
}

// Dropped counts entries lost because the subscriber was slow.
func (s *Subscription) Dropped() int64 { return s.dropped.Load() }

// Close ends the subscription.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	delete(h.subs, s)
	h.n.Store(int32(len(h.subs)))
	h.mu.Unlock()
}

// Handler returns the hub as an slog.Handler.
func (h *Hub) Handler() slog.Handler { return &hubHandler{hub: h, base: h.base} }

type hubHandler struct {
	hub   *Hub
	base  slog.Handler
	attrs []slog.Attr
}

func (hh *hubHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return hh.base.Enabled(ctx, l) || hh.hub.n.Load() > 0
}

func (hh *hubHandler) Handle(ctx context.Context, r slog.Record) error {
	h := hh.hub
	e := hh.entry(r)
	if r.Level >= slog.LevelError && e.Source != "console" && h.onError != nil && e.Project != "" && e.Party != "" {
		h.onError(e.Project, e.Party)
	}
	if h.n.Load() > 0 {
		h.publish(e, r.Level)
	}
	if !hh.base.Enabled(ctx, r.Level) {
		return nil
	}
	if h.secrets.Load() != nil {
		r = hh.redactRecord(r)
	}
	return hh.base.Handle(ctx, r)
}

func (h *Hub) publish(e *Entry, level slog.Level) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.filter.match(e, level) {
			continue
		}
		select {
		case s.c <- *e:
		default:
			s.dropped.Add(1)
		}
	}
}

// entry flattens a record (with the handler's attrs) into an Entry, with
// secrets masked.
func (hh *hubHandler) entry(r slog.Record) *Entry {
	h := hh.hub
	e := &Entry{Time: r.Time, Level: r.Level.String(), Message: h.redact(r.Message)}
	add := func(a slog.Attr) {
		switch a.Key {
		case "project":
			e.Project = a.Value.String()
		case "party":
			e.Party = a.Value.String()
		case "room":
			e.Room = a.Value.String()
		case "source":
			e.Source = a.Value.String()
		case "error":
			e.Error = h.redact(a.Value.String())
		default:
			if e.Attrs == nil {
				e.Attrs = map[string]any{}
			}
			v := a.Value.Resolve().Any()
			if s, ok := v.(string); ok {
				v = h.redact(s)
			} else if err, ok := v.(error); ok {
				v = h.redact(err.Error())
			}
			e.Attrs[a.Key] = v
		}
	}
	for _, a := range hh.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool { add(a); return true })
	return e
}

func (hh *hubHandler) redactRecord(r slog.Record) slog.Record {
	h := hh.hub
	out := slog.NewRecord(r.Time, r.Level, h.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.redactAttr(a))
		return true
	})
	return out
}

func (h *Hub) redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.redact(v.String()))
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.redact(err.Error()))
		}
	}
	return a
}

func (hh *hubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	redacted := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		redacted[i] = hh.hub.redactAttr(a)
	}
	return &hubHandler{
		hub:   hh.hub,
		base:  hh.base.WithAttrs(redacted),
		attrs: append(append([]slog.Attr(nil), hh.attrs...), attrs...),
	}
}

// WithGroup is passed to the base handler; tail entries stay flat.
func (hh *hubHandler) WithGroup(name string) slog.Handler {
	return &hubHandler{hub: hh.hub, base: hh.base.WithGroup(name), attrs: hh.attrs}
}
