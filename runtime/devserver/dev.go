// Package devserver is `gopk dev`: it loads a PartyKit project, serves it
// on one port, and rebuilds it whenever a file that went into it changes.
// A good build becomes the version rooms use; a failed one is reported and
// the last good version keeps serving.
package devserver

import (
	"context"
	"crypto/tls"
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
	"time"

	"github.com/cockroachdb/pebble/vfs"

	"gopk/runtime/config"
	"gopk/runtime/control"
	"gopk/runtime/cron"
	"gopk/runtime/project"
	"gopk/runtime/room"
	"gopk/runtime/router"
	"gopk/store"
)

// Options configure a dev server.
type Options struct {
	Load     config.LoadOptions
	Out      io.Writer    // what the user reads: ready line, build errors
	Logger   *slog.Logger // room logs (console.*) and server events
	Platform room.Platform
	Storage  room.StorageBinding
	// Watch turns on rebuilding on change (on for `gopk dev`).
	Watch bool
	// Listen overrides the address (default 0.0.0.0:<port>, as PartyKit).
	Listen string
	// TLS serves over HTTPS (--https, --https-key-path, --https-cert-path).
	TLS TLS
	// Rooms tunes the rooms (budgets, limits); Store, Platform, Storage and
	// Logger are filled in.
	Rooms room.Options
	// Live reloads open pages after serve.build is rebuilt (--live).
	Live bool
}

// Server is a running dev server.
type Server struct {
	opts   Options
	out    io.Writer
	log    *slog.Logger
	db     *store.DB
	rooms  *room.Rooms
	router *router.Router
	http   *http.Server
	ln     net.Listener

	mu      sync.Mutex
	current *project.Built
	client  clientState // serve.build (client.go)
	crons   *cron.Scheduler
	control io.Closer
}

// Start loads and builds the project and starts serving. It fails if the
// first build fails (there is no good version to serve yet).
func Start(o Options) (*Server, error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Load.Dev = true
	p, err := config.Load(o.Load)
	if err != nil {
		return nil, err
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(o.Out, "warning: %s\n", w)
	}
	addr := o.Listen
	if addr == "" {
		addr = fmt.Sprintf("0.0.0.0:%d", p.Port)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	scheme := "http"
	if o.TLS.Enabled || o.TLS.KeyPath != "" {
		cfg, err := o.TLS.config()
		if err != nil {
			ln.Close()
			return nil, err
		}
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	port := ln.Addr().(*net.TCPAddr).Port
	s := &Server{opts: o, out: o.Out, log: o.Logger, ln: ln}

	built, err := project.Build(p, project.Options{Host: fmt.Sprintf("127.0.0.1:%d", port), Namespace: "dev"})
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.current = built
	if err := s.buildClient(p); err != nil {
		ln.Close()
		return nil, err
	}

	// Pebble's own chatter (WAL replays, compactions) is not for dev users.
	dbOpts := store.Options{Logger: slog.New(minLevel{o.Logger.Handler(), slog.LevelWarn})}
	dir := p.Persist.Path
	if !p.Persist.Enabled {
		dbOpts.FS = vfs.NewMem()
		dir = "state"
	}
	db, err := store.Open(dir, dbOpts)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("opening storage at %s: %w", dir, err)
	}
	s.db = db
	if p.Persist.Enabled {
		// Lets `gopk backup` checkpoint this running server's storage.
		if c, err := control.Serve(dir, db); err == nil {
			s.control = c
		} else {
			s.log.Warn("backups of the running server are unavailable", "error", err)
		}
	}
	ro := o.Rooms
	ro.Store, ro.Platform, ro.Storage, ro.Logger = db, o.Platform, o.Storage, o.Logger
	s.rooms = room.New(built.Code, ro)
	s.router = router.New(s.site(built), o.Logger)
	s.http = router.HTTPServer(s.router)
	s.serveLiveReload()
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "error", err)
		}
	}()
	go db.RunAlarms(context.Background(), s.fireAlarm)
	s.schedule(built)
	fmt.Fprintf(s.out, "gopk dev: ready on %s://localhost:%d (built in %s)\n", scheme, port, built.Took.Round(time.Millisecond))
	return s, nil
}

