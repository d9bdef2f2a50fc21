package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/titanous/json5"
	"golang.org/x/sys/unix"

	"gopk/runtime/config"
)

func envCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Manage a project's env vars on the server (they reach room.env; values are never listed or logged)",
	}
	cmd.AddCommand(envListCommand(), envAddCommand(), envRemoveCommand(), envPullCommand(), envPushCommand())
	return cmd
}

func envListCommand() *cobra.Command {
	var (
		r      remote
		format string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the names of a project's env vars",
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
			names, err := c.EnvNames(ctx, name)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return printJSON(out, names)
			}
			if len(names) == 0 {
				fmt.Fprintf(out, "%s has no env vars.\n", name)
				return nil
			}
			fmt.Fprintf(out, "Deployed variables: %s\n", strings.Join(names, ", "))
			return nil
		},
	}
	r.flags(cmd.Flags(), true)
	formatFlag(cmd, &format)
	return cmd
}

func envAddCommand() *cobra.Command {
	var r remote
	cmd := &cobra.Command{
		Use:   "add KEY",
		Short: "Set an env var; the value is read from stdin (or typed, hidden, at a terminal)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			c, name, err := r.projectClient()
			if err != nil {
				return err
			}
			value, err := readSecret(cmd, key)
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			if err := c.EnvSet(ctx, name, key, value); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deployed environment variable: %s (live rooms see it now)\n", key)
			return nil
		},
	}
	r.flags(cmd.Flags(), true)
	return cmd
}

// readSecret reads a value from stdin: all of it when piped (a trailing
// newline dropped), one hidden line at a terminal.
func readSecret(cmd *cobra.Command, key string) (string, error) {
	in := cmd.InOrStdin()
	f, isFile := in.(*os.File)
	if isFile {
		if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "Enter the value for %s: ", key)
			line, err := readHidden(f)
			fmt.Fprintln(cmd.ErrOrStderr())
			return line, err
		}
	}
	data, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r"), nil
}

// readHidden reads one line from a terminal with echo turned off.
func readHidden(f *os.File) (string, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return "", err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func envRemoveCommand() *cobra.Command {
	var (
		r     remote
		force bool
	)
	cmd := &cobra.Command{
		Use:   "remove [KEY]",
		Short: "Delete an env var, or every one (with --force) when no KEY is given",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := ""
			if len(args) == 1 {
				key = args[0]
			} else if !force {
				return errors.New("no KEY given: pass --force to remove every env var of the project")
			}
			c, name, err := r.projectClient()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			if err := c.EnvRemove(ctx, name, key); err != nil {
				return err
			}
			if key == "" {
				fmt.Fprintf(cmd.OutOrStdout(), "Removed every env var of %s\n", name)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Removed environment variable: %s\n", key)
			}
			return nil
		},
	}
	r.flags(cmd.Flags(), true)
	cmd.Flags().BoolVarP(&force, "force", "f", false, "with no KEY, remove every env var")
	return cmd
}

func envPullCommand() *cobra.Command {
	var r remote
	cmd := &cobra.Command{
		Use:   "pull [FILE]",
		Short: `Write the project's env vars into "vars" of partykit.json (or FILE)`,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, name, err := r.projectClient()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			vars, err := c.EnvValues(ctx, name)
			if err != nil {
				return err
			}
			target := r.configPath
			if len(args) == 1 {
				target = args[0]
			}
			if target == "" {
				if p, err := config.Load(config.LoadOptions{}); err == nil && p.ConfigPath != "" && filepath.Ext(p.ConfigPath) == ".json" {
					target = p.ConfigPath
				} else {
					target = "partykit.json"
				}
			}
			doc := map[string]any{}
			if data, err := os.ReadFile(target); err == nil {
				if err := json5.Unmarshal(data, &doc); err != nil {
					return fmt.Errorf("%s: %w", target, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Updating %s...\n", target)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Creating %s...\n", target)
			}
			if _, ok := doc["$schema"]; !ok {
				doc["$schema"] = "https://www.partykit.io/schema.json"
			}
			doc["name"] = name
			doc["vars"] = vars
			data, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return err
			}
			// The file now holds secrets: readable by its owner only.
			return os.WriteFile(target, append(data, '\n'), 0o600)
		},
	}
	r.flags(cmd.Flags(), true)
	return cmd
}

func envPushCommand() *cobra.Command {
	var r remote
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Upload the project's vars (partykit.json vars and .env) to the server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := config.Load(config.LoadOptions{ConfigPath: r.configPath, Name: r.name})
			if err != nil {
				return err
			}
			if r.name == "" {
				r.name = p.Name
			}
			name, err := r.project()
			if err != nil {
				return err
			}
			if len(p.Vars) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "No environment variables to push.")
				return nil
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			if err := c.EnvPush(ctx, name, p.Vars); err != nil {
				return err
			}
			keys := make([]string, 0, len(p.Vars))
			for k := range p.Vars {
				keys = append(keys, k)
			}
			sortStrings(keys)
			fmt.Fprintf(cmd.OutOrStdout(), "Pushed environment variables: %s\n", strings.Join(keys, ", "))
			return nil
		},
	}
	r.flags(cmd.Flags(), true)
	return cmd
}
