// Package room runs PartyKit rooms: one actor per live room, owning one goja
// VM, its connections and its storage handle. Every event (connect, message,
// close, request, alarm) is a closure posted to the room's event loop, so a
// room handles one event at a time, in order — the Durable Object model.
package room

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"gopk/store"
)

// Code is one version of a project: what every room of it runs.
type Code struct {
	Version    string
	Project    string                   // storage namespace
	Programs   map[string]*goja.Program // party name → compiled bundle
	Vars       map[string]any           // room.env
	ProcessEnv map[string]string        // process.env
	// Asset reads a static asset for context.assets.fetch(path); nil when
	// the project serves none. It returns nil for a missing asset.
	Asset func(path string) *HTTPResponse
}

// Options configure a Rooms.
type Options struct {
	Store    *store.DB
	Platform Platform
	Storage  StorageBinding // nil: rooms have no storage
	Logger   *slog.Logger
	// IdleTimeout is how long a room with no sockets, timers or pending work
	// keeps its VM. Default 30 s.
	IdleTimeout time.Duration
	// SendQueue is the per-socket bound on queued outgoing frames. Default 1024.
	SendQueue int
	// MaxMessage is the largest incoming frame (PartyKit: 1 MiB).
	MaxMessage int
	// Metrics, if set, hears how long handlers take.
	Metrics Metrics
	// MaxConnections caps open sockets in the process, MaxRoomConnections
	// in one room; sockets over a cap are closed with 1013 and a reason.
	// Defaults 100,000 and 10,000; negative means no cap.
	MaxConnections, MaxRoomConnections int
	// PingInterval is how often idle sockets are pinged (in Go: a
	// hibernated room is not woken); a socket silent for two intervals is
	// dropped. Default 30 s.
	PingInterval time.Duration
	// HibernateAfter is how long a hibernating server (options.hibernate,
	// or an object server with onMessage) stays quiet before its VM is freed
	// while its sockets stay open. Default 10 s; negative never.
	HibernateAfter time.Duration
	// MaxQuietVMs is how many rooms of hibernating servers may keep an idle
	// VM; past it the least recently active hibernate without waiting
	// HibernateAfter. Default 500 (about 150 MiB of VMs); negative: no limit.
	MaxQuietVMs int
	// AlarmRetryBase is the first retry delay of a failing onAlarm; it
	// doubles each time. Default 2 s (Durable Objects').
	AlarmRetryBase time.Duration
	// EventBudget is how long one event (a handler and the promise jobs it
	// queues) may run before the room is reset. Default 30 s, like Durable
	// Objects; negative disables.
	EventBudget time.Duration
	// MemoryBudget is how much the process heap may grow during one event
	// before the room is reset. Default 512 MiB; negative disables.
	MemoryBudget int64
}

// Rooms is the set of live rooms of one project.
type Rooms struct {
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	code  *Code
	rooms map[roomKey]*Room
	edges map[string]*Edge
	dog   *watchdog

	quiet        quietVMs     // hibernating servers' rooms with an idle VM
	vms          atomic.Int64 // live VMs (rooms that are not hibernated or stopped)
	conns        atomic.Int64 // open sockets in rooms
	hibernations atomic.Int64
}

// Metrics receives what only the runtime can see. Methods are called on
// room goroutines and must be cheap and safe for concurrent use.
type Metrics interface {
	// Event reports a handler (onConnect, onMessage, onClose, onError,
	// onRequest, onAlarm) of party that settled after took, promise
	// included.
	Event(party, handler string, took time.Duration)
}

// Stats is a snapshot of what the rooms hold.
type Stats struct {
	Rooms        int   // live room actors (with or without a VM)
	VMs          int64 // rooms whose VM is in memory
	Connections  int64 // open sockets
	Hibernations int64 // VMs freed by hibernation so far
}

// Stats reports what the rooms hold now.
func (m *Rooms) Stats() Stats {
	return Stats{Rooms: m.Live(), VMs: m.vms.Load(), Connections: m.conns.Load(), Hibernations: m.hibernations.Load()}
}

type roomKey struct{ party, id string }

// New makes an empty set of rooms running code.
func New(code *Code, opts Options) *Rooms {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 30 * time.Second
	}
	if opts.SendQueue == 0 {
		opts.SendQueue = 1024
	}
	if opts.MaxMessage == 0 {
		opts.MaxMessage = 1 << 20
	}
	if opts.MaxConnections == 0 {
		opts.MaxConnections = 100_000
	}
	if opts.MaxRoomConnections == 0 {
		opts.MaxRoomConnections = 10_000
	}
	if opts.PingInterval == 0 {
		opts.PingInterval = 30 * time.Second
	}
	if opts.AlarmRetryBase == 0 {
		opts.AlarmRetryBase = 2 * time.Second
	}
	if opts.HibernateAfter == 0 {
		opts.HibernateAfter = 10 * time.Second
	}
	if opts.MaxQuietVMs == 0 {
		opts.MaxQuietVMs = 500
	}
	if opts.EventBudget == 0 {
		opts.EventBudget = 30 * time.Second
	}
	if opts.MemoryBudget == 0 {
		opts.MemoryBudget = 512 << 20
	}
	m := &Rooms{opts: opts, log: opts.Logger, code: code, rooms: make(map[roomKey]*Room), edges: make(map[string]*Edge)}
	m.dog = newWatchdog(m)
	return m
}

