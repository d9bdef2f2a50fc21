// Command gopk runs unmodified PartyKit servers on one Go binary.
package main

import (
	"fmt"
	"os"
	"strings"
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
	root.AddCommand(devCommand(), versionCommand(), backupCommand(), restoreCommand())
	root.AddCommand(serveCommand(), deployCommand(), listCommand(), infoCommand(), deleteCommand(), rollbackCommand(), envCommand(), tailCommand(), tokenCommand(), checkpointCommand())
	root.SetArgs(optionalValues(os.Args[1:], "--persist"))
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

// optionalValues gives flags with an optional value PartyKit's (commander's)
// reading: "--persist PATH" takes PATH, "--persist" alone means true. pflag
// only reads "--persist=PATH", so the space form is joined here.
func optionalValues(args []string, flags ...string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		joined := false
		for _, f := range flags {
			if a == f && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				out = append(out, f+"="+args[i+1])
				i++
				joined = true
				break
			}
		}
		if !joined {
			out = append(out, a)
		}
	}
	return out
}
