package load

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Metrics are one run's measurements by name (see the scenario table).
type Metrics map[string]float64

// FanoutConfig is P1 (party "main") and P2 (party "fanoutstore").
type FanoutConfig struct {
	Party    string
	Sockets  int // in one room
	Messages int // sent by each socket
	Payload  int // bytes of padding per message
	Timeout  time.Duration
}

// Fanout puts Sockets sockets in one room; each sends Messages messages, the
// next only once its previous one came back to it (so every socket has at
// most one message of its own in flight), and every message is broadcast
// to all sockets, the sender included. It fails unless every socket received
// every message.
func Fanout(ctx context.Context, env *Env, cfg FanoutConfig) (Metrics, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	paths := make([]string, cfg.Sockets)
	for i := range paths {
		paths[i] = env.roomPath(cfg.Party, "fanout", "_pk=c"+strconv.Itoa(i))
	}
	conns, _, err := connectAll(ctx, env.dialer, paths, 16, false)
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)

	perSocket := int64(cfg.Sockets) * int64(cfg.Messages)
	got := make([]atomic.Int64, cfg.Sockets)
	own := make([]chan struct{}, cfg.Sockets)
	readErr := make(chan error, cfg.Sockets)
	var readers sync.WaitGroup
	deadline := deadlineOf(ctx, cfg.Timeout)
	for i, c := range conns {
		own[i] = make(chan struct{}, 1)
		prefix := []byte("c" + strconv.Itoa(i) + " ")
		readers.Add(1)
		go func() {
			defer readers.Done()
			_ = c.SetReadDeadline(deadline)
			for got[i].Load() < perSocket {
				_, b, err := c.ReadMessage()
				if err != nil {
					readErr <- fmt.Errorf("socket c%d after %d of %d frames: %w", i, got[i].Load(), perSocket, err)
					return
				}
				got[i].Add(1)
				if bytes.HasPrefix(b, prefix) {
					own[i] <- struct{}{}
				}
			}
		}()
	}

	m, err := env.beginMeasure()
	if err != nil {
		return nil, err
	}
	var senders sync.WaitGroup
	for i, c := range conns {
		senders.Add(1)
		go func() {
			defer senders.Done()
			filler := pad(cfg.Payload)
			for k := range cfg.Messages {
				msg := "c" + strconv.Itoa(i) + " " + strconv.Itoa(k) + " " + filler
				if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
					return // the reader reports the broken socket
				}
				select {
				case <-own[i]:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	readers.Wait()
	senders.Wait()
	cpu, wall, err := m.end()
	if err != nil {
		return nil, err
	}
	var total int64
	for i := range got {
		total += got[i].Load()
	}
	want := perSocket * int64(cfg.Sockets)
	if total != want {
		select {
		case err := <-readErr:
			return nil, fmt.Errorf("%d of %d deliveries within %v: %w", total, want, cfg.Timeout, err)
		default:
			return nil, fmt.Errorf("%d of %d deliveries within %v", total, want, cfg.Timeout)
		}
	}
	mem, err := env.Server.Memory()
	if err != nil {
		return nil, err
	}
	return Metrics{
		"deliveries":          float64(total),
		"deliveries_per_s":    float64(total) / wall.Seconds(),
		"cpu_us_per_delivery": float64(cpu.Microseconds()) / float64(total),
		"server_cpu_s":        cpu.Seconds(),
		"wall_s":              wall.Seconds(),
		"peak_rss_mib":        mib(mem.Peak),
	}, nil
}
