package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	"gopk/bench/load"
	"gopk/bench/procstat"
)

func loadCommand() *cobra.Command {
	cfg := load.DefaultConfig()
	var (
		host string
		pid  int
	)
	cmd := &cobra.Command{
		Use:   "load --host HOST:PORT --pid PID P1 [P2 …]",
		Short: "Run scenarios once against a server you started yourself (to profile it, say)",
		Long: `Load runs scenarios against an already running server serving bench/project
(gopk dev or partykit dev), measuring the process PID (for PartyKit, the
workerd process). P7 needs a fresh start and is not available here.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if host == "" || pid == 0 {
				return errors.New("--host and --pid are required")
			}
			selected, err := pick(load.Scenarios(cfg), args)
			if err != nil {
				return err
			}
			if err := raiseFileLimit(1 << 17); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v\n", err)
			}
			for _, sc := range selected {
				if sc.ID == "P7" {
					return errors.New("P7 measures a fresh start; use `gopk-bench run P7`")
				}
				env := load.NewEnv(host, procstat.Open(pid))
				m, err := sc.Run(cmd.Context(), env)
				if err != nil {
					return fmt.Errorf("%s: %w", sc.ID, err)
				}
				keys := make([]string, 0, len(m))
				for k := range m {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				fmt.Fprintf(cmd.OutOrStdout(), "%s", sc.ID)
				for _, k := range keys {
					fmt.Fprintf(cmd.OutOrStdout(), " %s=%.4g", k, m[k])
				}
				fmt.Fprintln(cmd.OutOrStdout())
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&host, "host", "", "the server, e.g. 127.0.0.1:1999")
	cmd.Flags().IntVar(&pid, "pid", 0, "the process to measure")
	scenarioFlags(cmd.Flags(), &cfg)
	return cmd
}
