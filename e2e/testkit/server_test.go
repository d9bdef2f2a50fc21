package testkit

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeEnv makes this test binary act as a `gopk dev` stand-in: it is started
// as `<test binary> dev --port N`, starts a child process (as partykit's node
// starts workerd), writes its pids to the project dir, and serves a counter
// persisted in the project dir.
const fakeEnv = "GOPK_TESTKIT_FAKE_SERVER"

func TestMain(m *testing.M) {
	switch os.Getenv(fakeEnv) {
	case "serve":
		fakeServer()
	case "exit":
		fmt.Println("fake server: refusing to start")
		os.Exit(3)
	default:
		os.Exit(Run(m))
	}
}

func fakeServer() {
	port := os.Args[len(os.Args)-1]
	child := exec.Command("sleep", "300")
	if err := child.Start(); err != nil {
		panic(err)
	}
	os.WriteFile("pids", []byte(fmt.Sprintf("%d %d", os.Getpid(), child.Process.Pid)), 0o644)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		data, _ := os.ReadFile("counter")
		n, _ := strconv.Atoi(string(data))
		n++
		os.WriteFile("counter", []byte(strconv.Itoa(n)), 0o644)
		fmt.Fprintf(w, "%d", n)
	})
	fmt.Println("fake server: listening on", port)
	panic(http.ListenAndServe("127.0.0.1:"+port, nil))
}

func useFake(t *testing.T, mode string) string {
	t.Setenv(TargetEnv, "gopk")
	t.Setenv(BinaryEnv, os.Args[0])
	t.Setenv(fakeEnv, mode)
	return t.TempDir()
}

func pids(t *testing.T, dir string) (leader, child int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "pids"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Sscan(string(data), &leader, &child); err != nil {
		t.Fatalf("pids file %q: %v", data, err)
	}
	return leader, child
}

func alive(pid int) bool {
	// A zombie still answers signal 0; its state in /proc says it is gone.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat))
	return len(fields) > 2 && fields[2] != "Z"
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServerLifecycle(t *testing.T) {
	dir := useFake(t, "serve")
	s := Start(t, dir)
	if got := Get(t, s.URL()+"/").Body; got != "2" { // WaitReady made request 1
		t.Errorf("first request: got %q, want 2", got)
	}
	if !s.WaitLog("fake server: listening on", time.Second) {
		t.Errorf("output not captured: %q", s.Logs())
	}
	leader, child := pids(t, dir)

	s.Restart()
	if got := Get(t, s.URL()+"/").Body; got != "4" {
		t.Errorf("after Restart on the same port: got %q, want 4 (state kept)", got)
	}
	waitGone(t, leader)
	waitGone(t, child) // the child in the process group went with the leader

	leader, child = pids(t, dir)
	s.Kill()
	if !s.Exited() {
		t.Error("Exited() is false after Kill")
	}
	waitGone(t, leader)
	waitGone(t, child)

	s.Restart()
	if got := Get(t, s.URL()+"/").Body; got != "6" {
		t.Errorf("after Kill and Restart: got %q, want 6", got)
	}
	if strings.Count(s.Logs(), "fake server: listening on") != 3 {
		t.Errorf("logs should hold all three runs:\n%s", s.Logs())
	}
}

func TestCleanupStopsTheProcessGroup(t *testing.T) {
	dir := useFake(t, "serve")
	t.Run("inner", func(t *testing.T) { Start(t, dir) })
	leader, child := pids(t, dir)
	waitGone(t, leader)
	waitGone(t, child)
}

func TestWaitLogReturnsWhenTheServerExits(t *testing.T) {
	dir := useFake(t, "exit")
	s := Launch(t, dir)
	start := time.Now()
	if s.WaitLog("text that never comes", time.Minute) {
		t.Fatal("WaitLog matched text that was never printed")
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("WaitLog waited %v after the server had exited", time.Since(start))
	}
	if !s.WaitLog("refusing to start", time.Second) {
		t.Errorf("output of the exited server: %q", s.Logs())
	}
	var exitErr *exec.ExitError
	if err := s.WaitExit(time.Second); !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Errorf("WaitExit = %v, want exit status 3", err)
	}
}
