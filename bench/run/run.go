// Package run runs benchmark scenarios side by side: each run of a scenario
// starts a fresh server, loads it, measures it and stops it; the servers
// take turns, and the one that goes first alternates from run to run so
// neither always meets a warmer or cooler machine.
package run

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopk/bench/load"
	"gopk/bench/report"
	"gopk/bench/server"
)

// Options say what to run.
type Options struct {
	// Servers to compare, in the order of the first run.
	Servers   []server.Kind
	Runs      int // runs per scenario and server (a scenario may override)
	Scenarios []load.Scenario
	// Server is the template for starting either server (Kind is set per run).
	Server server.Options
	// Pause between two runs, so sockets of the last one are gone.
	Pause time.Duration
	// ProfileDir, if set, receives a CPU profile of gopk for each run, taken
	// over the first ProfileSeconds of the measured phase through gopk's
	// hidden --pprof flag.
	ProfileDir     string
	ProfileSeconds int
	// Save, if set, is called after every run with the results so far.
	Save func(*report.Results) error
	// Progress receives one line per run.
	Progress io.Writer
}

// Run executes the runs and appends them to res.
func Run(ctx context.Context, o Options, res *report.Results) error {
	for _, sc := range o.Scenarios {
		res.Scenarios = append(res.Scenarios, sc.Scenario)
	}
	for _, sc := range o.Scenarios {
		n := o.Runs
		if sc.Runs > 0 {
			n = sc.Runs
		}
		for i := range n {
			order := append([]server.Kind(nil), o.Servers...)
			if i%2 == 1 {
				for l, r := 0, len(order)-1; l < r; l, r = l+1, r-1 {
					order[l], order[r] = order[r], order[l]
				}
			}
			for _, kind := range order {
				if err := ctx.Err(); err != nil {
					return err
				}
				r := runOnce(ctx, o, sc, kind, i)
				res.Runs = append(res.Runs, r)
				fmt.Fprintln(o.Progress, describe(r))
				if o.Save != nil {
					if err := o.Save(res); err != nil {
						return fmt.Errorf("saving results: %w", err)
					}
				}
				select {
				case <-time.After(o.Pause):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
	}
	return nil
}

func runOnce(ctx context.Context, o Options, sc load.Scenario, kind server.Kind, i int) report.Run {
	r := report.Run{Scenario: sc.ID, Server: string(kind), Index: i, Started: time.Now().UTC()}
	so := o.Server
	so.Kind = kind
	so.Args = append([]string(nil), so.Args...)
	var pprofAddr string
	if o.ProfileDir != "" && kind == server.Gopk {
		port, err := freePort()
		if err != nil {
			r.Error = err.Error()
			return r
		}
		pprofAddr = "127.0.0.1:" + strconv.Itoa(port)
		so.Args = append(so.Args, "--pprof", pprofAddr)
	}
	srv, err := server.Start(ctx, so)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer srv.Stop()
	env := load.NewEnv(srv.Host, srv.Measured)
	env.StartToReady = srv.StartToReady
	var profiling sync.WaitGroup
	if pprofAddr != "" {
		path := filepath.Join(o.ProfileDir, fmt.Sprintf("%s-%s-%d.pprof", sc.ID, kind, i))
		env.OnMeasure = func() {
			profiling.Add(1)
			go func() {
				defer profiling.Done()
				if err := fetchProfile(pprofAddr, o.ProfileSeconds, path); err != nil {
					fmt.Fprintf(o.Progress, "profile %s: %v\n", path, err)
				}
			}()
		}
	}
	m, err := sc.Run(ctx, env)
	profiling.Wait()
	if err != nil {
		r.Error = err.Error()
		if srv.Exited() {
			r.Error += "; the server exited"
		}
		r.Error += "; the end of its output:\n" + lastBytes(srv.Output(), 2000)
		return r
	}
	r.Metrics = m
	return r
}

func fetchProfile(addr string, seconds int, path string) error {
	client := &http.Client{Timeout: time.Duration(seconds+30) * time.Second}
	resp, err := client.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof answered %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func describe(r report.Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s run %d %-8s", r.Scenario, r.Index+1, r.Server)
	if r.Error != "" {
		fmt.Fprintf(&b, " FAILED: %s", firstLine(r.Error))
		return b.String()
	}
	keys := make([]string, 0, len(r.Metrics))
	for k := range r.Metrics {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%.4g", k, r.Metrics[k])
	}
	return b.String()
}

func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