func (s *Server) site(b *project.Built) *router.Site {
	crons := b.Project.Crons
	return &router.Site{Rooms: s.rooms, Assets: b.Assets, Dev: true,
		Cron: func(name string) (string, bool) {
			if e, err := s.rooms.Edge("main"); err != nil || !e.Has("onCron") {
				return "", false // not a cron path then: assets, onFetch, 404
			}
			// As partykit dev does: any name runs, an unknown one with a
			// every-minute expression, a missing one as "unknown".
			if name == "" {
				name = "unknown"
			}
			expr, ok := crons[name]
			if !ok {
				expr = "* * * * *"
			}
			if err := s.runCron(name, expr, time.Now()); err != nil {
				return fmt.Sprintf("cron %s failed: %s", name, err), true
			}
			return fmt.Sprintf("ran cron %s: %s", name, expr), true
		}}
}

// runCron runs the main party's onCron.
func (s *Server) runCron(name, expr string, at time.Time) error {
	e, err := s.rooms.Edge("main")
	if err != nil {
		return err
	}
	if !e.Has("onCron") {
		return fmt.Errorf("the main party has no onCron")
	}
	return e.Cron(name, expr, at)
}

// schedule (re)starts the crons of the current version.
func (s *Server) schedule(b *project.Built) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crons.Stop()
	s.crons = nil
	if len(b.Project.Crons) == 0 {
		return
	}
	sc, err := cron.Start(b.Project.Crons, s.runCron, s.log)
	if err != nil {
		fmt.Fprintf(s.out, "gopk dev: %s\n", err)
		return
	}
	s.crons = sc
}

func (s *Server) fireAlarm(k store.RoomKey, t time.Time) {
	if k.Project != s.rooms.Code().Project || !s.rooms.HasParty(k.Party) {
		return
	}
	go s.rooms.Alarm(k.Party, k.Room, t)
}

// Addr is where the server listens.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Rebuild reloads the config and rebuilds. On success rooms restart on the
// new version; on failure the error is printed and nothing changes.
func (s *Server) Rebuild() error {
	lo := s.opts.Load
	lo.Dev = true
	p, err := config.Load(lo)
	if err == nil {
		var b *project.Built
		port := s.ln.Addr().(*net.TCPAddr).Port
		b, err = project.Build(p, project.Options{Host: fmt.Sprintf("127.0.0.1:%d", port), Namespace: "dev"})
		if err == nil {
			err = s.buildClient(p)
		}
		if err == nil {
			s.mu.Lock()
			same := s.current != nil && s.current.Code.Version == b.Code.Version
			s.current = b
			s.mu.Unlock()
			s.router.SetSite(s.site(b))
			if !same {
				s.rooms.SetCode(b.Code)
			}
			s.schedule(b)
			s.publishClient()
			fmt.Fprintf(s.out, "gopk dev: rebuilt in %s\n", b.Took.Round(time.Millisecond))
			return nil
		}
	}
	fmt.Fprintf(s.out, "gopk dev: build failed; still serving the last good version\n%s\n", err)
	return err
}

// Current is the version being served.
func (s *Server) Current() *project.Built {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Shutdown stops accepting, closes sockets (1001), and flushes storage.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.crons.Stop()
	s.mu.Unlock()
	if s.control != nil {
		s.control.Close()
	}
	_ = s.http.Shutdown(ctx)
	s.rooms.Close(1001, "Server shutting down", 5*time.Second)
	return s.db.Close()
}

// watchedFiles are the inputs outside node_modules plus the config and .env files.
func (s *Server) watchedFiles() []string {
	b := s.Current()
	var files []string
	for _, f := range b.Inputs {
		if !inNodeModules(f) {
			files = append(files, f)
		}
	}
	if b.Project.ConfigPath != "" {
		files = append(files, b.Project.ConfigPath)
	}
	files = append(files, b.Project.EnvFiles...)
	files = append(files, s.clientInputs()...)
	return files
}

func inNodeModules(p string) bool {
	return strings.Contains("/"+filepath.ToSlash(p)+"/", "/node_modules/")
}

// minLevel drops records below a level.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
