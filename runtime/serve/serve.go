// Package serve is `gopk serve`: the production server. It hosts every
// project deployed to it (runtime/deploy) on one listener, picks the project
// by Host header under --domain (or serves the only one), keeps storage in
// one Pebble database under the data directory, exposes /healthz, /readyz
// and Prometheus /metrics, serves the admin API, and shuts down gracefully.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/vfs"

	"gopk/runtime/control"
	"gopk/runtime/deploy"
	"gopk/runtime/room"
	"gopk/store"
)

// Options configure a server.
type Options struct {
	DataDir string // storage in <DataDir>/storage, versions in <DataDir>/projects
	Listen  string // e.g. ":8080"
	// AdminListen, when set, serves the admin API and /metrics on their own
	// listener (say 127.0.0.1:9090) instead of the main one.
	AdminListen string
	// Domain, when set, picks the project by Host: <project>.<Domain>.
	// Without it the server serves its only project.
	Domain    string
	Tokens    *deploy.Tokens
	MaxUpload int64         // bytes; default deploy.DefaultMaxUpload
	Logger    *slog.Logger  // JSON in production; rooms log through it too
	Version   string        // gopk's version, for the admin API
	Platform  room.Platform // the globals of every room
	Storage   room.StorageBinding
	Rooms     room.Options // budgets and limits; Store, Platform, Storage, Logger are set here
	// CloseWait bounds how long Shutdown waits for rooms to close their
	// sockets and flush. Default 5 s.
	CloseWait time.Duration
}

// Server is a running gopk serve.
type Server struct {
	o       Options
	log     *slog.Logger
	db      *store.DB
	hub     *deploy.Hub
	mgr     atomic.Pointer[deploy.Manager]
	metrics *metrics
	api     http.Handler

	main, admin     *http.Server
	mainLn, adminLn net.Listener
	ready           atomic.Bool
	cancel          context.CancelFunc // ends streams (tail) and alarms
	base            context.Context
	control         io.Closer // `gopk backup --data <data>/storage` reaches the db through it
	shutdownOnce    sync.Once
	shutdownErr     error
}

