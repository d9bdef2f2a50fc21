package load

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/bench/procstat"
)

// fakeParty is a tiny in-process stand-in for the scenario parties: rooms
// by path, broadcast for the main party, echo for the echo party. dropEvery
// > 0 makes it lose every n-th broadcast, to show the load catches it.
type fakeParty struct {
	mu        sync.Mutex
	rooms     map[string][]*websocket.Conn
	locks     map[*websocket.Conn]*sync.Mutex
	n         int
	dropEvery int
}

func (f *fakeParty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	room := r.URL.Path
	f.mu.Lock()
	if f.rooms == nil {
		f.rooms, f.locks = map[string][]*websocket.Conn{}, map[*websocket.Conn]*sync.Mutex{}
	}
	f.rooms[room] = append(f.rooms[room], c)
	f.locks[c] = &sync.Mutex{}
	f.mu.Unlock()
	send := func(to *websocket.Conn, b []byte) {
		f.mu.Lock()
		l := f.locks[to]
		f.mu.Unlock()
		l.Lock()
		_ = to.WriteMessage(websocket.TextMessage, b)
		l.Unlock()
	}
	if strings.HasPrefix(room, "/parties/hello/") {
		send(c, []byte("hello "+strings.TrimPrefix(room, "/parties/hello/")+" "+r.URL.Query().Get("_pk")))
	}
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			return
		}
		switch {
		case strings.HasPrefix(room, "/parties/echo/"):
			var p struct {
				ID    int `json:"id"`
				Items []struct {
					Name string  `json:"name"`
					V    float64 `json:"v"`
				} `json:"items"`
			}
			_ = json.Unmarshal(b, &p)
			out := reply{ID: p.ID, Count: len(p.Items)}
			for _, it := range p.Items {
				out.Sum += it.V
				out.Names = append(out.Names, strings.ToUpper(it.Name))
			}
			ans, _ := json.Marshal(out)
			send(c, ans)
		default:
			f.mu.Lock()
			f.n++
			drop := f.dropEvery > 0 && f.n%f.dropEvery == 0
			peers := append([]*websocket.Conn(nil), f.rooms[room]...)
			f.mu.Unlock()
			if drop {
				continue
			}
			for _, p := range peers {
				send(p, b)
			}
		}
	}
}

// selfProbe measures this test process.
type selfProbe struct{}

func (selfProbe) CPU() (time.Duration, error)      { return procstat.Open(os.Getpid()).CPU() }
func (selfProbe) Memory() (procstat.Memory, error) { return procstat.Open(os.Getpid()).Memory() }

func startFake(t *testing.T, f *fakeParty) *Env {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return NewEnv(strings.TrimPrefix(srv.URL, "http://"), selfProbe{})
}

func TestFanoutCountsEveryDelivery(t *testing.T) {
	env := startFake(t, &fakeParty{})
	measured := false
	env.OnMeasure = func() { measured = true }
	m, err := Fanout(context.Background(), env, FanoutConfig{Party: "main", Sockets: 5, Messages: 4, Payload: 10, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if m["deliveries"] != 5*4*5 {
		t.Errorf("deliveries = %v, want 100", m["deliveries"])
	}
	if m["deliveries_per_s"] <= 0 || !measured {
		t.Errorf("rate %v, OnMeasure called %v", m["deliveries_per_s"], measured)
	}
}

func TestFanoutFailsWhenTheServerLosesMessages(t *testing.T) {
	env := startFake(t, &fakeParty{dropEvery: 7})
	_, err := Fanout(context.Background(), env, FanoutConfig{Party: "main", Sockets: 3, Messages: 5, Timeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "deliveries") {
		t.Fatalf("want a deliveries error from a lossy server, got %v", err)
	}
}

func TestEchoChecksAnswers(t *testing.T) {
	env := startFake(t, &fakeParty{})
	m, err := Echo(context.Background(), env, EchoConfig{Rooms: 2, SocketsPerRoom: 2, Messages: 5, Items: 3, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if m["messages"] != 20 || !(m["p99_ms"] >= m["p50_ms"]) {
		t.Errorf("metrics %v", m)
	}
}

func TestReplyCheck(t *testing.T) {
	var ping struct {
		ID    int `json:"id"`
		Items []struct {
			V int `json:"v"`
		} `json:"items"`
	}
	if err := json.Unmarshal(pingJSON(7, 4), &ping); err != nil || ping.ID != 7 || len(ping.Items) != 4 {
		t.Fatalf("ping is not the JSON it should be: %v %+v", err, ping)
	}
	sum := 0
	for _, it := range ping.Items {
		sum += it.V
	}
	good := reply{ID: 7, Count: 4, Sum: float64(sum), Names: []string{"A", "B", "C", "D"}}
	if err := good.check(7, 4); err != nil {
		t.Errorf("a right answer was refused: %v", err)
	}
	bad := good
	bad.Sum++
	if bad.check(7, 4) == nil {
		t.Error("a wrong sum was accepted")
	}
	if good.check(8, 4) == nil {
		t.Error("an answer to another ping was accepted")
	}
}

func TestNewRoomsAndCrowdAgainstFake(t *testing.T) {
	env := startFake(t, &fakeParty{})
	m, err := NewRooms(context.Background(), env, NewRoomsConfig{Sequential: 3, Parallel: 6, Concurrency: 2, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if m["rooms_per_s"] <= 0 || m["p50_ms"] <= 0 {
		t.Errorf("new rooms metrics %v", m)
	}
	m, err = Crowd(context.Background(), env, CrowdConfig{Sockets: 12, Rooms: 3, Rate: 200, Duration: 250 * time.Millisecond, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if m["lost"] != 0 || m["sockets"] != 12 {
		t.Errorf("crowd metrics %v", m)
	}
}
