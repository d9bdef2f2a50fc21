package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"gopk/runtime/config"
	"gopk/runtime/control"
	"gopk/store"
)

// dataDir resolves --data: given, or the project's persist path (as
// `gopk dev` would use it), or ./.partykit/state.
func dataDir(flag, configPath string) (string, error) {
	if flag != "" {
		return filepath.Abs(flag)
	}
	if p, err := config.Load(config.LoadOptions{ConfigPath: configPath, Dev: true}); err == nil && p.Persist.Enabled {
		return p.Persist.Path, nil
	}
	return filepath.Abs(filepath.Join(".partykit", "state"))
}

func backupCommand() *cobra.Command {
	var data, configPath string
	cmd := &cobra.Command{
		Use:   "backup DEST",
		Short: "Copy a data directory's storage, consistently, even while gopk runs",
		Long: "backup writes a consistent checkpoint of a gopk data directory into DEST (which must not exist).\n" +
			"If a gopk process (dev or serve) holds the directory, that process takes the checkpoint;\n" +
			"otherwise gopk opens the directory itself. Restore it with `gopk restore`.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := dataDir(data, configPath)
			if err != nil {
				return err
			}
			dest, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if _, err := os.Stat(dest); err == nil {
				return fmt.Errorf("%s already exists; backup writes a new directory", dest)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			err = control.Checkpoint(ctx, dir, dest)
			if errors.Is(err, control.ErrNotRunning) {
				err = store.Backup(dir, dest, store.Options{})
			}
			if err != nil {
				return fmt.Errorf("backup of %s: %w", dir, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up %s to %s\n", dir, dest)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "data directory (default: the project's persist path, .partykit/state)")
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "path to partykit.json (to find its persist path)")
	return cmd
}

func restoreCommand() *cobra.Command {
	var data, configPath string
	cmd := &cobra.Command{
		Use:   "restore FROM",
		Short: "Make a data directory from a backup (the directory must not exist; gopk must not be running on it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := dataDir(data, configPath)
			if err != nil {
				return err
			}
			if err := store.Restore(args[0], dir, store.Options{}); err != nil {
				return fmt.Errorf("restore into %s: %w", dir, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s into %s\n", args[0], dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "data directory to create (default: the project's persist path, .partykit/state)")
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "path to partykit.json (to find its persist path)")
	return cmd
}