// Start opens the data directory, loads every deployed project and starts
// listening.
func Start(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if o.Tokens == nil {
		return nil, errors.New("serve: no admin tokens (--token-file)")
	}
	if o.CloseWait <= 0 {
		o.CloseWait = 5 * time.Second
	}
	o.Domain = strings.ToLower(strings.Trim(o.Domain, "."))
	s := &Server{o: o}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.metrics = newMetrics(s.mgr.Load)
	// Every line goes through the hub: rooms' lines reach `gopk tail`, and
	// env values are masked in all of them, the server's own included.
	s.hub = deploy.NewHub(o.Logger.Handler(), s.metrics.roomError)
	s.log = slog.New(s.hub.Handler())

	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	storeDir := filepath.Join(o.DataDir, "storage")
	db, err := store.Open(storeDir, store.Options{
		FS:     timedWAL{FS: vfs.Default, observe: s.metrics.observeSync},
		Logger: s.log.With("component", "store"),
	})
	if err != nil {
		return nil, fmt.Errorf("opening storage in %s (is another gopk serve using it?): %w", storeDir, err)
	}
	s.db = db
	if c, err := control.Serve(storeDir, db); err == nil {
		s.control = c
	} else {
		s.log.Warn("gopk backup cannot reach this server; use gopk checkpoint", "error", err)
	}
	mgr, err := deploy.Open(deploy.Options{
		Dir:         filepath.Join(o.DataDir, "projects"),
		DB:          db,
		Platform:    o.Platform,
		Storage:     o.Storage,
		Logger:      s.log,
		RoomLogger:  s.log,
		MaxUpload:   o.MaxUpload,
		RoomOptions: o.Rooms,
		RoomMetrics: s.metrics.rooms,
		URL:         s.projectURL,
		OnDeploy:    s.metrics.deployed,
		OnSecrets:   s.hub.SetSecrets,
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	s.mgr.Store(mgr)
	s.api = deploy.NewAPI(deploy.APIOptions{Manager: mgr, Tokens: o.Tokens, Hub: s.hub, Logger: s.log, Version: o.Version, Domain: o.Domain,
		Checkpoint: s.Checkpoint})

	if s.mainLn, err = net.Listen("tcp", o.Listen); err != nil {
		s.closeStorage()
		return nil, fmt.Errorf("listening on %s: %w", o.Listen, err)
	}
	if o.AdminListen != "" {
		if s.adminLn, err = net.Listen("tcp", o.AdminListen); err != nil {
			s.mainLn.Close()
			s.closeStorage()
			return nil, fmt.Errorf("listening on %s (--admin-listen): %w", o.AdminListen, err)
		}
	}
	baseCtx := func(net.Listener) context.Context { return s.base }
	s.main = &http.Server{Handler: http.HandlerFunc(s.serveMain), ReadHeaderTimeout: 10 * time.Second, BaseContext: baseCtx,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	go s.serve(s.main, s.mainLn)
	if s.adminLn != nil {
		s.admin = &http.Server{Handler: http.HandlerFunc(s.serveAdmin), ReadHeaderTimeout: 10 * time.Second, BaseContext: baseCtx,
			ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
		go s.serve(s.admin, s.adminLn)
	}
	go func() { _ = db.RunAlarms(s.base, s.fireAlarm) }()
	s.ready.Store(true)
	attrs := []any{"listen", s.mainLn.Addr().String(), "data", o.DataDir, "projects", len(mgr.Live()), "version", o.Version}
	if s.adminLn != nil {
		attrs = append(attrs, "admin", s.adminLn.Addr().String())
	}
	if o.Domain != "" {
		attrs = append(attrs, "domain", o.Domain)
	}
	s.log.Info("gopk serve ready", attrs...)
	return s, nil
}

func (s *Server) serve(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Error("http server stopped", "addr", ln.Addr().String(), "error", err)
	}
}

// Addr is the main listener's address.
func (s *Server) Addr() net.Addr { return s.mainLn.Addr() }

// AdminAddr is the admin listener's address, or nil.
func (s *Server) AdminAddr() net.Addr {
	if s.adminLn == nil {
		return nil
	}
	return s.adminLn.Addr()
}

// Manager is the project manager (for tests and tools).
func (s *Server) Manager() *deploy.Manager { return s.mgr.Load() }

func (s *Server) projectURL(name string) string {
	if s.o.Domain == "" {
		return ""
	}
	return "https://" + name + "." + s.o.Domain
}

func (s *Server) fireAlarm(k store.RoomKey, t time.Time) {
	p := s.Manager().Lookup(k.Project)
	if p == nil || !p.Rooms.HasParty(k.Party) {
		return
	}
	go p.Rooms.Alarm(k.Party, k.Room, t)
}

// Checkpoint writes a consistent copy of the data directory, taken while
// the server runs, to <data>/backups/<UTC time>/ (storage/ and projects/,
// the same layout as the data directory, so it can be started from as is).
// Pebble hard-links its files where it can, so a checkpoint is cheap.
func (s *Server) Checkpoint() (string, error) {
	dir := filepath.Join(s.o.DataDir, "backups", time.Now().UTC().Format("20060102T150405.000Z"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := s.db.Checkpoint(filepath.Join(dir, "storage")); err != nil {
		return "", err
	}
	if err := s.Manager().CopyProjects(filepath.Join(dir, "projects")); err != nil {
		return "", fmt.Errorf("copying versions into the checkpoint: %w", err)
	}
	return dir, nil
}

// --- HTTP ------------------------------------------------------------------------

func (s *Server) serveMain(w http.ResponseWriter, r *http.Request) {
	if s.health(w, r) {
		return
	}
	if s.adminLn == nil {
		if r.URL.Path == "/metrics" {
			s.metrics.handler().ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/_gopk/") {
			s.api.ServeHTTP(w, r)
			return
		}
	}
	p, why := s.route(r.Host)
	if p == nil {
		plain(w, http.StatusNotFound, why)
		return
	}
	s.metrics.serve(p.Name, p.Router, w, r)
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.health(w, r):
	case r.URL.Path == "/metrics":
		s.metrics.handler().ServeHTTP(w, r)
	default:
		s.api.ServeHTTP(w, r)
	}
}

// health answers /healthz (the process runs) and /readyz (it serves: not
// starting, not shutting down).
func (s *Server) health(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/healthz":
		plain(w, http.StatusOK, "ok")
	case "/readyz":
		if !s.ready.Load() {
			plain(w, http.StatusServiceUnavailable, "shutting down")
			return true
		}
		plain(w, http.StatusOK, "ready")
	default:
		return false
	}
	return true
}

// route picks the project a request is for.
func (s *Server) route(hostport string) (*deploy.Project, string) {
	mgr := s.Manager()
	if s.o.Domain == "" {
		p, n := mgr.Only()
		switch {
		case p != nil:
			return p, ""
		case n == 0:
			return nil, "No project is deployed on this server yet (gopk deploy)"
		default:
			return nil, "Several projects are deployed here; start gopk serve with --domain to reach them by host name"
		}
	}
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	name, ok := strings.CutSuffix(strings.TrimSuffix(host, "."), "."+s.o.Domain)
	if !ok || name == "" || strings.Contains(name, ".") {
		return nil, "Unknown host " + hostport + ": projects are served at <project>." + s.o.Domain
	}
	if p := mgr.Lookup(name); p != nil {
		return p, ""
	}
	return nil, "Project " + name + " is not deployed on this server"
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// --- shutdown ----------------------------------------------------------------------

// Shutdown stops the server gracefully: it stops accepting, closes every
// socket with 1001 ("going away", so partysocket reconnects), lets rooms
// flush, waits for sockets to finish their close handshake, then closes
// storage. ctx bounds the waits for HTTP requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() { s.shutdownErr = s.shutdown(ctx) })
	return s.shutdownErr
}

func (s *Server) shutdown(ctx context.Context) error {
	start := time.Now()
	s.ready.Store(false)
	s.log.Info("shutting down", "sockets", s.metrics.open.Load())
	var wg sync.WaitGroup
	for _, srv := range []*http.Server{s.main, s.admin} {
		if srv == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = srv.Shutdown(ctx) // closes the listener at once, then waits for requests in flight
		}()
	}
	s.Manager().Close(1001, "Server shutting down", s.o.CloseWait)
	roomsClosed := time.Since(start)
	// Close frames are queued; give the writers time to send them and the
	// clients time to answer.
	deadline := time.Now().Add(s.o.CloseWait)
	for s.metrics.open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	s.cancel() // ends tail streams and the alarm loop
	wg.Wait()
	err := s.closeStorage()
	s.log.Info("stopped", "took_ms", time.Since(start).Milliseconds(), "rooms_closed_ms", roomsClosed.Milliseconds(), "sockets_left", s.metrics.open.Load())
	return err
}

func (s *Server) closeStorage() error {
	s.cancel()
	if s.control != nil {
		s.control.Close()
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing storage: %w", err)
	}
	return nil
}
