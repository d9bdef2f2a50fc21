package router

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"gopk/runtime/room"
)

// MaxBody bounds request bodies read into memory for handlers.
const MaxBody = 32 << 20

// Site is what the router serves: the rooms of one project and its assets.
type Site struct {
	Rooms  *room.Rooms
	Assets *Assets
	Dev    bool // enables /__scheduled__
	// Cron runs onCron for /__scheduled__?cron=NAME (dev only); nil = none.
	Cron func(name string) (string, bool)
}

// Router is an http.Handler over a Site that can be swapped atomically.
type Router struct {
	site atomic.Pointer[Site]
	log  *slog.Logger
}

// New makes a router serving site.
func New(site *Site, log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	rt := &Router{log: log}
	rt.site.Store(site)
	return rt
}

// SetSite swaps what the router serves.
func (rt *Router) SetSite(s *Site) { rt.site.Store(s) }

// Site is what the router serves now.
func (rt *Router) Site() *Site { return rt.site.Load() }

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	site := rt.site.Load()
	rawPath, _, _ := strings.Cut(r.RequestURI, "?")
	if !strings.HasPrefix(rawPath, "/") { // absolute-form request target
		if u, err := url.Parse(r.RequestURI); err == nil {
			rawPath = u.EscapedPath()
		}
	}
	if clean := CleanPath(rawPath); clean != rawPath {
		// Handlers see the URL as workerd's parser leaves it.
		rawPath = clean
		r.RequestURI = clean
		if r.URL.RawQuery != "" {
			r.RequestURI += "?" + r.URL.RawQuery
		}
	}
	upgrade := websocket.IsWebSocketUpgrade(r)
	if route, ok := Parse(rawPath); ok {
		if !site.Rooms.HasParty(route.Party) {
			plain(w, http.StatusNotFound, "Party "+route.Party+" not found")
			return
		}
		edge, err := site.Rooms.Edge(route.Party)
		if err != nil {
			rt.log.Error("party failed to load", "party", route.Party, "error", err)
			plain(w, http.StatusInternalServerError, err.Error())
			return
		}
		if upgrade {
			rt.connect(w, r, site, edge, route)
		} else {
			rt.request(w, r, site, edge, route)
		}
		return
	}
	rt.other(w, r, site, rawPath, upgrade)
}

// incoming copies an HTTP request into the form handlers see.
func incoming(r *http.Request) (*room.HTTPRequest, error) {
	var body []byte
	if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
		b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
		if err != nil {
			return nil, err
		}
		if len(b) > MaxBody {
			return nil, errTooLarge
		}
		body = b
	}
	return &room.HTTPRequest{Method: r.Method, URL: FullURL(r), Header: r.Header.Clone(), Body: body}, nil
}

var errTooLarge = errors.New("request body too large")

// FullURL is the public URL of a request: scheme, host, raw path and query.
func FullURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	target := r.RequestURI
	if !strings.HasPrefix(target, "/") {
		if u, err := url.Parse(target); err == nil {
			target = u.RequestURI()
		}
	}
	return scheme + "://" + r.Host + target
}

func (rt *Router) readRequest(w http.ResponseWriter, r *http.Request) (*room.HTTPRequest, bool) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(BodyTimeout))
	req, err := incoming(r)
	if errors.Is(err, errTooLarge) {
		plain(w, http.StatusRequestEntityTooLarge, "Request body too large")
		return nil, false
	}
	if err != nil {
		plain(w, http.StatusBadRequest, "Could not read the request body")
		return nil, false
	}
	return req, true
}

func (rt *Router) connect(w http.ResponseWriter, r *http.Request, site *Site, edge *room.Edge, route Route) {
	req, ok := rt.readRequest(w, r)
	if !ok {
		return
	}
	if edge.Has("onBeforeConnect") {
		res := edge.Before("onBeforeConnect", req, route.Room)
		if res.Response != nil {
			writeResponse(w, r, res.Response)
			return
		}
		req = res.Forward
	}
	id := connectionID(req.URL)
	for attempt := 0; attempt < 3; attempt++ {
		rm := site.Rooms.Room(route.Party, route.Room)
		conn, done := rm.Connect(id, req.URL, req)
		err, cancelled := rm.Await(done, r.Context().Done())
		if cancelled {
			rm.Abandon(conn)
			return
		}
		if errors.Is(err, room.ErrStopped) {
			time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
			continue
		}
		rm.Attach(conn, w, r, err)
		return
	}
	plain(w, http.StatusServiceUnavailable, "Room unavailable")
}

