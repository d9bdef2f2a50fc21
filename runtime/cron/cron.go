// Package cron runs the "crons" of partykit.json: each named schedule fires
// the main party's onCron, as Cloudflare's cron triggers do for PartyKit.
package cron

import (
	"fmt"
	"log/slog"
	"sort"
	"time"

	robfig "github.com/robfig/cron/v3"
)

// Fire runs one cron now.
type Fire func(name, expr string, scheduled time.Time) error

// Scheduler runs a project's crons until Stop.
type Scheduler struct {
	c *robfig.Cron
}

// parser accepts the five-field expressions Cloudflare takes, plus
// descriptors like @hourly.
var parser = robfig.NewParser(robfig.Minute | robfig.Hour | robfig.Dom | robfig.Month | robfig.Dow | robfig.Descriptor)

// Validate reports the first cron expression that does not parse.
func Validate(crons map[string]string) error {
	names := make([]string, 0, len(crons))
	for n := range crons {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := parser.Parse(crons[n]); err != nil {
			return fmt.Errorf("crons.%s: %q is not a cron expression: %w", n, crons[n], err)
		}
	}
	return nil
}

// Start schedules every cron (in UTC, as Cloudflare does).
func Start(crons map[string]string, fire Fire, log *slog.Logger) (*Scheduler, error) {
	if err := Validate(crons); err != nil {
		return nil, err
	}
	c := robfig.New(robfig.WithParser(parser), robfig.WithLocation(time.UTC))
	for name, expr := range crons {
		name, expr := name, expr
		if _, err := c.AddFunc(expr, func() {
			// robfig fires on the scheduled second; that second is the tick.
			if err := fire(name, expr, time.Now().Truncate(time.Second)); err != nil {
				log.Error("cron failed", "cron", name, "error", err)
			}
		}); err != nil {
			return nil, err
		}
	}
	c.Start()
	return &Scheduler{c: c}, nil
}

// Stop ends the schedule; running crons finish on their own.
func (s *Scheduler) Stop() {
	if s != nil {
		s.c.Stop()
	}
}
