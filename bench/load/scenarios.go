package load

import (
	"context"
	"fmt"
	"time"

	"gopk/bench/report"
)

// Config holds every scenario's bounds. DefaultConfig is issue 6's sizes.
type Config struct {
	P1 FanoutConfig
	P2 FanoutConfig
	P3 EchoConfig
	P4 NewRoomsConfig
	P5 IdleConfig
	P6 CrowdConfig
	P7 StartConfig
}

// StartConfig is P7: how many times each server is started per run set.
type StartConfig struct{ Starts int }

// DefaultConfig returns the sizes issue 6 names.
func DefaultConfig() Config {
	return Config{
		P1: FanoutConfig{Party: "main", Sockets: 200, Messages: 50, Payload: 64, Timeout: 5 * time.Minute},
		P2: FanoutConfig{Party: "fanoutstore", Sockets: 200, Messages: 50, Payload: 64, Timeout: 5 * time.Minute},
		P3: EchoConfig{Rooms: 100, SocketsPerRoom: 2, Messages: 100, Items: 10, Timeout: 3 * time.Minute},
		P4: NewRoomsConfig{Sequential: 200, Parallel: 1000, Concurrency: 16, Timeout: 3 * time.Minute},
		P5: IdleConfig{Rooms: 10000, Concurrency: 64, Hold: 15 * time.Second, Probe: 20, Timeout: 5 * time.Minute},
		P6: CrowdConfig{Sockets: 20000, Rooms: 1000, Rate: 1000, Duration: 10 * time.Second, Timeout: 5 * time.Minute},
		P7: StartConfig{Starts: 7},
	}
}

// Scenario is one benchmark: its description and how to run it once
// against a server that was just started.
type Scenario struct {
	report.Scenario
	// Runs overrides the number of runs per server (P7 counts starts).
	Runs int
	Run  func(ctx context.Context, env *Env) (Metrics, error)
}

func lower(key, label, unit string) report.Metric {
	return report.Metric{Key: key, Label: label, Unit: unit}
}

func higher(key, label, unit string) report.Metric {
	return report.Metric{Key: key, Label: label, Unit: unit, Higher: true}
}

func ratioGoal(m report.Metric, v float64) report.Metric {
	m.Target = &report.Goal{Ratio: true, Value: v}
	return m
}

func absGoal(m report.Metric, v float64) report.Metric {
	m.Target = &report.Goal{Value: v}
	return m
}

// Scenarios lists P1–P7 with the bounds of cfg and the goals of issue 6.
func Scenarios(cfg Config) []Scenario {
	fanoutTitle := func(c FanoutConfig, extra string) string {
		n := c.Sockets * c.Messages * c.Sockets
		return fmt.Sprintf("fan-out%s: %d sockets in one room, %d messages each, each broadcast to all (%d deliveries)", extra, c.Sockets, c.Messages, n)
	}
	return []Scenario{{
		Scenario: report.Scenario{ID: "P1", Title: fanoutTitle(cfg.P1, ""), Metrics: []report.Metric{
			ratioGoal(lower("cpu_us_per_delivery", "server CPU per delivery", "µs"), 0.25),
			higher("deliveries_per_s", "deliveries per second", "/s"),
			lower("peak_rss_mib", "peak RSS", "MiB"),
		}},
		Run: func(ctx context.Context, env *Env) (Metrics, error) { return Fanout(ctx, env, cfg.P1) },
	}, {
		Scenario: report.Scenario{ID: "P2", Title: fanoutTitle(cfg.P2, " with a storage get+put per message"), Metrics: []report.Metric{
			ratioGoal(higher("deliveries_per_s", "deliveries per second", "/s"), 2),
			lower("cpu_us_per_delivery", "server CPU per delivery", "µs"),
			lower("peak_rss_mib", "peak RSS", "MiB"),
		}},
		Run: func(ctx context.Context, env *Env) (Metrics, error) { return Fanout(ctx, env, cfg.P2) },
	}, {
		Scenario: report.Scenario{ID: "P3", Title: fmt.Sprintf("1:1 JSON echo: %d rooms × %d sockets, %d messages each (%d items parsed and stringified)",
			cfg.P3.Rooms, cfg.P3.SocketsPerRoom, cfg.P3.Messages, cfg.P3.Items), Metrics: []report.Metric{
			ratioGoal(lower("cpu_us_per_msg", "server CPU per message", "µs"), 1),
			lower("p50_ms", "latency p50", "ms"),
			lower("p99_ms", "latency p99", "ms"),
			higher("msgs_per_s", "messages per second", "/s"),
		}},
		Run: func(ctx context.Context, env *Env) (Metrics, error) { return Echo(ctx, env, cfg.P3) },
	}, {
		Scenario: report.Scenario{ID: "P4", Title: fmt.Sprintf("new rooms: connect → first frame, %d one at a time, then %d at %d in parallel",
			cfg.P4.Sequential, cfg.P4.Parallel, cfg.P4.Concurrency), Metrics: []report.Metric{
			absGoal(lower("p50_ms", "new room median", "ms"), 1),
			lower("p99_ms", "new room p99", "ms"),
			higher("rooms_per_s", "rooms opened per second", "/s"),
			lower("cpu_ms_per_room", "server CPU per new room", "ms"),
		}},
		Run: func(ctx context.Context, env *Env) (Metrics, error) { return NewRooms(ctx, env, cfg.P4) },
	}, {
		Scenario: report.Scenario{ID: "P5", Title: fmt.Sprintf("%d rooms with one idle socket each (held %v)", cfg.P5.Rooms, cfg.P5.Hold), Metrics: []report.Metric{
			absGoal(lower("peak_rss_mib", "peak RSS", "MiB"), 1024),
			lower("rss_end_mib", "RSS after the hold", "MiB"),
			higher("rooms_per_s", "rooms opened per second", "/s"),
		}},
		Run: func(ctx context.Context, env *Env) (Metrics, error) { return IdleRooms(ctx, env, cfg.P5) },
	}, {
		Scenario: report.Scenario{ID: "P6", Title: fmt.Sprintf("%d open sockets over %d rooms, %d echo pings/s for %v",
			cfg.P6.Sockets, cfg.P6.Rooms, cfg.P6.Rate, cfg.P6.Duration), Metrics: []report.Metric{
			absGoal(lower("p99_ms", "latency p99", "ms"), 10),
			lower("p50_ms", "latency p50", "ms"),
			lower("peak_rss_mib", "peak RSS", "MiB"),
		}},
		Run: func(ctx context.Context, env *Env) (Metrics, error) { return Crowd(ctx, env, cfg.P6) },
	}, {
		Scenario: report.Scenario{ID: "P7", Title: "dev server start → first HTTP answer (fresh project copy)", Metrics: []report.Metric{
			absGoal(lower("ready_s", "start to ready", "s"), 0.3),
		}},
		Runs: cfg.P7.Starts,
		Run: func(_ context.Context, env *Env) (Metrics, error) {
			return Metrics{"ready_s": env.StartToReady.Seconds()}, nil
		},
	}}
}
