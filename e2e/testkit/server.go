package testkit

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Timeouts used by Server. They bound waits; they are not speed assertions.
var (
	// ReadyTimeout bounds how long a server may take to answer HTTP after start.
	ReadyTimeout = 60 * time.Second
	// StopTimeout is how long a server gets after SIGTERM before SIGKILL.
	StopTimeout = 10 * time.Second
)

// Server is a running target server (gopk dev or partykit dev) for one project
// directory. Its methods fail the test on error; it is stopped in t.Cleanup.
type Server struct {
	t      testing.TB
	target Target
	dir    string
	args   []string
	port   int
	logs   *logBuffer // all output of every run of the server

	portRetries int // relaunches on a new port after losing one (WaitReady)

	mu   sync.Mutex
	proc *process // the current run; nil when stopped
}

type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // exit status, valid after done
}

// Start starts the target server for the project in dir on a free port and
// waits until it answers HTTP. For gopk it runs `<bin> dev --port N args...`
// with cwd dir; for PartyKit `partykit dev --port N --no-hotkeys
// --disable-request-cf-fetch args...`.
func Start(t testing.TB, dir string, args ...string) *Server {
	t.Helper()
	s := Launch(t, dir, args...)
	s.WaitReady()
	return s
}

// Launch starts the server like Start but does not wait for it to answer;
// use it for servers that are expected to fail (see WaitLog, WaitExit).
func Launch(t testing.TB, dir string, args ...string) *Server {
	t.Helper()
	s := &Server{
		t:      t,
		target: CurrentTarget(t),
		dir:    dir,
		args:   args,
		port:   freePort(t),
		logs:   &logBuffer{},
	}
	t.Cleanup(func() {
		s.stop(syscall.SIGTERM)
		// With GOPK_E2E_RACE=1 the server reports races on its stderr.
		if strings.Contains(s.logs.String(), "WARNING: DATA RACE") {
			t.Errorf("the %s server reported a data race", s.target)
		}
		if t.Failed() {
			t.Logf("output of the %s server for %s:\n%s", s.target, dir, s.logs.String())
		}
	})
	s.launch()
	return s
}

// Target reports which implementation this server is.
func (s *Server) Target() Target { return s.target }

// Dir is the project directory the server runs in.
func (s *Server) Dir() string { return s.dir }

// Host is "127.0.0.1:<port>", as partysocket's host option wants it.
func (s *Server) Host() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's HTTP base URL, without a trailing slash.
func (s *Server) URL() string { return "http://" + s.Host() }

// WSURL is the WebSocket URL for path (which should start with "/").
func (s *Server) WSURL(path string) string { return "ws://" + s.Host() + path }

// Logs returns everything the server has printed so far (stdout and stderr of
// every run, restarts included).
func (s *Server) Logs() string { return s.logs.String() }

// Restart stops the server gracefully and starts it again on the same port in
// the same directory, so persisted state is kept; it waits until it answers.
func (s *Server) Restart() {
	s.t.Helper()
	s.stop(syscall.SIGTERM)
	s.logs.mark("--- restart ---")
	s.portRetries = 3 // a restart keeps its port: clients reconnect to it
	s.launch()
	s.WaitReady()
}

// Kill ends the server at once with SIGKILL (the whole process group), as a
// crash would. Restart brings it back.
func (s *Server) Kill() {
	s.t.Helper()
	s.stop(syscall.SIGKILL)
}

// WaitReady waits until the server answers any HTTP request, failing the test
// with the server's output if it exits or does not answer within ReadyTimeout.
func (s *Server) WaitReady() {
	s.t.Helper()
	p := s.current()
	if p == nil {
		s.t.Fatalf("%s server is not running", s.target)
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(ReadyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			if s.portRetries < 3 && strings.Contains(s.Logs(), "address already in use") {
				// Another process took the port between freePort and the
				// server's bind: try another one.
				s.portRetries++
				s.port = freePort(s.t)
				s.logs.mark("--- port taken, retrying on another ---")
				s.launch()
				s.WaitReady()
				return
			}
			s.t.Fatalf("%s server for %s exited before it was ready (%v); output:\n%s", s.target, s.dir, p.err, s.Logs())
		default:
		}
		resp, err := client.Get(s.URL() + "/")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("%s server for %s did not answer HTTP on %s within %v; output:\n%s", s.target, s.dir, s.URL(), ReadyTimeout, s.Logs())
}

// WaitLog waits until the server's output contains substr, and reports
// whether it did within timeout. It returns early if the server exits.
func (s *Server) WaitLog(substr string, timeout time.Duration) bool {
	return s.waitOutput(func(out string) bool { return strings.Contains(out, substr) }, timeout)
}

// WaitLogMatch is WaitLog for a regular expression.
func (s *Server) WaitLogMatch(re *regexp.Regexp, timeout time.Duration) bool {
	return s.waitOutput(re.MatchString, timeout)
}

func (s *Server) waitOutput(match func(string) bool, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if match(s.Logs()) {
			return true
		}
		if s.Exited() || time.Now().After(deadline) {
			return match(s.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Exited reports whether the server is not running: it exited by itself, or
// was stopped or killed.
func (s *Server) Exited() bool {
	p := s.current()
	if p == nil {
		return true
	}
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// WaitExit waits for the server process to exit by itself and returns its
// exit error (nil for status 0); it fails the test after timeout.
func (s *Server) WaitExit(timeout time.Duration) error {
	s.t.Helper()
	p := s.current()
	if p == nil {
		s.t.Fatalf("%s server is not running", s.target)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		s.t.Fatalf("%s server for %s still running after %v; output:\n%s", s.target, s.dir, timeout, s.Logs())
		return nil
	}
}

func (s *Server) current() *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc
}

func (s *Server) launch() {
	s.t.Helper()
	cmd := s.command()
	cmd.Dir = s.dir
	cmd.Env = append(cmd.Env, "PWD="+s.dir)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	// Own process group: PartyKit's real server (workerd) is a child of node,
	// and stopping the group stops it too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A grandchild that keeps the output pipes open must not hang Wait.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting %s server (%s): %v", s.target, cmd, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
}

func (s *Server) command() *exec.Cmd {
	s.t.Helper()
	port := strconv.Itoa(s.port)
	switch s.target {
	case TargetPartyKit:
		bin := filepath.Join(NodeModules(s.t), "partykit", "dist", "bin.mjs")
		args := append([]string{bin, "dev", "--port", port, "--no-hotkeys", "--disable-request-cf-fetch"}, s.args...)
		cmd := exec.Command("node", args...)
		cmd.Env = append(os.Environ(), "CI=true")
		return cmd
	default:
		cmd := exec.Command(Binary(s.t), append([]string{"dev", "--port", port}, s.args...)...)
		cmd.Env = os.Environ()
		return cmd
	}
}

// stop signals the process group and waits for the process to exit; after
// SIGTERM it escalates to SIGKILL when StopTimeout passes.
func (s *Server) stop(sig syscall.Signal) {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, sig)
	select {
	case <-p.done:
	case <-time.After(StopTimeout):
		s.t.Logf("%s server (pid %d) ignored %v for %v; killing it", s.target, pgid, sig, StopTimeout)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// Children that outlived the leader (workerd) go with the group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// freePort picks a port that is free now, below Linux's ephemeral range
// (32768–60999): a port the kernel handed out for listening can be taken
// by any outgoing connection (a load test's clients) before the server
// binds it.
func freePort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatalf("no free port found in 20000–31999")
	return 0
}

// logBuffer collects process output; it is written by exec's copy goroutines
// and read by tests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) mark(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(&b.buf, "\n%s\n", line)
}
