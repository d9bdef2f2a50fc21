// Command gopk-bench runs the benchmark scenarios of issue 6 (P1–P7) on gopk
// and on PartyKit's own `partykit dev` (workerd) side by side, and renders
// the results as the table and chart of BENCHMARKS.md. It is its own
// process: the load it generates and the servers it measures (CPU time and
// peak RSS from /proc) are separate programs.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:           "gopk-bench",
		Short:         "Benchmark gopk against PartyKit's workerd on the same party code",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(runCommand(), loadCommand(), reportCommand())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gopk-bench:", err)
		var failed errRunsFailed
		if errors.As(err, &failed) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
