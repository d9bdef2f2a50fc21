package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/e2e/testkit"
)

// The numbers issue 2 asks for, measured the same way on either target:
//   go test ./e2e -run '^$' -bench . -benchtime 20x
//   GOPK_E2E_TARGET=partykit go test ./e2e -run '^$' -bench . -benchtime 20x

// BenchmarkStartToReady: from starting `dev` to the first HTTP answer.
func BenchmarkStartToReady(b *testing.B) {
	testkit.NodeModules(b)
	dir := testkit.CopyProject(b, filepath.Join("testdata", "protocol"))
	for b.Loop() {
		s := testkit.Start(b, dir)
		b.StopTimer()
		s.Kill()
		b.StartTimer()
	}
}

// BenchmarkNewRoom: connect to a room nobody used yet until the first frame
// (onConnect's welcome) arrives.
func BenchmarkNewRoom(b *testing.B) {
	testkit.NodeModules(b)
	s := testkit.Start(b, testkit.CopyProject(b, filepath.Join("testdata", "protocol")))
	i := 0
	for b.Loop() {
		i++
		c := testkit.Dial(b, s.WSURL(fmt.Sprintf("/parties/main/bench-new-%d", i)), nil)
		testkit.Read(b, c)
		c.Close()
	}
}

// BenchmarkBroadcast100: one message broadcast in a room of 100 sockets,
// until all 100 (the sender included) have it.
func BenchmarkBroadcast100(b *testing.B) {
	const sockets = 100
	testkit.NodeModules(b)
	s := testkit.Start(b, testkit.CopyProject(b, filepath.Join("testdata", "protocol")))
	conns := make([]*websocket.Conn, sockets)
	for i := range conns {
		conns[i] = testkit.Dial(b, s.WSURL(fmt.Sprintf("/parties/main/bench-bcast?_pk=c%d", i)), nil)
		testkit.Read(b, conns[i]) // welcome
	}
	errs := make(chan error, sockets)
	for b.Loop() {
		testkit.Send(b, conns[0], "bcast:x")
		for _, c := range conns {
			go func() {
				c.SetReadDeadline(time.Now().Add(testkit.IOTimeout))
				_, _, err := c.ReadMessage()
				errs <- err
			}()
		}
		for range conns {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*sockets)/b.Elapsed().Seconds(), "deliveries/s")
}