// Code is the version rooms start on now.
func (m *Rooms) Code() *Code {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.code
}

// HasParty reports whether the current code has a party of that name.
func (m *Rooms) HasParty(name string) bool {
	_, ok := m.Code().Programs[name]
	return ok
}

// Parties lists the party names of the current code, sorted, main first.
func (m *Rooms) Parties() []string {
	c := m.Code()
	names := make([]string, 0, len(c.Programs))
	for n := range c.Programs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "main") != (names[j] == "main") {
			return names[i] == "main"
		}
		return names[i] < names[j]
	})
	return names
}

// Room returns the live room, starting its actor (not yet its VM) if needed.
func (m *Rooms) Room(party, id string) *Room {
	k := roomKey{party, id}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.rooms[k]; r != nil {
		return r
	}
	r := newRoom(m, party, id)
	m.rooms[k] = r
	return r
}

// drop forgets r if it is still the live room for its key.
func (m *Rooms) drop(r *Room) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := roomKey{r.party, r.id}
	if m.rooms[k] == r {
		delete(m.rooms, k)
	}
}

// Live counts live room actors.
func (m *Rooms) Live() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rooms)
}

// SetCode switches to a new version. Rooms start on it from now on; live
// rooms are restarted: their sockets close with 1012 ("service restart"),
// which partysocket answers by reconnecting, to the new code.
func (m *Rooms) SetCode(c *Code) {
	for _, r := range m.retire(c) {
		r.restart(1012, "Service restart: new version")
	}
}

// Swap switches to a new version without closing any socket: each live
// room moves to it between two events (see Room.swap). Storage is untouched.
func (m *Rooms) Swap(c *Code) {
	for _, r := range m.retire(c) {
		r.loop.Post(r.swap)
	}
}

// retire makes c the code new rooms start on (c == nil keeps the code),
// stops the edges of the old code and returns the live rooms.
func (m *Rooms) retire(c *Code) []*Room {
	m.mu.Lock()
	if c != nil {
		m.code = c
	}
	live := make([]*Room, 0, len(m.rooms))
	for _, r := range m.rooms {
		live = append(live, r)
	}
	edges := m.edges
	m.edges = make(map[string]*Edge)
	m.mu.Unlock()
	for _, e := range edges {
		e.stop()
	}
	return live
}

// Close stops every room: sockets close with code and reason, storage is
// flushed. It returns when all rooms have stopped or the deadline passed.
func (m *Rooms) Close(code int, reason string, deadline time.Duration) {
	live := m.retire(nil)
	for _, r := range live {
		r.restart(code, reason)
	}
	defer m.dog.close()
	timeout := time.After(deadline)
	for _, r := range live {
		select {
		case <-r.loop.Done():
		case <-timeout:
			return
		}
	}
}

func internalID(project, party, id string) string {
	h := sha256.Sum256([]byte(project + "\x00" + party + "\x00" + id))
	return hex.EncodeToString(h[:])
}

// Alarm delivers a due alarm (set for t) to its room and returns once the
// room has taken it. A room that stops before it runs the alarm (a restart,
// a new version) dropped it, so it is handed to the fresh room instead:
// the store fires each alarm once per process.
func (m *Rooms) Alarm(partyName, id string, t time.Time) {
	for attempt := 0; attempt < 5; attempt++ {
		r := m.Room(partyName, id)
		started, ok := r.alarmEvent(t)
		if ok {
			select {
			case <-started:
				return
			case <-r.Done():
				select {
				case <-started:
					return
				default:
				}
			}
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
	m.log.Error("alarm could not be delivered; it fires again after a restart", "party", partyName, "room", id)
}

// Request runs onRequest in a room and waits for the response, retrying on
// a fresh actor if it met one that was shutting down.
func (m *Rooms) Request(partyName, id string, req *HTTPRequest) *HTTPResponse {
	for attempt := 0; attempt < 3; attempt++ {
		r := m.Room(partyName, id)
		select {
		case resp := <-r.Request(req):
			if resp != nil {
				return resp
			}
		case <-r.loop.Done():
		}
	}
	return textResponse(503, "Room unavailable")
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
