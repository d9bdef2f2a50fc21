package load

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"gopk/bench/stats"
)

// CrowdConfig is P6: many open sockets over many rooms, light echo traffic.
type CrowdConfig struct {
	Sockets  int
	Rooms    int
	Rate     int // messages per second, over all sockets
	Duration time.Duration
	Timeout  time.Duration
}

// Crowd opens Sockets sockets spread evenly over Rooms rooms of the echo
// party, then sends Rate small pings a second for Duration, each from the
// next socket in turn, on a fixed schedule (open loop: a slow answer does
// not delay the next ping). Latency is send to answer.
func Crowd(ctx context.Context, env *Env, cfg CrowdConfig) (Metrics, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	paths := make([]string, cfg.Sockets)
	for i := range paths {
		paths[i] = env.roomPath("echo", "crowd"+strconv.Itoa(i%cfg.Rooms), "_pk=s"+strconv.Itoa(i))
	}
	conns, _, err := connectAll(ctx, env.dialer, paths, 32, false)
	if err != nil {
		return nil, err
	}

	total := int(float64(cfg.Rate) * cfg.Duration.Seconds())
	const items = 2
	sentAt := make([]atomic.Int64, total) // ns since start; 0: not sent
	took := make([]atomic.Int64, total)   // ns; 0: no answer yet
	var answered atomic.Int64
	allAnswered := make(chan struct{})
	badReply := make(chan error, 1)
	start := time.Now()
	var readers sync.WaitGroup
	for _, c := range conns {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				_, b, err := c.ReadMessage()
				if err != nil {
					return // closed at the end, or broken: counted as unanswered
				}
				now := int64(time.Since(start))
				r, err := parseReply(b)
				id := r.ID
				if err == nil && (id < 0 || id >= total || sentAt[id].Load() == 0) {
					err = fmt.Errorf("answer to a ping never sent: %.80q", b)
				}
				if err == nil {
					err = r.check(id, items)
				}
				if err != nil {
					select {
					case badReply <- err:
					default:
					}
					continue
				}
				if !took[id].CompareAndSwap(0, max(1, now-sentAt[id].Load())) {
					select {
					case badReply <- fmt.Errorf("ping %d answered twice", id):
					default:
					}
					continue
				}
				if answered.Add(1) == int64(total) {
					close(allAnswered)
				}
			}
		}()
	}

	defer func() { closeAll(conns); readers.Wait() }()

	m, err := env.beginMeasure()
	if err != nil {
		return nil, err
	}
	interval := time.Duration(float64(time.Second) / float64(cfg.Rate))
	for n := range total {
		if wait := time.Until(start.Add(time.Duration(n) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		c := conns[n%len(conns)]
		sentAt[n].Store(max(1, int64(time.Since(start))))
		if err := c.WriteMessage(websocket.TextMessage, pingJSON(n, items)); err != nil {
			return nil, fmt.Errorf("sending ping %d: %w", n, err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	select {
	case <-allAnswered:
	case <-time.After(10 * time.Second):
	case <-ctx.Done():
	}
	cpu, _, err := m.end()
	if err != nil {
		return nil, err
	}
	select {
	case err := <-badReply:
		return nil, err
	default:
	}
	var lat []time.Duration
	for i := range took {
		if d := took[i].Load(); d > 0 {
			lat = append(lat, time.Duration(d))
		}
	}
	lost := total - len(lat)
	if lost*100 > total { // more than 1% unanswered: the run is broken
		return nil, fmt.Errorf("%d of %d pings unanswered", lost, total)
	}
	l := stats.SummariseDurations(lat)
	mem, err := env.Server.Memory()
	if err != nil {
		return nil, err
	}
	return Metrics{
		"sockets":      float64(len(conns)),
		"p50_ms":       l.P50,
		"p99_ms":       l.P99,
		"max_ms":       l.Max,
		"lost":         float64(lost),
		"server_cpu_s": cpu.Seconds(),
		"peak_rss_mib": mib(mem.Peak),
	}, nil
}
