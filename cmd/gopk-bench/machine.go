package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"gopk/bench/report"
)

// machine describes where the numbers are taken.
func machine(gopkBin string) report.Machine {
	m := report.Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				m.MemoryGB = int((kb + 512<<10) >> 20)
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		m.Node = strings.TrimSpace(string(out))
	}
	if gopkBin != "" {
		if out, err := exec.Command(gopkBin, "version").Output(); err == nil {
			m.Gopk = strings.TrimSpace(string(out))
		}
		// A binary built without a version: name the checkout it most
		// likely came from.
		if m.Gopk == "gopk dev" {
			if out, err := exec.Command("git", "-C", moduleRoot(), "rev-parse", "--short", "HEAD").Output(); err == nil {
				m.Gopk += " (checkout at " + strings.TrimSpace(string(out)) + ")"
			}
		}
	}
	return m
}

// moduleRoot is the gopk checkout the tool runs in (where bench/ lives):
// the nearest parent of the working directory with a go.mod declaring
// `module gopk`, else the working directory.
func moduleRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(strings.TrimSpace(string(data)), "module gopk\n") {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}
