package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"gopk/bench/stats"
)

// NewRoomsConfig is P4: sockets to rooms that did not exist before.
type NewRoomsConfig struct {
	// Sequential rooms are opened one at a time, for latency.
	Sequential int
	// Parallel rooms are opened Concurrency at a time, for rooms per second.
	Parallel    int
	Concurrency int
	Timeout     time.Duration
}

// NewRooms measures connect → first frame (sent by onConnect of the hello
// party) for fresh rooms, first one at a time, then many at once.
func NewRooms(ctx context.Context, env *Env, cfg NewRoomsConfig) (Metrics, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	open := func(name string) (time.Duration, error) {
		path := env.roomPath("hello", name, "_pk=p")
		t := time.Now()
		c, err := env.dialer.Dial(ctx, path)
		if err != nil {
			return 0, err
		}
		defer closeAll([]*websocket.Conn{c})
		f, err := readText(c, deadlineOf(ctx, cfg.Timeout))
		if err != nil {
			return 0, fmt.Errorf("first frame from new room %s: %w", name, err)
		}
		took := time.Since(t)
		if want := "hello " + name + "-" + env.token + " p"; f != want {
			return 0, fmt.Errorf("first frame from new room %s is %q, want %q", name, f, want)
		}
		return took, nil
	}

	lat := make([]time.Duration, 0, cfg.Sequential)
	for i := range cfg.Sequential {
		d, err := open("seq" + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		lat = append(lat, d)
	}

	m, err := env.beginMeasure()
	if err != nil {
		return nil, err
	}
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	for range max(1, cfg.Concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.Parallel {
					return
				}
				if _, err := open("par" + strconv.Itoa(i)); err != nil {
					errMu.Lock()
					if first == nil {
						first = err
					}
					errMu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	cpu, wall, err := m.end()
	if err != nil {
		return nil, err
	}
	if first != nil {
		return nil, first
	}
	l := stats.SummariseDurations(lat)
	mem, err := env.Server.Memory()
	if err != nil {
		return nil, err
	}
	return Metrics{
		"p50_ms":          l.P50,
		"p99_ms":          l.P99,
		"rooms_per_s":     float64(cfg.Parallel) / wall.Seconds(),
		"cpu_ms_per_room": float64(cpu.Microseconds()) / 1000 / float64(max(1, cfg.Parallel)),
		"peak_rss_mib":    mib(mem.Peak),
	}, nil
}

// IdleConfig is P5: many rooms with one idle socket each.
type IdleConfig struct {
	Rooms       int
	Concurrency int
	// Hold is how long the sockets stay open, idle, before memory is read.
	Hold time.Duration
	// Probe sockets are pinged after the hold, to show the rooms still
	// answer (waking them if they hibernated).
	Probe   int
	Timeout time.Duration
}

// IdleRooms opens Rooms rooms of the idle party with one socket each, holds
// them idle, and reads the server's resident memory.
func IdleRooms(ctx context.Context, env *Env, cfg IdleConfig) (Metrics, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	before, err := env.Server.Memory()
	if err != nil {
		return nil, err
	}
	paths := make([]string, cfg.Rooms)
	for i := range paths {
		paths[i] = env.roomPath("idle", "idle"+strconv.Itoa(i), "")
	}
	m, err := env.beginMeasure()
	if err != nil {
		return nil, err
	}
	conns, frames, err := connectAll(ctx, env.dialer, paths, cfg.Concurrency, true)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	_, connectWall, err := m.end()
	if err != nil {
		return nil, err
	}
	for i, f := range frames {
		if f != "ready" {
			return nil, fmt.Errorf("room idle%d greeted with %q, want \"ready\"", i, f)
		}
	}
	select {
	case <-time.After(cfg.Hold):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	mem, err := env.Server.Memory()
	if err != nil {
		return nil, err
	}
	cpu, _, err := m.end()
	if err != nil {
		return nil, err
	}
	// The rooms must still be there: each probed socket gets its echo.
	step := max(1, cfg.Rooms/max(1, cfg.Probe))
	for i := 0; i < cfg.Rooms && i/step < cfg.Probe; i += step {
		msg := "probe " + strconv.Itoa(i) + " " + strings.Repeat("y", 8)
		if err := conns[i].WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			return nil, fmt.Errorf("probing room idle%d: %w", i, err)
		}
		got, err := readText(conns[i], time.Now().Add(30*time.Second))
		if err != nil || got != msg {
			return nil, fmt.Errorf("probing room idle%d after the hold: got %q, %v", i, got, err)
		}
	}
	return Metrics{
		"peak_rss_mib":      mib(mem.Peak),
		"rss_end_mib":       mib(mem.RSS),
		"kib_per_room_peak": float64(mem.Peak-before.RSS) / 1024 / float64(cfg.Rooms),
		"rooms_per_s":       float64(cfg.Rooms) / connectWall.Seconds(),
		"server_cpu_s":      cpu.Seconds(),
	}, nil
}
