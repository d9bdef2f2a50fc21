package procstat

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// fakeProc writes a /proc-like entry for pid.
func fakeProc(t *testing.T, root string, pid, ppid int, comm string, utime, stime int, status string) {
	t.Helper()
	dir := filepath.Join(root, strconv.Itoa(pid))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stat := strconv.Itoa(pid) + " (" + comm + ") S " + strconv.Itoa(ppid) +
		" 1 1 0 -1 4194304 100 0 0 0 " + strconv.Itoa(utime) + " " + strconv.Itoa(stime) +
		" 0 0 20 0 9 0 1234 5678 90\n"
	if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCPUAndMemoryFromFakeProc(t *testing.T) {
	root := t.TempDir()
	// A command name with a space and a parenthesis must not shift the fields.
	fakeProc(t, root, 42, 1, "work (er) d", 250, 130, "Name:\tx\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n")
	p := Proc{Root: root, PID: 42}
	cpu, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	if want := 3800 * time.Millisecond; cpu != want {
		t.Errorf("CPU = %v, want %v (380 ticks)", cpu, want)
	}
	m, err := p.Memory()
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS != 100<<20 || m.Peak != 200<<20 {
		t.Errorf("Memory = %+v, want RSS 100 MiB, peak 200 MiB", m)
	}
	if name, _ := p.Name(); name != "work (er) d" {
		t.Errorf("Name = %q", name)
	}
}

func TestMemoryOfKernelThreadIsAnError(t *testing.T) {
	root := t.TempDir()
	fakeProc(t, root, 7, 2, "kworker", 0, 0, "Name:\tkworker\n")
	if _, err := (Proc{Root: root, PID: 7}).Memory(); err == nil {
		t.Fatal("want an error for a status without VmRSS")
	}
}

func TestFindDescendant(t *testing.T) {
	root := t.TempDir()
	st := "VmHWM:\t1 kB\nVmRSS:\t1 kB\n"
	fakeProc(t, root, 100, 1, "node", 0, 0, st)
	fakeProc(t, root, 101, 100, "esbuild", 0, 0, st)
	fakeProc(t, root, 205, 101, "workerd", 0, 0, st) // grandchild
	fakeProc(t, root, 300, 1, "workerd", 0, 0, st)   // someone else's
	p, err := FindDescendant(root, 100, "workerd")
	if err != nil {
		t.Fatal(err)
	}
	if p.PID != 205 {
		t.Errorf("found pid %d, want 205 (the descendant, not pid 300)", p.PID)
	}
	if _, err := FindDescendant(root, 300, "workerd"); err == nil {
		t.Error("want an error when no descendant has the name")
	}
}

func TestOwnProcess(t *testing.T) {
	p := Open(os.Getpid())
	before, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	// Burn a little CPU so the counter (10 ms resolution) moves.
	deadline := time.Now().Add(150 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	after, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Errorf("CPU did not grow after a busy loop: %v then %v (x=%d)", before, after, x)
	}
	m, err := p.Memory()
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("Memory = %+v: want RSS > 0 and peak ≥ RSS", m)
	}
}
