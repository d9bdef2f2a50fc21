package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"gopk/bench/report"
)

func reportCommand() *cobra.Command {
	var svgPath, title string
	cmd := &cobra.Command{
		Use:   "report RESULTS.json…",
		Short: "Print the table of one or more results files and draw the chart",
		Long: `Report merges the runs of the given results files (scenarios keep the order
in which they first appear), prints the Markdown table, and with --svg writes
the chart.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var merged *report.Results
			for _, p := range args {
				r, err := report.Load(p)
				if err != nil {
					return err
				}
				if merged == nil {
					merged = r
					continue
				}
				merged.Merge(r)
			}
			rows := merged.Rows()
			fmt.Fprint(cmd.OutOrStdout(), report.Markdown(rows))
			if svgPath != "" {
				if err := os.WriteFile(svgPath, []byte(report.SVG(rows, title)), 0o644); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&svgPath, "svg", "", "write the chart here")
	cmd.Flags().StringVar(&title, "title", "gopk vs PartyKit (workerd), same party code", "chart title")
	return cmd
}
