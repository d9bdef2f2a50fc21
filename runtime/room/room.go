package room

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gorilla/websocket"

	"gopk/bindings/party"
	"gopk/runtime/eventloop"
	"gopk/store"
)

// Room is one live room: an actor whose loop goroutine owns everything below
// except what is marked otherwise.
type Room struct {
	m        *Rooms
	party    string
	id       string
	internal string
	log      *slog.Logger
	loop     *eventloop.Loop
	store    *store.Room

	vm    *vmState // nil until the first event (and again after eviction)
	conns []*Conn  // live sockets in join order; survive VM rebuilds

	gate      outputGate
	job       jobSlot
	idleTimer *time.Timer
	lastEvent time.Time
	// hasOnClose remembers whether the server has onClose, so a socket
	// closing while the room hibernates knows to wake it.
	hasOnClose bool
	// alarmRetries counts consecutive failures of onAlarm.
	alarmRetries int
	stopped      bool
}

// ErrStopped is returned for events that reach a room as it shuts down; the
// caller retries on a fresh room.
var ErrStopped = errors.New("room stopped")

func newRoom(m *Rooms, partyName, id string) *Room {
	code := m.code
	r := &Room{
		m:        m,
		party:    partyName,
		id:       id,
		internal: internalID(code.Project, partyName, id),
		log:      m.log.With("party", partyName, "room", id),
	}
	if m.opts.Store != nil {
		r.store = m.opts.Store.Room(store.RoomKey{Project: code.Project, Party: partyName, Room: id})
	}
	r.loop = eventloop.New(eventloop.Options{RunJob: r.runJob})
	go r.loop.Run()
	return r
}

