package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopk/bench/report"
	"gopk/e2e/testkit"
)

// TestBenchSmoke runs every gopk-bench scenario once at a tiny size, on gopk
// and (when the e2e Node packages are installed) on partykit dev, so the
// benchmark tool keeps working. It checks what each run did (deliveries,
// answers, rooms), never how fast: the numbers belong to BENCHMARKS.md.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 14 servers")
	}
	root := testkit.ModuleRoot(t)
	gopk := testkit.Binary(t)
	bin := filepath.Join(t.TempDir(), "gopk-bench")
	build := exec.Command("go", "build", "-o", bin, "./cmd/gopk-bench")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ./cmd/gopk-bench: %v\n%s", err, out)
	}

	servers := "gopk"
	modules := filepath.Join(testkit.E2EDir(t), "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "partykit", "package.json")); err == nil {
		servers = "gopk,partykit" // e2e/node_modules holds the same partykit@0.0.115
	} else {
		t.Logf("e2e Node packages missing (npm ci --prefix e2e): running gopk only")
	}
	out := filepath.Join(t.TempDir(), "results.json")
	args := []string{"run", "--servers", servers, "--gopk", gopk, "--reference", testkit.E2EDir(t),
		"--runs", "1", "--pause", "200ms", "--timeout", "2m", "--out", out,
		"--p1-sockets", "8", "--p1-messages", "4",
		"--p2-sockets", "6", "--p2-messages", "3",
		"--p3-rooms", "3", "--p3-sockets-per-room", "2", "--p3-messages", "4", "--p3-items", "5",
		"--p4-sequential", "3", "--p4-parallel", "6", "--p4-concurrency", "2",
		"--p5-rooms", "12", "--p5-hold", "300ms", "--p5-probe", "3",
		"--p6-sockets", "30", "--p6-rooms", "4", "--p6-rate", "100", "--p6-duration", "500ms",
		"--p7-starts", "1",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = root
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gopk-bench %s: %v\n%s", strings.Join(args, " "), err, log)
	}

	res, err := report.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]float64{ // exact counts each scenario must report
		"P1": {"deliveries": 8 * 4 * 8},
		"P2": {"deliveries": 6 * 3 * 6},
		"P3": {"messages": 3 * 2 * 4},
		"P6": {"sockets": 30, "lost": 0},
	}
	seen := map[string]int{}
	for _, r := range res.Runs {
		if r.Error != "" {
			t.Errorf("%s on %s failed: %s", r.Scenario, r.Server, r.Error)
			continue
		}
		seen[r.Scenario+" "+r.Server]++
		for k, v := range want[r.Scenario] {
			if r.Metrics[k] != v {
				t.Errorf("%s on %s: %s = %v, want %v", r.Scenario, r.Server, k, r.Metrics[k], v)
			}
		}
		for _, sc := range res.Scenarios {
			if sc.ID != r.Scenario {
				continue
			}
			for _, m := range sc.Metrics { // every declared metric is measured
				if v, ok := r.Metrics[m.Key]; !ok || v != v {
					t.Errorf("%s on %s: metric %s missing or NaN", r.Scenario, r.Server, m.Key)
				}
			}
		}
	}
	for _, id := range []string{"P1", "P2", "P3", "P4", "P5", "P6", "P7"} {
		for _, s := range strings.Split(servers, ",") {
			if seen[id+" "+s] != 1 {
				t.Errorf("%s on %s: %d successful runs, want 1", id, s, seen[id+" "+s])
			}
		}
	}

	svg := filepath.Join(t.TempDir(), "chart.svg")
	rep := exec.CommandContext(ctx, bin, "report", out, "--svg", svg)
	table, err := rep.CombinedOutput()
	if err != nil {
		t.Fatalf("gopk-bench report: %v\n%s", err, table)
	}
	if !strings.Contains(string(table), "| P7 | start to ready (s) |") {
		t.Errorf("report table lacks P7:\n%s", table)
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("chart not written: %v", err)
	}
	if t.Failed() {
		t.Logf("gopk-bench output:\n%s", log)
	}
}
