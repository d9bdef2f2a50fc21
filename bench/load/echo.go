package load

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gopk/bench/stats"
)

// EchoConfig is P3: many rooms, a 1:1 echo with JSON work in the handler.
type EchoConfig struct {
	Rooms          int
	SocketsPerRoom int
	Messages       int // sent by each socket, one at a time
	Items          int // array entries in each message
	Timeout        time.Duration
}

// ping is the message the echo party parses; reply is what it answers.
type reply struct {
	ID    int      `json:"id"`
	Room  string   `json:"room"`
	Count int      `json:"count"`
	Sum   float64  `json:"sum"`
	Names []string `json:"names"`
}

// pingJSON builds message id with items entries whose values sum to
// items*id + items*(items-1)/2, so the answer can be checked.
func pingJSON(id, items int) []byte {
	var b strings.Builder
	b.WriteString(`{"id":`)
	b.WriteString(strconv.Itoa(id))
	b.WriteString(`,"items":[`)
	for j := range items {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"item-%d","v":%d,"tags":["alpha","beta"]}`, j, id+j)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func parseReply(b []byte) (reply, error) {
	var r reply
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("answer is not JSON: %w: %.80q", err, b)
	}
	return r, nil
}

// check verifies the echo party's answer to ping id.
func (r reply) check(id, items int) error {
	wantSum := float64(items*id + items*(items-1)/2)
	if r.ID != id || r.Count != items || r.Sum != wantSum || len(r.Names) != items {
		return fmt.Errorf("reply to %d is wrong: id %d, count %d, sum %v (want %v), %d names", id, r.ID, r.Count, r.Sum, wantSum, len(r.Names))
	}
	return nil
}

// Echo connects SocketsPerRoom sockets to each of Rooms rooms of the echo
// party; every socket sends Messages pings one after another, each after
// the previous answer, and checks each answer. Latency is send to answer.
func Echo(ctx context.Context, env *Env, cfg EchoConfig) (Metrics, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var paths []string
	for r := range cfg.Rooms {
		for s := range cfg.SocketsPerRoom {
			paths = append(paths, env.roomPath("echo", "echo"+strconv.Itoa(r), "_pk=s"+strconv.Itoa(s)))
		}
	}
	conns, _, err := connectAll(ctx, env.dialer, paths, 16, false)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)

	deadline := deadlineOf(ctx, cfg.Timeout)
	lat := make([][]time.Duration, len(conns))
	errs := make(chan error, len(conns))
	m, err := env.beginMeasure()
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(deadline)
			mine := make([]time.Duration, 0, cfg.Messages)
			for k := range cfg.Messages {
				id := i*cfg.Messages + k
				msg := pingJSON(id, cfg.Items)
				t := time.Now()
				if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
					errs <- fmt.Errorf("sending on socket %d: %w", i, err)
					return
				}
				_, b, err := c.ReadMessage()
				if err != nil {
					errs <- fmt.Errorf("socket %d after %d answers: %w", i, k, err)
					return
				}
				mine = append(mine, time.Since(t))
				r, err := parseReply(b)
				if err == nil {
					err = r.check(id, cfg.Items)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			lat[i] = mine
		}()
	}
	wg.Wait()
	cpu, wall, err := m.end()
	if err != nil {
		return nil, err
	}
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	n := len(all)
	l := stats.SummariseDurations(all)
	mem, err := env.Server.Memory()
	if err != nil {
		return nil, err
	}
	return Metrics{
		"messages":       float64(n),
		"msgs_per_s":     float64(n) / wall.Seconds(),
		"cpu_us_per_msg": float64(cpu.Microseconds()) / float64(n),
		"p50_ms":         l.P50,
		"p99_ms":         l.P99,
		"server_cpu_s":   cpu.Seconds(),
		"peak_rss_mib":   mib(mem.Peak),
	}, nil
}
