package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func checkpointCommand() *cobra.Command {
	var r remote
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Have a running gopk serve write a consistent backup of its data directory (on the server)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := r.client()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			dir, err := c.Checkpoint(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Checkpoint written on the server to %s\nCopy it off the machine; to restore, stop gopk serve and start it with --data %s\n", dir, dir)
			return nil
		},
	}
	r.flags(cmd.Flags(), false)
	return cmd
}
