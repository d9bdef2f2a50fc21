// Package server starts the two servers the benchmarks compare, each on a
// fresh copy of the scenario project: `gopk dev` and PartyKit's own
// `partykit dev` (whose rooms run in workerd, a child of node). It reports
// start-to-ready time and which process to measure.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"gopk/bench/procstat"
)

// Kind names a server implementation.
type Kind string

const (
	Gopk     Kind = "gopk"
	PartyKit Kind = "partykit"
)

// Options say what to start.
type Options struct {
	Kind    Kind
	Project string // the scenario project; copied, never written to
	// Gopk is the gopk binary (Kind Gopk).
	Gopk string
	// Reference is the folder whose node_modules holds partykit@0.0.115
	// (Kind PartyKit).
	Reference string
	// Args are extra arguments for `dev` (e.g. gopk's --pprof).
	Args []string
	// ReadyTimeout bounds the wait for the first HTTP answer (default 60 s).
	ReadyTimeout time.Duration
}

// Server is a running dev server.
type Server struct {
	Kind Kind
	// Host is 127.0.0.1:<port>.
	Host string
	// Measured is the process whose CPU and memory count: gopk itself, or
	// workerd for PartyKit.
	Measured procstat.Proc
	// StartToReady is the time from exec to the first HTTP answer.
	StartToReady time.Duration

	dir  string
	cmd  *exec.Cmd
	out  *tail
	done chan struct{}
}

// Start copies the project to a temporary folder, starts the server there on
// a free port, and waits until it answers HTTP. A server whose port was
// taken between our pick and its bind (miniflare picks free ports of its own
// as it starts) is started again on another port.
func Start(ctx context.Context, o Options) (*Server, error) {
	for attempt := 1; ; attempt++ {
		s, err := start(ctx, o)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "in use") {
			return s, err
		}
	}
}

func start(ctx context.Context, o Options) (*Server, error) {
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	dir, err := os.MkdirTemp("", "gopk-bench-"+string(o.Kind)+"-")
	if err != nil {
		return nil, err
	}
	if err := copyTree(o.Project, dir); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("copying the scenario project %s: %w", o.Project, err)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd, err := command(o, port)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{Kind: o.Kind, Host: "127.0.0.1:" + strconv.Itoa(port), dir: dir, cmd: cmd, out: &tail{max: 64 << 10}, done: make(chan struct{})}
	cmd.Dir = dir
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "PWD="+dir) // workerd warns when PWD is not its directory
	cmd.Stdout, cmd.Stderr = s.out, s.out
	// Own process group, so Stop reaches workerd (node's child) too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second

	start := time.Now()
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w", cmd, err)
	}
	go func() { _ = cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx, o.ReadyTimeout); err != nil {
		s.Stop()
		return nil, err
	}
	s.StartToReady = time.Since(start)

	s.Measured = procstat.Open(cmd.Process.Pid)
	if o.Kind == PartyKit {
		p, err := procstat.FindDescendant("/proc", cmd.Process.Pid, "workerd")
		if err != nil {
			s.Stop()
			return nil, fmt.Errorf("partykit dev is up but its workerd process was not found: %w", err)
		}
		s.Measured = p
	}
	return s, nil
}

func command(o Options, port int) (*exec.Cmd, error) {
	p := strconv.Itoa(port)
	switch o.Kind {
	case Gopk:
		if o.Gopk == "" {
			return nil, errors.New("no gopk binary given (build one: go build -o /tmp/gopk ./cmd/gopk)")
		}
		bin, err := filepath.Abs(o.Gopk)
		if err != nil {
			return nil, err
		}
		return exec.Command(bin, append([]string{"dev", "--port", p}, o.Args...)...), nil
	case PartyKit:
		bin, err := filepath.Abs(filepath.Join(o.Reference, "node_modules", "partykit", "dist", "bin.mjs"))
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("PartyKit is not installed in %s (run `npm ci --prefix %s`): %w", o.Reference, o.Reference, err)
		}
		cmd := exec.Command("node", append([]string{bin, "dev", "--port", p, "--no-hotkeys", "--disable-request-cf-fetch"}, o.Args...)...)
		cmd.Env = append(os.Environ(), "CI=true")
		return cmd, nil
	}
	return nil, fmt.Errorf("unknown server kind %q (want gopk or partykit)", o.Kind)
}

// waitReady polls until any HTTP answer (a 404 counts: the server is up).
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before it was ready; its output:\n%s", s.Kind, s.out.String())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get("http://" + s.Host + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer HTTP on %s within %v; its output:\n%s", s.Kind, s.Host, timeout, s.out.String())
}

// Output is the end of what the server printed.
func (s *Server) Output() string { return s.out.String() }

// Exited reports whether the server process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Stop ends the server's process group (SIGTERM, then SIGKILL after 10 s)
// and removes its project copy.
func (s *Server) Stop() {
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
	// Whatever outlived the leader (workerd, esbuild) goes with the group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-s.done
	os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// copyTree copies a project, leaving out node_modules and saved state.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".partykit") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
