// Package procstat reads what the benchmarks measure of a server process
// from Linux's /proc: CPU time spent by all its threads (utime+stime) and its
// resident memory (current and peak), and finds a process among another's
// descendants (PartyKit's workerd is a child of node).
package procstat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ticksPerSecond is USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
// Linux fixes it at 100 for user space whatever the kernel's HZ.
const ticksPerSecond = 100

// Proc reads one process's counters under a /proc root ("/proc" in real use,
// a fake tree in tests).
type Proc struct {
	Root string
	PID  int
}

// Open returns the process pid under /proc.
func Open(pid int) Proc { return Proc{Root: "/proc", PID: pid} }

func (p Proc) path(name string) string {
	return filepath.Join(p.Root, strconv.Itoa(p.PID), name)
}

// CPU is the CPU time used so far by every thread of the process, living or
// exited (utime + stime of /proc/<pid>/stat), at 10 ms resolution.
func (p Proc) CPU() (time.Duration, error) {
	data, err := os.ReadFile(p.path("stat"))
	if err != nil {
		return 0, fmt.Errorf("reading CPU time of pid %d: %w", p.PID, err)
	}
	f, err := statFields(data)
	if err != nil {
		return 0, fmt.Errorf("pid %d: %w", p.PID, err)
	}
	// Fields after the command, counted from 3 (state): utime is field 14,
	// stime field 15 in proc(5)'s numbering.
	utime, err1 := strconv.ParseUint(f[14-3], 10, 64)
	stime, err2 := strconv.ParseUint(f[15-3], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("pid %d: bad utime/stime in stat: %w", p.PID, err)
	}
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, nil
}

// Memory is a process's resident set: now and at its peak (VmHWM).
type Memory struct {
	RSS  int64 // bytes
	Peak int64 // bytes
}

// Memory reads VmRSS and VmHWM from /proc/<pid>/status.
func (p Proc) Memory() (Memory, error) {
	data, err := os.ReadFile(p.path("status"))
	if err != nil {
		return Memory{}, fmt.Errorf("reading memory of pid %d: %w", p.PID, err)
	}
	var m Memory
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		n, err := parseKB(val)
		if err != nil {
			return Memory{}, fmt.Errorf("pid %d: %s: %w", p.PID, key, err)
		}
		if key == "VmRSS" {
			m.RSS = n
		} else {
			m.Peak = n
		}
		found++
	}
	if found != 2 {
		return Memory{}, fmt.Errorf("pid %d: status has no VmRSS/VmHWM (a kernel thread, or the process is gone)", p.PID)
	}
	return m, nil
}

func parseKB(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num, unit, _ := strings.Cut(s, " ")
	if unit != "kB" {
		return 0, fmt.Errorf("unexpected unit in %q", s)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, err
	}
	return n * 1024, nil
}

// statFields splits /proc/<pid>/stat after the command name, which is in
// parentheses and may itself contain spaces and parentheses.
func statFields(data []byte) ([]string, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return nil, errors.New("malformed stat: no command name")
	}
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 13 {
		return nil, fmt.Errorf("malformed stat: %d fields after the command", len(f))
	}
	return f, nil
}

// Name is the process's command name (comm), as in /proc/<pid>/stat.
func (p Proc) Name() (string, error) {
	data, err := os.ReadFile(p.path("stat"))
	if err != nil {
		return "", err
	}
	start, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if start < 0 || end < start {
		return "", fmt.Errorf("pid %d: malformed stat", p.PID)
	}
	return string(data[start+1 : end]), nil
}

func (p Proc) parent() (int, error) {
	data, err := os.ReadFile(p.path("stat"))
	if err != nil {
		return 0, err
	}
	f, err := statFields(data)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(f[4-3])
}

// FindDescendant returns the first process named name (its comm) among the
// descendants of ancestor, searching breadth first.
func FindDescendant(root string, ancestor int, name string) (Proc, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return Proc{}, fmt.Errorf("listing processes: %w", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, err := Proc{Root: root, PID: pid}.parent()
		if err != nil {
			continue // exited while we looked
		}
		children[ppid] = append(children[ppid], pid)
	}
	queue := append([]int(nil), children[ancestor]...)
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		p := Proc{Root: root, PID: pid}
		if n, err := p.Name(); err == nil && n == name {
			return p, nil
		}
		queue = append(queue, children[pid]...)
	}
	return Proc{}, fmt.Errorf("no process named %q under pid %d", name, ancestor)
}
