package testkit

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Serve is a running `gopk serve` (the production server) with a data
// directory and an admin token of its own. Its methods fail the test on
// error; it is stopped in t.Cleanup.
type Serve struct {
	t       testing.TB
	DataDir string
	Token   string // the admin token clients send (GOPK_TOKEN)
	args    []string
	port    int
	logs    *logBuffer

	mu   sync.Mutex
	proc *process
}

// StartServe starts `gopk serve --data <tmp> --token-file <tmp> --listen
// 127.0.0.1:<free port> args...` and waits until /readyz answers 200.
func StartServe(t testing.TB, args ...string) *Serve {
	t.Helper()
	bin := Binary(t)
	s := &Serve{t: t, DataDir: filepath.Join(t.TempDir(), "data"), args: args, port: freePort(t), logs: &logBuffer{}}
	out, err := exec.Command(bin, "token").Output()
	if err != nil {
		t.Fatalf("gopk token: %v", err)
	}
	var hashLine string
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "GOPK_TOKEN="); ok {
			s.Token = v
		}
		if strings.HasPrefix(line, "sha256:") {
			hashLine = line
		}
	}
	if s.Token == "" || hashLine == "" {
		t.Fatalf("gopk token printed no token and hash line:\n%s", out)
	}
	tokenFile := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokenFile, []byte(hashLine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.args = append([]string{"serve", "--data", s.DataDir, "--token-file", tokenFile, "--listen", s.Host()}, args...)
	t.Cleanup(func() {
		s.stop(syscall.SIGTERM)
		if strings.Contains(s.logs.String(), "WARNING: DATA RACE") {
			t.Errorf("gopk serve reported a data race")
		}
		if t.Failed() {
			t.Logf("output of gopk serve:\n%s", s.logs.String())
		}
	})
	s.launch()
	s.WaitReady()
	return s
}

// Host is "127.0.0.1:<port>".
func (s *Serve) Host() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's base URL, without a trailing slash.
func (s *Serve) URL() string { return "http://" + s.Host() }

// WSURL is the WebSocket URL for path.
func (s *Serve) WSURL(path string) string { return "ws://" + s.Host() + path }

// Logs is everything the server printed (JSON lines), restarts included.
func (s *Serve) Logs() string { return s.logs.String() }

func (s *Serve) launch() {
	s.t.Helper()
	cmd := exec.Command(Binary(s.t), s.args...)
	cmd.Env = os.Environ()
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting gopk serve: %v", err)
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

// WaitReady waits until /readyz answers 200.
func (s *Serve) WaitReady() {
	s.t.Helper()
	p := s.current()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(ReadyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			s.t.Fatalf("gopk serve exited before it was ready (%v); output:\n%s", p.err, s.Logs())
		default:
		}
		if resp, err := client.Get(s.URL() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("gopk serve did not become ready within %v; output:\n%s", ReadyTimeout, s.Logs())
}

func (s *Serve) current() *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc
}

// Signal sends sig to the server process (not its group).
func (s *Serve) Signal(sig syscall.Signal) {
	s.t.Helper()
	p := s.current()
	if p == nil {
		s.t.Fatal("gopk serve is not running")
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("signalling gopk serve: %v", err)
	}
}

// WaitExit waits for the process to exit and returns its exit error and
// whether it exited within timeout (if not, it is killed).
func (s *Serve) WaitExit(timeout time.Duration) (error, bool) {
	s.t.Helper()
	p := s.current()
	if p == nil {
		s.t.Fatal("gopk serve is not running")
	}
	select {
	case <-p.done:
		s.mu.Lock()
		s.proc = nil
		s.mu.Unlock()
		return p.err, true
	case <-time.After(timeout):
		s.stop(syscall.SIGKILL)
		return nil, false
	}
}

// Restart stops the server with SIGTERM and starts it again on the same
// port and data directory.
func (s *Serve) Restart() {
	s.t.Helper()
	s.stop(syscall.SIGTERM)
	s.logs.mark("--- restart ---")
	s.launch()
	s.WaitReady()
}

func (s *Serve) stop(sig syscall.Signal) {
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
		s.t.Logf("gopk serve (pid %d) ignored %v for %v; killing it", pgid, sig, StopTimeout)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// CLIResult is what a gopk command printed and how it exited.
type CLIResult struct {
	Out  string // stdout and stderr, interleaved
	Err  error  // nil for exit status 0
	Took time.Duration
}

// Gopk runs `gopk args...` in dir against this server (GOPK_HOST and
// GOPK_TOKEN set) with stdin, and returns its output; it does not fail the
// test on a non-zero exit, since refusals are often what a test checks.
func (s *Serve) Gopk(dir, stdin string, args ...string) CLIResult {
	s.t.Helper()
	return s.GopkEnv(dir, stdin, []string{"GOPK_HOST=" + s.URL(), "GOPK_TOKEN=" + s.Token}, args...)
}

// GopkEnv is Gopk with the caller's GOPK_* variables instead.
func (s *Serve) GopkEnv(dir, stdin string, env []string, args ...string) CLIResult {
	s.t.Helper()
	cmd := exec.Command(Binary(s.t), args...)
	cmd.Dir = dir
	cmd.Env = append(withoutGopkEnv(os.Environ()), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		s.t.Fatalf("running gopk %s: %v", strings.Join(args, " "), err)
	}
	return CLIResult{Out: out.String(), Err: err, Took: time.Since(start)}
}

func withoutGopkEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GOPK_HOST=") && !strings.HasPrefix(kv, "GOPK_TOKEN=") {
			out = append(out, kv)
		}
	}
	return out
}
