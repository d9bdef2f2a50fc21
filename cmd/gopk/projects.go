package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gopk/runtime/deploy"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func formatFlag(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVarP(format, "format", "f", "pretty", "json or pretty")
}

func checkFormat(format string) error {
	if format != "json" && format != "pretty" {
		return fmt.Errorf("--format %q: use json or pretty", format)
	}
	return nil
}

func listCommand() *cobra.Command {
	var (
		r      remote
		format string
		config string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the projects deployed on a gopk server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			list, err := c.Projects(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return printJSON(out, list)
			}
			if len(list) == 0 {
				fmt.Fprintln(out, "No projects deployed.")
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tVERSION\tDEPLOYED\tROOMS\tURL")
			for _, p := range list {
				deployed := ""
				if len(p.Versions) > 0 {
					deployed = p.Versions[len(p.Versions)-1].Created.Local().Format(time.DateTime)
				}
				active := strconv.Itoa(p.Active)
				if p.Error != "" {
					active = "failed"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", p.Name, active, deployed, p.Rooms, p.URL)
			}
			return tw.Flush()
		},
	}
	r.flags(cmd.Flags(), false)
	cmd.Flags().StringVarP(&config, "config", "c", "", "accepted for PartyKit compatibility")
	formatFlag(cmd, &format)
	return cmd
}

func infoCommand() *cobra.Command {
	var (
		r      remote
		format string
	)
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show a deployed project: its versions, env var names and live rooms",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			c, name, err := r.projectClient()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			info, err := c.Project(ctx, name)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return printJSON(out, info)
			}
			fmt.Fprintf(out, "Project:  %s\n", info.Name)
			if info.URL != "" {
				fmt.Fprintf(out, "URL:      %s\n", info.URL)
			}
			fmt.Fprintf(out, "Active:   version %d\n", info.Active)
			if info.Error != "" {
				fmt.Fprintf(out, "Problem:  %s\n", info.Error)
			}
			fmt.Fprintf(out, "Rooms:    %d live\n", info.Rooms)
			env := "(none)"
			if len(info.Env) > 0 {
				env = strings.Join(info.Env, ", ")
			}
			fmt.Fprintf(out, "Env:      %s\n", env)
			fmt.Fprintln(out, "Versions:")
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for i := len(info.Versions) - 1; i >= 0; i-- {
				v := info.Versions[i]
				mark := " "
				if v.Version == info.Active {
					mark = "*"
				}
				fmt.Fprintf(tw, "  %s %d\t%s\t%s\t%s\tparties: %s\n", mark, v.Version, v.Created.Local().Format(time.DateTime), humanBytes(v.Size), v.Hash[:12], strings.Join(v.Parties, ", "))
			}
			return tw.Flush()
		},
	}
	r.flags(cmd.Flags(), true)
	formatFlag(cmd, &format)
	return cmd
}

func deleteCommand() *cobra.Command {
	var (
		r     remote
		force bool
	)
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete a deployed project: its rooms stop and its versions and env are removed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name, err := r.project()
			if err != nil {
				return err
			}
			if !force {
				return fmt.Errorf("deleting %s closes its sockets and removes every version and env var; pass --force to do it", name)
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			if err := c.Delete(ctx, name); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deleted %s. Its room storage stays in the server's data directory.\n", name)
			return nil
		},
	}
	r.flags(cmd.Flags(), true)
	cmd.Flags().BoolVarP(&force, "force", "f", false, "delete without asking")
	return cmd
}

func rollbackCommand() *cobra.Command {
	var r remote
	cmd := &cobra.Command{
		Use:   "rollback [VERSION]",
		Short: "Make an earlier version of a project live again (default: the one before the active one)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			if len(args) == 1 {
				v, err := strconv.Atoi(strings.TrimPrefix(args[0], "v"))
				if err != nil || v <= 0 {
					return fmt.Errorf("version %q: want a version number from `gopk info`", args[0])
				}
				n = v
			}
			c, name, err := r.projectClient()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			res, err := c.Rollback(ctx, name, n)
			var apiErr *deploy.APIError
			if errors.As(err, &apiErr) {
				return fmt.Errorf("rollback of %s refused: %w", name, err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is now at version %d (active %.0f ms after the request)\n", name, res.Version.Version, res.TookMS)
			return nil
		},
	}
	r.flags(cmd.Flags(), true)
	return cmd
}

func tokenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "token",
		Short: "Make an admin token: the token for clients, and the line for the server's --token-file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			token, line, err := deploy.NewToken()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "GOPK_TOKEN=%s\n", token)
			fmt.Fprintf(out, "\nAdd this line to the server's token file (it holds only the hash):\n%s\n", line)
			return nil
		},
	}
}