// connectionID is the _pk query parameter, or a fresh UUID v4.
func connectionID(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		if pk := u.Query().Get("_pk"); pk != "" {
			return pk
		}
	}
	return uuid.NewString()
}

func (rt *Router) request(w http.ResponseWriter, r *http.Request, site *Site, edge *room.Edge, route Route) {
	req, ok := rt.readRequest(w, r)
	if !ok {
		return
	}
	if edge.Has("onBeforeRequest") {
		res := edge.Before("onBeforeRequest", req, route.Room)
		if res.Response != nil {
			writeResponse(w, r, res.Response)
			return
		}
		req = res.Forward
	}
	if !edge.HasOnRequest() {
		plain(w, http.StatusInternalServerError, "No onRequest handler")
		return
	}
	writeResponse(w, r, site.Rooms.Request(route.Party, route.Room, req))
}

func (rt *Router) other(w http.ResponseWriter, r *http.Request, site *Site, rawPath string, upgrade bool) {
	var mainEdge *room.Edge
	if site.Rooms.HasParty("main") {
		e, err := site.Rooms.Edge("main")
		if err != nil {
			rt.log.Error("party failed to load", "party", "main", "error", err)
			plain(w, http.StatusInternalServerError, err.Error())
			return
		}
		mainEdge = e
	}
	if upgrade && mainEdge != nil && mainEdge.Has("onSocket") {
		rt.socket(w, r, mainEdge)
		return
	}
	getLike := r.Method == http.MethodGet || r.Method == http.MethodHead
	if getLike {
		file, ok := site.Assets.lookup(rawPath)
		if !ok && site.Assets != nil && site.Assets.SinglePageApp && r.Header.Get("Sec-Fetch-Mode") == "navigate" {
			file, ok = site.Assets.lookup("/index.html")
		}
		if ok {
			serveFile(w, r, file, http.StatusOK)
			return
		}
	}
	if site.Dev && rawPath == "/__scheduled__" && site.Cron != nil {
		name := r.URL.Query().Get("cron")
		if msg, ok := site.Cron(name); ok {
			plain(w, http.StatusOK, msg)
			return
		}
	}
	if mainEdge != nil && mainEdge.Has("onFetch") {
		req, ok := rt.readRequest(w, r)
		if !ok {
			return
		}
		if resp := mainEdge.Fetch(req); resp != nil {
			if resp.Status == http.StatusSwitchingProtocols && resp.WebSocket != nil && upgrade {
				// onFetch answered with one end of a WebSocketPair.
				if !mainEdge.AcceptPair(resp.WebSocket, w, r) {
					plain(w, http.StatusInternalServerError, "onFetch returned a 101 without a WebSocket")
				}
				return
			}
			writeResponse(w, r, resp)
			return
		}
	}
	if file, ok := site.Assets.lookup("/404.html"); ok {
		serveFile(w, r, file, http.StatusNotFound)
		return
	}
	plain(w, http.StatusNotFound, "Not found")
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeResponse(w http.ResponseWriter, r *http.Request, resp *room.HTTPResponse) {
	if resp == nil {
		plain(w, http.StatusServiceUnavailable, "Room unavailable")
		return
	}
	h := w.Header()
	for k, vs := range resp.Header {
		h[k] = vs
	}
	// The length on the wire is the body's, as workerd sends it: a header a
	// handler copied from elsewhere (HTMLRewriter's input, say) is dropped.
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if resp.Stream != nil {
		defer resp.Stream.Close()
		if r.Method != http.MethodHead {
			streamBody(w, resp.Stream)
		}
		return
	}
	if r.Method != http.MethodHead && len(resp.Body) > 0 {
		_, _ = w.Write(resp.Body)
	}
}

// streamBody copies a streamed body, flushing each chunk as it comes.
func streamBody(w http.ResponseWriter, rc io.Reader) {
	fl, _ := w.(http.Flusher)
	buf := make([]byte, 32<<10)
	for {
		n, err := rc.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

// socket hands a WebSocket to a non-room path to the main party's onSocket.
func (rt *Router) socket(w http.ResponseWriter, r *http.Request, edge *room.Edge) {
	req, ok := rt.readRequest(w, r)
	if !ok {
		return
	}
	conn, done := edge.Socket(req)
	select {
	case err := <-done:
		if err != nil {
			plain(w, http.StatusInternalServerError, err.Error())
			return
		}
		edge.AttachSocket(conn, w, r)
	case <-edge.Done():
		plain(w, http.StatusServiceUnavailable, "Server restarting")
	case <-r.Context().Done():
		edge.Abandon(conn)
	}
}
