package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"gopk/runtime/deploy"
)

func tailCommand() *cobra.Command {
	var (
		r      remote
		f      deploy.TailFilter
		format string
		debug  bool
	)
	cmd := &cobra.Command{
		Use:   "tail",
		Short: "Stream a deployed project's logs: console.* and errors with their stacks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if debug && f.Level == "" {
				f.Level = "debug"
			}
			if f.Level == "" {
				f.Level = "info"
			}
			c, name, err := r.projectClient()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			print := printPretty(out)
			if format == "json" {
				enc := json.NewEncoder(out)
				print = func(e deploy.Entry) { _ = enc.Encode(e) }
			} else {
				fmt.Fprintf(cmd.ErrOrStderr(), "Connected to %s, waiting for logs...\n", name)
			}
			if err := c.Tail(ctx, name, f, print); err != nil {
				return err
			}
			if ctx.Err() == nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "The server closed the log stream (shutting down?).")
			}
			return nil
		},
	}
	r.flags(cmd.Flags(), true)
	fl := cmd.Flags()
	fl.StringVar(&f.Party, "party", "", "only this party")
	fl.StringVar(&f.Room, "room", "", "only this room")
	fl.StringVar(&f.Level, "level", "", "the lowest level shown: debug, info, warn or error (default info)")
	fl.BoolVar(&debug, "debug", false, "show debug logs (same as --level debug)")
	formatFlag(cmd, &format)
	return cmd
}

func printPretty(w io.Writer) func(deploy.Entry) {
	return func(e deploy.Entry) {
		var b strings.Builder
		b.WriteString(e.Time.Local().Format("15:04:05.000"))
		b.WriteByte(' ')
		if e.Level != "INFO" {
			b.WriteString(e.Level + " ")
		}
		if e.Party != "" {
			b.WriteString("[" + e.Party)
			if e.Room != "" {
				b.WriteString("/" + e.Room)
			}
			b.WriteString("] ")
		}
		b.WriteString(e.Message)
		keys := make([]string, 0, len(e.Attrs))
		for k := range e.Attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%v", k, e.Attrs[k])
		}
		if e.Error != "" {
			b.WriteString("\n  " + strings.ReplaceAll(e.Error, "\n", "\n  "))
		}
		fmt.Fprintln(w, b.String())
	}
}

func sortStrings(s []string) { sort.Strings(s) }
