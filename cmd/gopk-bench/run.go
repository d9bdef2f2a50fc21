package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gopk/bench/load"
	"gopk/bench/report"
	"gopk/bench/run"
	"gopk/bench/server"
)

// errRunsFailed says some runs failed; their errors are in the results.
type errRunsFailed struct{ n int }

func (e errRunsFailed) Error() string {
	return fmt.Sprintf("%d run(s) failed; see the errors above and in the results file", e.n)
}

func runCommand() *cobra.Command {
	cfg := load.DefaultConfig()
	var (
		servers        []string
		runs           int
		gopkBin        string
		reference      string
		project        string
		out            string
		pause          time.Duration
		timeout        time.Duration
		profileDir     string
		profileSeconds int
		idSuffix       string
	)
	cmd := &cobra.Command{
		Use:   "run [P1 P2 …]",
		Short: "Run scenarios (default: all) on each server, alternating, and write the results",
		Long: `Run starts a fresh server for every run of every scenario (gopk dev, or
partykit dev from the reference install), loads it, measures the server
process (gopk, or workerd for PartyKit) from /proc, and stops it. Results go
to a JSON file after every run; the table is printed at the end.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			root := moduleRoot()
			if reference == "" {
				reference = filepath.Join(root, "bench", "reference")
			}
			if project == "" {
				project = filepath.Join(root, "bench", "project")
			}
			if out == "" {
				out = filepath.Join(root, "bench", "results", time.Now().Format("20060102-150405")+".json")
			}
			if timeout > 0 {
				cfg.P1.Timeout, cfg.P2.Timeout, cfg.P3.Timeout = timeout, timeout, timeout
				cfg.P4.Timeout, cfg.P5.Timeout, cfg.P6.Timeout = timeout, timeout, timeout
			}
			var kinds []server.Kind
			for _, s := range servers {
				k := server.Kind(strings.TrimSpace(s))
				if k != server.Gopk && k != server.PartyKit {
					return fmt.Errorf("--servers: unknown server %q (want gopk, partykit)", s)
				}
				if k == server.Gopk && gopkBin == "" {
					return errors.New("--gopk: path of the gopk binary to test is required (go build -o /tmp/gopk ./cmd/gopk)")
				}
				kinds = append(kinds, k)
			}
			selected, err := pick(load.Scenarios(cfg), args)
			if err != nil {
				return err
			}
			for i := range selected {
				selected[i].ID += idSuffix
			}
			if err := raiseFileLimit(1 << 17); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v; scenarios with many sockets may fail\n", err)
			}
			if profileDir != "" {
				if err := os.MkdirAll(profileDir, 0o755); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			res := &report.Results{
				Machine: machine(gopkBin),
				Command: "gopk-bench " + strings.Join(os.Args[2:], " "),
				Started: time.Now().UTC(),
				Config:  cfg,
			}
			fmt.Fprintf(cmd.OutOrStdout(), "results: %s\n", out)
			err = run.Run(cmd.Context(), run.Options{
				Servers:        kinds,
				Runs:           runs,
				Scenarios:      selected,
				Server:         server.Options{Project: project, Gopk: gopkBin, Reference: reference},
				Pause:          pause,
				ProfileDir:     profileDir,
				ProfileSeconds: profileSeconds,
				Save:           func(r *report.Results) error { return r.Save(out) },
				Progress:       cmd.OutOrStdout(),
			}, res)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout())
			fmt.Fprint(cmd.OutOrStdout(), report.Markdown(res.Rows()))
			failed := 0
			for _, r := range res.Runs {
				if r.Error != "" {
					failed++
				}
			}
			if failed > 0 {
				return errRunsFailed{failed}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&servers, "servers", []string{"gopk", "partykit"}, "servers to compare, in the order of the first run")
	f.IntVar(&runs, "runs", 3, "runs per scenario and server")
	f.StringVar(&gopkBin, "gopk", "", "the gopk binary to test")
	f.StringVar(&reference, "reference", "", "folder with node_modules/partykit (default bench/reference)")
	f.StringVar(&project, "project", "", "the scenario project (default bench/project)")
	f.StringVar(&out, "out", "", "results file (default bench/results/<time>.json)")
	f.DurationVar(&pause, "pause", 3*time.Second, "pause between runs")
	f.DurationVar(&timeout, "timeout", 0, "bound on each run of a scenario (default per scenario, 3–5 min)")
	f.StringVar(&profileDir, "profile", "", "save a CPU profile of gopk per run in this folder (uses gopk dev --pprof)")
	f.IntVar(&profileSeconds, "profile-seconds", 10, "length of each profile")
	f.StringVar(&idSuffix, "id-suffix", "", "append this to scenario ids in the results (to keep runs of other sizes apart, e.g. P5-4k)")
	scenarioFlags(f, &cfg)
	return cmd
}

func scenarioFlags(f *pflag.FlagSet, c *load.Config) {
	f.IntVar(&c.P1.Sockets, "p1-sockets", c.P1.Sockets, "P1: sockets in the room")
	f.IntVar(&c.P1.Messages, "p1-messages", c.P1.Messages, "P1: messages per socket")
	f.IntVar(&c.P1.Payload, "p1-payload", c.P1.Payload, "P1: padding bytes per message")
	f.IntVar(&c.P2.Sockets, "p2-sockets", c.P2.Sockets, "P2: sockets in the room")
	f.IntVar(&c.P2.Messages, "p2-messages", c.P2.Messages, "P2: messages per socket")
	f.IntVar(&c.P2.Payload, "p2-payload", c.P2.Payload, "P2: padding bytes per message")
	f.IntVar(&c.P3.Rooms, "p3-rooms", c.P3.Rooms, "P3: rooms")
	f.IntVar(&c.P3.SocketsPerRoom, "p3-sockets-per-room", c.P3.SocketsPerRoom, "P3: sockets per room")
	f.IntVar(&c.P3.Messages, "p3-messages", c.P3.Messages, "P3: messages per socket")
	f.IntVar(&c.P3.Items, "p3-items", c.P3.Items, "P3: items in each message")
	f.IntVar(&c.P4.Sequential, "p4-sequential", c.P4.Sequential, "P4: new rooms opened one at a time")
	f.IntVar(&c.P4.Parallel, "p4-parallel", c.P4.Parallel, "P4: new rooms opened in parallel")
	f.IntVar(&c.P4.Concurrency, "p4-concurrency", c.P4.Concurrency, "P4: parallel opens at a time")
	f.IntVar(&c.P5.Rooms, "p5-rooms", c.P5.Rooms, "P5: rooms with one idle socket")
	f.IntVar(&c.P5.Concurrency, "p5-concurrency", c.P5.Concurrency, "P5: connects at a time")
	f.DurationVar(&c.P5.Hold, "p5-hold", c.P5.Hold, "P5: how long the sockets stay idle")
	f.IntVar(&c.P5.Probe, "p5-probe", c.P5.Probe, "P5: rooms pinged after the hold")
	f.IntVar(&c.P6.Sockets, "p6-sockets", c.P6.Sockets, "P6: open sockets")
	f.IntVar(&c.P6.Rooms, "p6-rooms", c.P6.Rooms, "P6: rooms they spread over")
	f.IntVar(&c.P6.Rate, "p6-rate", c.P6.Rate, "P6: pings per second")
	f.DurationVar(&c.P6.Duration, "p6-duration", c.P6.Duration, "P6: how long pings go on")
	f.IntVar(&c.P7.Starts, "p7-starts", c.P7.Starts, "P7: starts per server")
}

// pick selects scenarios by id (case-insensitive), all when ids is empty.
func pick(all []load.Scenario, ids []string) ([]load.Scenario, error) {
	if len(ids) == 0 {
		return all, nil
	}
	var out []load.Scenario
	for _, id := range ids {
		found := false
		for _, s := range all {
			if strings.EqualFold(s.ID, id) {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q (want P1 … P7)", id)
		}
	}
	return out, nil
}

// raiseFileLimit lets this process and the servers it starts (which inherit
// the limit) hold tens of thousands of sockets. Raising the hard limit
// needs root; without it the soft limit goes as high as the hard one.
func raiseFileLimit(want uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= want {
		return nil
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: want, Max: max(want, lim.Max)}); err == nil {
		return nil
	}
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: lim.Max, Max: lim.Max})
	return fmt.Errorf("open files are limited to %d per process by a hard limit this process may not raise (it needs CAP_SYS_RESOURCE); a server holds one per socket", lim.Max)
}