// runJob wraps every job: it recovers from Go panics in bindings, reports
// unhandled promise rejections, and ends the turn (storage flush, idle check).
func (r *Room) runJob(fn func()) {
	defer func() {
		if p := recover(); p != nil {
			r.jobEnd()
			r.log.Error("room crashed", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r.reset(1011, "Internal error")
		}
	}()
	r.jobBegin()
	fn()
	if why := r.jobEnd(); why != nil {
		// The VM dropped its pending promise jobs when interrupted: its
		// state cannot be trusted. Reset; the next event starts afresh.
		r.log.Error("room reset: "+why.Error(), "budget", r.m.opts.EventBudget)
		r.reset(1011, truncateReason("Room reset: "+why.Error()))
		r.endTurn()
		return
	}
	if r.vm != nil {
		r.vm.reportRejections()
	}
	r.endTurn()
}

// post queues an external event for this room; false if the room stopped.
func (r *Room) post(ev func()) bool {
	return r.loop.PostEvent(func() {
		r.lastEvent = time.Now()
		ev()
	})
}

// --- events from the outside world ---------------------------------------

// Connect runs the connection flow for a socket that is not upgraded yet:
// room start, getConnectionTags, onConnect. The returned channel yields
// nil when onConnect settled (upgrade and deliver), an *OnConnectError when
// it threw (upgrade, then close 1011), or ErrStopped.
func (r *Room) Connect(id, uri string, req *HTTPRequest) (*Conn, <-chan error) {
	c := newConn(r, id, uri)
	res := make(chan error, 1)
	if max := r.m.opts.MaxConnections; max > 0 && r.m.conns.Load() >= int64(max) {
		res <- &RejectError{Code: 1013, Reason: fmt.Sprintf("Server is full (%d connections); try again later", max)}
		return c, res
	}
	if !r.post(func() { r.connect(c, req, res) }) {
		res <- ErrStopped
	}
	return c, res
}

// Done is closed when the room has stopped; events still queued then are
// dropped, so callers waiting on one also wait on Done.
func (r *Room) Done() <-chan struct{} { return r.loop.Done() }

// Await waits for a Connect result, treating a room that stopped first
// as ErrStopped (the caller retries on a fresh room).
func (r *Room) Await(res <-chan error, cancel <-chan struct{}) (err error, cancelled bool) {
	select {
	case err = <-res:
		return err, false
	case <-r.Done():
		select {
		case err = <-res:
			return err, false
		default:
			return ErrStopped, false
		}
	case <-cancel:
		return nil, true
	}
}

// OnConnectError carries a throwing onConnect's message to the handshake.
type OnConnectError struct{ Message string }

func (e *OnConnectError) Error() string { return e.Message }

// RejectError refuses a socket: it is upgraded, then closed with Code and
// Reason, so every client (browsers included) can read why.
type RejectError struct {
	Code   int
	Reason string
}

func (e *RejectError) Error() string { return e.Reason }

// Attach finishes a Connect: the 101 is written, then queued frames flow.
func (r *Room) Attach(c *Conn, w http.ResponseWriter, req *http.Request, connectErr error) {
	var rej *RejectError
	if errors.As(connectErr, &rej) {
		// Not in the room: close straight from Go, nothing to gate.
		if err := c.attach(w, req); err == nil {
			c.ready.Store(party.Closing)
			c.enqueue(frame{close: true, code: rej.Code, data: []byte(rej.Reason)})
		}
		return
	}
	if err := c.attach(w, req); err != nil {
		return
	}
	if connectErr != nil {
		r.loop.Post(func() { c.Close(websocket.CloseInternalServerErr, truncateReason(connectErr.Error())) })
	}
}

// Abandon is called when the client went away before the upgrade.
func (r *Room) Abandon(c *Conn) { c.finish(1006, "") }

// Request runs onRequest. The channel yields the response once it may be
// shown (after the output gate).
func (r *Room) Request(req *HTTPRequest) <-chan *HTTPResponse {
	res := make(chan *HTTPResponse, 1)
	if !r.post(func() { r.request(req, res) }) {
		res <- nil
	}
	return res
}

// alarmEvent queues the room's alarm (scheduled at t); the returned channel
// closes when the event starts, and never if the room stops first.
func (r *Room) alarmEvent(t time.Time) (<-chan struct{}, bool) {
	started := make(chan struct{})
	ok := r.post(func() {
		close(started)
		r.alarm(t)
	})
	return started, ok
}

// message is called by a socket's reader goroutine.
func (r *Room) message(c *Conn, text bool, data []byte) {
	if !r.post(func() {
		<-c.inflight
		r.deliver(c, text, data)
	}) {
		<-c.inflight
	}
}

// closed is called once per socket when it is gone, from any goroutine.
func (r *Room) closed(c *Conn, code int, reason string) {
	r.post(func() { r.disconnect(c, code, reason) })
}

// --- event handlers, on the loop -------------------------------------------

func (r *Room) connect(c *Conn, req *HTTPRequest, res chan<- error) {
	if max := r.m.opts.MaxRoomConnections; max > 0 && len(r.conns) >= max {
		res <- &RejectError{Code: 1013, Reason: fmt.Sprintf("Room is full (%d connections)", max)}
		return
	}
	r.withVM(func(v *vmState, err error) {
		if err != nil {
			res <- &OnConnectError{Message: err.Error()}
			r.conns = append(r.conns, c)
			r.m.conns.Add(1)
			c.ready.Store(party.Open)
			return
		}
		select {
		case <-c.done: // client left during the room start
			res <- ErrStopped
			return
		default:
		}
		c.ready.Store(party.Open)
		r.conns = append(r.conns, c)
		r.m.conns.Add(1)
		v.connect(c, req, func(err error) {
			if err != nil {
				res <- &OnConnectError{Message: err.Error()}
				return
			}
			res <- nil
		})
	})
}

func (r *Room) deliver(c *Conn, text bool, data []byte) {
	if c.ReadyState() == party.Closed {
		return
	}
	r.withVM(func(v *vmState, err error) {
		if err != nil {
			return
		}
		v.message(c, text, data)
	})
}

func (r *Room) disconnect(c *Conn, code int, reason string) {
	found := false
	for i, x := range r.conns {
		if x == c {
			r.conns = append(r.conns[:i:i], r.conns[i+1:]...)
			found = true
			break
		}
	}
	if !found {
		return
	}
	r.m.conns.Add(-1)
	if len(r.conns) == 0 && r.idleTimer != nil {
		r.idleTimer.Stop() // the wait changes from HibernateAfter to IdleTimeout
		r.idleTimer = nil
	}
	if r.vm != nil {
		r.vm.disconnect(c, code, reason)
	} else if r.hasCloseHandler() {
		// A hibernated room wakes for onClose, as on PartyKit.
		r.withVM(func(v *vmState, err error) {
			if err == nil {
				v.closeEvent(c, code, reason)
			}
		})
	}
}

func (r *Room) request(req *HTTPRequest, res chan<- *HTTPResponse) {
	r.withVM(func(v *vmState, err error) {
		if err != nil {
			r.emit(func() { res <- textResponse(http.StatusInternalServerError, err.Error()) })
			return
		}
		v.request(req, func(resp *HTTPResponse) {
			r.emit(func() { res <- resp })
		})
	})
}

// alarm runs onAlarm for the alarm set for t. As on Durable Objects the
// alarm is cleared as it starts (getAlarm() is null inside onAlarm unless it
// sets a new one); a throwing onAlarm is retried with backoff from 2 s,
// doubling, up to MaxAlarmRetries times.
func (r *Room) alarm(t time.Time) {
	if r.store == nil {
		return
	}
	cur, ok, err := r.store.GetAlarm()
	if err != nil || !ok || cur.UnixMilli() != t.UnixMilli() {
		return // changed since it was scheduled; the new one fires on its own
	}
	_ = r.store.DeleteAlarm()
	r.withVM(func(v *vmState, err error) {
		if err != nil {
			r.retryAlarm(err)
			return
		}
		v.alarm(func(err error) {
			if err != nil {
				r.retryAlarm(err)
				return
			}
			r.alarmRetries = 0
		})
	})
}

// MaxAlarmRetries is how often a failing onAlarm is retried.
const MaxAlarmRetries = 6

func (r *Room) retryAlarm(cause error) {
	if _, set, _ := r.store.GetAlarm(); set {
		r.alarmRetries = 0 // the handler scheduled its own next alarm
		return
	}
	if r.alarmRetries >= MaxAlarmRetries {
		r.log.Error("onAlarm failed; giving up after retries", "retries", r.alarmRetries, "error", cause)
		r.alarmRetries = 0
		return
	}
	delay := r.m.opts.AlarmRetryBase << r.alarmRetries
	r.alarmRetries++
	r.log.Warn("onAlarm failed; retrying", "in", delay, "attempt", r.alarmRetries)
	_ = r.store.SetAlarm(time.Now().Add(delay))
}

// broadcast frames a message once and queues it for every socket in to.
func (r *Room) broadcast(text bool, data []byte, to []party.Socket) {
	f := frame{wire: wireFrame(text, data), text: text, data: data}
	send := func() {
		for _, s := range to {
			if c, ok := s.(*Conn); ok {
				c.enqueue(f)
			}
		}
	}
	r.emit(send)
}

// withVM runs fn once the room's VM is up and onStart has settled. A VM
// whose onStart is still pending holds the gate, so fn waits in order.
func (r *Room) withVM(fn func(*vmState, error)) {
	if r.vm == nil {
		v, err := r.startVM()
		if v != nil {
			r.watchVM(v.vm)
			r.m.vms.Add(1)
		}
		if err != nil {
			r.log.Error("room failed to start", "error", err)
			fn(nil, err)
			return
		}
		r.vm = v
	}
	if r.vm.starting {
		r.vm.afterStart = append(r.vm.afterStart, func() { fn(r.vm, nil) })
		return
	}
	fn(r.vm, nil)
}

// --- lifecycle ---------------------------------------------------------------

// endTurn runs after every job: writes made during it are flushed as one
// batch; an idle room is scheduled for eviction.
func (r *Room) endTurn() {
	if r.stopped {
		return
	}
	r.gate.flush(r)
	r.noteTurnEnd()
	r.scheduleIdle()
}

// scheduleIdle arms the idle check after a job: a room with no sockets is
// stopped after IdleTimeout; a hibernating server's VM is freed after
// HibernateAfter even with sockets open (they stay open in Go). Both only
// when nothing is pending: no timers, I/O, held events or undurable writes.
func (r *Room) scheduleIdle() {
	if r.idleTimer != nil || r.stopped {
		return
	}
	if wait := r.idleWait(); wait > 0 && r.quiet() {
		r.idleTimer = time.AfterFunc(wait, func() { r.loop.Post(r.idleCheck) })
	}
}

// idleWait is how long the room must be quiet before the idle check acts;
// 0 means there is nothing to do.
func (r *Room) idleWait() time.Duration {
	switch {
	case len(r.conns) == 0:
		return r.m.opts.IdleTimeout
	case r.vm != nil && r.vm.hibernate && r.m.opts.HibernateAfter > 0:
		return r.m.opts.HibernateAfter
	}
	return 0
}

func (r *Room) quiet() bool {
	timers, work := r.loop.Pending()
	if timers > 0 || work > 0 || !r.gate.idle() || r.loop.Held() {
		return false
	}
	// An alarm due soon keeps the room's VM (and its in-memory state) for
	// it; later alarms wake the room from storage.
	if r.store != nil {
		if at, set, err := r.store.GetAlarm(); err == nil && set && time.Until(at) < alarmKeepsAwake {
			return false
		}
	}
	return true
}

// alarmKeepsAwake is how near an alarm must be to keep an idle room alive.
const alarmKeepsAwake = time.Minute

func (r *Room) idleCheck() {
	r.idleTimer = nil
	wait := r.idleWait()
	if r.stopped || wait == 0 || !r.quiet() {
		return // re-armed after the next job
	}
	if since := time.Since(r.lastEvent); since < wait {
		r.idleTimer = time.AfterFunc(wait-since, func() { r.loop.Post(r.idleCheck) })
		return
	}
	if len(r.conns) == 0 {
		r.stop()
		return
	}
	r.log.Debug("hibernating: VM freed, sockets kept", "sockets", len(r.conns))
	r.dropVM()
	r.m.hibernations.Add(1)
}

// reset discards the VM after a crash: sockets close with code, and the next
// event starts the room afresh from storage.
func (r *Room) reset(code int, reason string) {
	for _, c := range append([]*Conn(nil), r.conns...) {
		c.Close(code, reason)
	}
	r.dropVM()
}

// dropVM discards the VM. What must outlive it — each socket's state — is
// saved on the socket first; events waiting for onStart are handed back.
func (r *Room) dropVM() (waiting []func()) {
	v := r.vm
	if v == nil {
		return nil
	}
	r.m.quiet.remove(r)
	for c, jc := range v.conns {
		c.saved = v.saveState(jc)
	}
	if v.starting {
		v.starting = false
		waiting = v.afterStart
		v.afterStart = nil
	}
	// Whatever the old VM held the gate for (onStart, a transaction,
	// blockConcurrencyWhile) will never settle now.
	r.loop.ReleaseAll()
	if r.store != nil {
		r.store.AbortTransactions()
	}
	v.close()
	r.vm = nil
	r.m.vms.Add(-1)
	return waiting
}

// swap moves a live room to the current code between two events: the new
// VM is built (constructor, onStart) and the sockets carry over with their
// id, uri, tags and state. Servers that listen on the socket objects
// themselves (addEventListener / onmessage, as y-partykit does) get onConnect
// again for each socket, since their listeners lived in the old VM.
func (r *Room) swap() {
	if r.stopped || r.vm == nil {
		return // a room without a VM starts on the new code at its next event
	}
	relisten := map[*Conn]bool{}
	for c, jc := range r.vm.conns {
		if jc.HasListeners("message") || jc.HasListeners("close") {
			relisten[c] = true
		}
		if h := c.handshake; h != nil { // onConnect was still running: finish it on the new VM
			c.handshake = nil
			h(nil)
			relisten[c] = true
		}
	}
	waiting := r.dropVM()
	v, err := r.startVM()
	if v != nil {
		r.watchVM(v.vm)
		r.m.vms.Add(1)
	}
	if err != nil {
		r.log.Error("new version failed to start in a live room; closing its sockets", "error", err)
		r.reset(1011, "New version failed to start")
		return
	}
	r.vm = v
	for _, c := range r.conns {
		if relisten[c] {
			c := c
			r.withVM(func(v *vmState, err error) {
				if err == nil {
					v.reconnect(c)
				}
			})
		}
	}
	for _, fn := range waiting {
		r.withVM(func(*vmState, error) { fn() })
	}
}

// restart closes every socket with code and stops the room; called from any
// goroutine (new version, shutdown).
func (r *Room) restart(code int, reason string) {
	if !r.loop.Post(func() {
		for _, c := range append([]*Conn(nil), r.conns...) {
			c.Close(code, reason)
		}
		r.stopWhenDurable()
	}) {
		return
	}
}

// stopWhenDurable stops the room once everything it wrote is on disk and
// every held message and response went out.
func (r *Room) stopWhenDurable() {
	r.gate.flush(r)
	if r.gate.idle() {
		r.stop()
		return
	}
	r.gate.onIdle = r.stop
}

// stop ends the actor. Pending writes were flushed at the end of the last
// turn; sockets still open are left to their close handshake.
func (r *Room) stop() {
	if r.stopped {
		return
	}
	r.stopped = true
	r.m.drop(r)
	r.dropVM()
	if r.idleTimer != nil {
		r.idleTimer.Stop()
	}
	r.loop.Stop()
}

func textResponse(status int, body string) *HTTPResponse {
	h := http.Header{}
	h.Set("Content-Type", "text/plain;charset=UTF-8")
	return &HTTPResponse{Status: status, Header: h, Body: []byte(body)}
}

// truncateReason keeps a close reason within the 123 bytes a close frame allows.
func truncateReason(s string) string {
	if len(s) <= 123 {
		return s
	}
	s = s[:123]
	for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] >= 0xC0 {
		s = s[:len(s)-1]
	}
	return s
}

func (r *Room) options() *Options    { return &r.m.opts }
func (r *Room) logger() *slog.Logger { return r.log }

func (r *Room) hasCloseHandler() bool { return r.hasOnClose }
