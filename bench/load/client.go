// Package load drives the benchmark scenarios (P1–P7 of issue 6) against a
// running server: it opens the sockets, sends the messages, checks every
// answer, and measures what the server spent doing it. The same code loads
// gopk and PartyKit's workerd, so their numbers compare.
package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"gopk/bench/procstat"
)

// Probe reads the measured server process's counters.
type Probe interface {
	CPU() (time.Duration, error)
	Memory() (procstat.Memory, error)
}

// Env is the server under load.
type Env struct {
	Host   string // 127.0.0.1:<port>
	Server Probe
	// OnMeasure, if set, is called as the measured phase of a scenario
	// begins (to start a CPU profile of the server, say).
	OnMeasure func()
	// StartToReady is how long the server took to answer after exec.
	StartToReady time.Duration
	dialer       *Dialer
	token        string
}

// NewEnv prepares to load the server at host. Room names carry a random
// token, so scenarios never meet rooms of an earlier run.
func NewEnv(host string, server Probe) *Env {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &Env{Host: host, Server: server, dialer: NewDialer(host), token: hex.EncodeToString(b)}
}

func (e *Env) measureStarts() {
	if e.OnMeasure != nil {
		e.OnMeasure()
	}
}

// Dialer opens WebSockets to one host. Many thousands of client sockets to
// one server port would run out of ephemeral ports on a single source
// address, so on loopback each dial takes the next of 250 source addresses.
type Dialer struct {
	host     string
	loopback bool
	n        atomic.Uint64
	pool     sync.Pool
}

// NewDialer returns a dialer for host ("127.0.0.1:port").
func NewDialer(host string) *Dialer {
	h, _, _ := net.SplitHostPort(host)
	ip := net.ParseIP(h)
	return &Dialer{host: host, loopback: ip != nil && ip.IsLoopback() && ip.To4() != nil}
}

// Dial opens ws://host+path.
func (d *Dialer) Dial(ctx context.Context, path string) (*websocket.Conn, error) {
	nd := &net.Dialer{Timeout: 10 * time.Second}
	if d.loopback {
		i := d.n.Add(1)
		nd.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%250))}
	}
	wd := websocket.Dialer{
		NetDialContext:   nd.DialContext,
		HandshakeTimeout: 30 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferSize:  4096,
		WriteBufferPool:  &d.pool, // idle sockets hold no write buffer
	}
	c, resp, err := wd.DialContext(ctx, "ws://"+d.host+path, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dialing %s: %w (HTTP %s)", path, err, resp.Status)
		}
		return nil, fmt.Errorf("dialing %s: %w", path, err)
	}
	return c, nil
}

// connectAll opens one socket per path with up to concurrency dials at a
// time. With first set it also reads each socket's first frame (returned in
// order). On error every socket opened so far is closed.
func connectAll(ctx context.Context, d *Dialer, paths []string, concurrency int, first bool) ([]*websocket.Conn, []string, error) {
	conns := make([]*websocket.Conn, len(paths))
	frames := make([]string, len(paths))
	var (
		next     atomic.Int64
		errOnce  sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for range max(1, concurrency) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(paths) || ctx.Err() != nil {
					return
				}
				c, err := d.Dial(ctx, paths[i])
				if err != nil {
					fail(err)
					return
				}
				conns[i] = c
				if first {
					f, err := readText(c, deadlineOf(ctx, 30*time.Second))
					if err != nil {
						fail(fmt.Errorf("first frame on %s: %w", paths[i], err))
						return
					}
					frames[i] = f
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		closeAll(conns)
		return nil, nil, firstErr
	}
	return conns, frames, nil
}

func readText(c *websocket.Conn, deadline time.Time) (string, error) {
	_ = c.SetReadDeadline(deadline)
	typ, b, err := c.ReadMessage()
	if err != nil {
		return "", err
	}
	if typ != websocket.TextMessage {
		return "", fmt.Errorf("got a binary frame (%d bytes), want text", len(b))
	}
	return string(b), nil
}

func deadlineOf(ctx context.Context, fallback time.Duration) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(fallback)
}

// closeAll says goodbye with a close frame but does not wait for the answer
// (workerd never sends one) and drops the connections.
func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c == nil {
			continue
		}
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		_ = c.Close()
	}
}

// paths builds n room paths: /parties/<party>/<prefix>-<token>-<room(i)>.
func (e *Env) roomPath(party, name string, query string) string {
	p := "/parties/" + party + "/" + name + "-" + e.token
	if query != "" {
		p += "?" + query
	}
	return p
}

// serverSpent measures the server's CPU time over a phase.
type serverSpent struct {
	env   *Env
	cpu0  time.Duration
	start time.Time
}

func (e *Env) beginMeasure() (*serverSpent, error) {
	cpu, err := e.Server.CPU()
	if err != nil {
		return nil, err
	}
	e.measureStarts()
	return &serverSpent{env: e, cpu0: cpu, start: time.Now()}, nil
}

// end returns the server CPU time and the wall time since beginMeasure.
func (s *serverSpent) end() (cpu, wall time.Duration, err error) {
	wall = time.Since(s.start)
	c, err := s.env.Server.CPU()
	if err != nil {
		return 0, 0, err
	}
	return c - s.cpu0, wall, nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func pad(n int) string { return strings.Repeat("x", max(0, n)) }
