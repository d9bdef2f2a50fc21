// Command gopk runs unmodified PartyKit servers on one Go binary.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// Rooms see UTC, as on workerd: goja's Date uses the process's local zone.
	time.Local = time.UTC
	root := &cobra.Command{
		Use:           "gopk",
		Short:         "Run PartyKit servers on your own machine, from one Go binary",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetVersionTemplate("gopk {{.Version}}\n")
	root.AddCommand(devCommand(), versionCommand())
	root.AddCommand(serveCommand(), deployCommand(), listCommand(), infoCommand(), deleteCommand(), rollbackCommand(), envCommand(), tailCommand(), tokenCommand())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "gopk:", err)
		os.Exit(1)
	}
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print gopk's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "gopk %s\n", version)
		},
	}
}
