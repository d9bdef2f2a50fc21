package devserver

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"

	"gopk/runtime/assets"
	"gopk/runtime/bundle"
	"gopk/runtime/config"
)

// clientState is the serve.build half of a dev version: the browser bundle
// written into the served directory, the files it was built from (for the
// watcher), and the live-reload stream open pages listen to.
type clientState struct {
	mu      sync.Mutex
	served  *assets.Result // what open pages were built from; nil before the first build
	pending *assets.Result // built, not yet announced (the server half may still be swapping)
	inputs  []string       // of the last attempt, failed ones included
	live    *assets.Live
	builder assets.Builder // incremental: a rebuild reparses only changed files
}

// buildClient builds serve.build (if the project has one) with
// PARTYKIT_HOST set to this server, and the live-reload banner when --live
// or serve.build.live asks for it. A failed build writes nothing, so the
// last good bundle keeps being served.
func (s *Server) buildClient(p *config.Project) error {
	c := &s.client
	o := assets.Options{Host: fmt.Sprintf("127.0.0.1:%d", s.ln.Addr().(*net.TCPAddr).Port)}
	if s.opts.Live || (p.Serve != nil && p.Serve.Build != nil && p.Serve.Build.Live) {
		o.LiveReload = assets.LivePath
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.builder.Build(p, o)
	if c.live == nil {
		c.live = assets.NewLive(r.Version())
	}
	if err != nil {
		// Keep watching what the last good build read as well, so that
		// undoing the breaking edit rebuilds too.
		var be *bundle.BuildError
		if errors.As(err, &be) {
			c.inputs = union(c.inputs, be.Inputs)
		}
		return err
	}
	if r == nil {
		c.inputs, c.pending = nil, nil
		return nil
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(s.out, "warning: %s\n", w)
	}
	c.inputs, c.pending = r.Inputs, r
	if c.served == nil {
		c.served = r
	}
	return nil
}

// publishClient tells open pages to reload when the bundle changed; call
// it once the whole version (server and client) is live.
func (s *Server) publishClient() {
	c := &s.client
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil || c.live == nil {
		return
	}
	servedir := c.pending.Outdir
	if b := s.Current(); b != nil && b.Project.Serve != nil {
		servedir = b.Project.Serve.Path
	}
	c.live.Publish(c.pending.Version(), assets.Changes(c.served, c.pending, servedir))
	c.served, c.pending = c.pending, nil
}

// clientInputs are the client's source files, for the watcher.
func (s *Server) clientInputs() []string {
	s.client.mu.Lock()
	defer s.client.mu.Unlock()
	return append([]string(nil), s.client.inputs...)
}

// serveLiveReload puts the live-reload stream in front of the router, and
// on shutdown ends the streams (http.Server.Shutdown waits for them) and
// frees the client builder.
func (s *Server) serveLiveReload() {
	s.client.mu.Lock()
	if s.client.live == nil {
		s.client.live = assets.NewLive("")
	}
	live := s.client.live
	s.client.mu.Unlock()
	next := s.http.Handler
	s.http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == assets.LivePath && r.Method == http.MethodGet {
			live.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
	s.http.RegisterOnShutdown(func() {
		live.Close()
		s.client.mu.Lock()
		s.client.builder.Close()
		s.client.mu.Unlock()
	})
}

func union(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, list := range [][]string{a, b} {
		for _, f := range list {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}
