package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/e2e/testkit"
)

// TestCrashKeepsAcknowledgedWrites kills the server with SIGKILL at random
// moments while clients increment counters in several rooms, each increment
// acknowledged by the room after its write. After every restart each room's
// counter must be at least the highest value acknowledged for it: an
// acknowledged increment that a crash took back is a loss. (The check runs
// before any new increment, which could otherwise hide a loss by counting
// up to the same value again.)
//
// SIGKILL keeps what reached the kernel, so this proves that acks wait for
// the write to leave the process; runtime/room's power-cut tests prove they
// wait for the fsync.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	dir := testkit.CopyProject(t, filepath.Join("testdata", "crash"))
	s := testkit.Start(t, dir)

	const (
		cycles         = 12
		rooms          = 4
		clientsPerRoom = 2
	)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	start := time.Now()
	acked := make([]int, rooms) // the highest acknowledged count of each room
	var totalAcks, losses int
	var lossReports []string

	for cycle := 0; cycle <= cycles; cycle++ {
		for r := range acked {
			count := crashCount(t, s, r)
			if count < acked[r] {
				losses += acked[r] - count
				lossReports = append(lossReports, fmt.Sprintf("cycle %d room c%d: count %d after restart, %d acknowledged", cycle, r, count, acked[r]))
			}
			acked[r] = max(acked[r], count)
		}
		if cycle == cycles {
			break
		}

		var mu sync.Mutex
		var wg sync.WaitGroup
		for r := 0; r < rooms; r++ {
			for c := 0; c < clientsPerRoom; c++ {
				conn := testkit.Dial(t, s.WSURL(fmt.Sprintf("/parties/main/c%d", r)), nil)
				wg.Add(1)
				go func(r int) {
					defer wg.Done()
					for { // until the server dies
						if conn.WriteMessage(websocket.TextMessage, []byte("inc")) != nil {
							return
						}
						_, b, err := conn.ReadMessage()
						if err != nil {
							return
						}
						var n int
						if _, err := fmt.Sscan(string(b), &n); err != nil {
							t.Errorf("ack %q is not a count", b)
							return
						}
						mu.Lock()
						acked[r] = max(acked[r], n)
						totalAcks++
						mu.Unlock()
					}
				}(r)
			}
		}
		time.Sleep(time.Duration(50+rng.Intn(350)) * time.Millisecond)
		s.Kill()
		wg.Wait()
		s.Restart()
	}

	t.Logf("crash test: %d SIGKILL cycles in %v, %d acknowledged increments, %d lost (seed %d)",
		cycles, time.Since(start).Round(time.Millisecond), totalAcks, losses, seed)
	if totalAcks < cycles {
		t.Errorf("only %d acks in %d cycles: the clients hardly ran", totalAcks, cycles)
	}
	if losses > 0 {
		t.Fatalf("%d acknowledged increments lost:\n%s", losses, strings.Join(lossReports, "\n"))
	}
}

type crashRoomState struct {
	Count int      `json:"count"`
	Value *string  `json:"value"`
	Keys  []string `json:"keys"`
}

func crashCount(t *testing.T, s *testkit.Server, room int) int {
	t.Helper()
	res := testkit.Get(t, s.URL()+fmt.Sprintf("/parties/main/c%d", room))
	var st crashRoomState
	if res.Status != http.StatusOK || json.Unmarshal([]byte(res.Body), &st) != nil {
		t.Fatalf("room c%d: HTTP %d %q", room, res.Status, res.Body)
	}
	return st.Count
}

// TestHostileRoomIDsStayApart gives rooms ids that a careless key layout
// would confuse (a path separator, dots, NUL, a very long id) and checks that
// each one writes and reads its own value and sees no other room's keys.
// Ids in URLs are raw segments (not decoded), so "a%2Fb" is a room of its
// own; ids with a real "/" or NUL are reached through room.context.parties.
func TestHostileRoomIDsStayApart(t *testing.T) {
	dir := testkit.CopyProject(t, filepath.Join("testdata", "crash"))
	s := testkit.Start(t, dir)

	long := strings.Repeat("é", 400) + strings.Repeat("😀", 312) // 800 + 1248 bytes
	urlIDs := []string{
		"a", "a%2Fb", "a%2F", "b", "%00", "a%00b", "main", "c0",
		escapeAll(long), escapeAll(long[:len(long)-4]),
	}
	// Dot segments are resolved as WHATWG URLs do (workerd parses every
	// request URL so): these paths are /parties/ or /parties/main/, not rooms.
	for _, dots := range []string{"..", "%2E%2E", ".", ".%2e"} {
		if res := testkit.Get(t, s.URL()+"/parties/main/"+dots); res.Status != http.StatusNotFound {
			t.Errorf("GET /parties/main/%s: HTTP %d %q, want 404 (not a room)", dots, res.Status, res.Body)
		}
	}
	for i, id := range urlIDs {
		res := testkit.Do(t, http.MethodPut, s.URL()+"/parties/main/"+id, fmt.Sprint("url-", i), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("PUT room %.40q: HTTP %d %q", id, res.Status, res.Body)
		}
	}
	for i, id := range urlIDs {
		res := testkit.Get(t, s.URL()+"/parties/main/"+id)
		var st crashRoomState
		if err := json.Unmarshal([]byte(res.Body), &st); err != nil {
			t.Fatalf("GET room %.40q: HTTP %d %q", id, res.Status, res.Body)
		}
		if want := fmt.Sprint("url-", i); st.Value == nil || *st.Value != want || strings.Join(st.Keys, ",") != "value" {
			t.Errorf("room %.40q holds value %v and keys %q, want only its own value %q", id, st.Value, st.Keys, want)
		}
	}

	// Real separators and NULs, which a URL segment cannot carry raw.
	if s.Target() == testkit.TargetPartyKit {
		t.Skip("partykit takes a stub request's room id from its URL, so ids with / or dot segments answer \"No room id\" (measured); the URL ids passed")
	}
	stubIDs := []string{"x/y", "x", "y", "x\x00y", "x\x00", "\x00", "../x", "x/..", long, long + "\x00"}
	body, _ := json.Marshal(stubIDs)
	res := testkit.Do(t, http.MethodPost, s.URL()+"/parties/main/hub?stubs", string(body), nil)
	var seen []crashRoomState
	if err := json.Unmarshal([]byte(res.Body), &seen); err != nil || len(seen) != len(stubIDs) {
		t.Fatalf("hub: HTTP %d %q", res.Status, res.Body)
	}
	for i, id := range stubIDs {
		st := seen[i]
		if want := "stub:" + id; st.Value == nil || *st.Value != want || strings.Join(st.Keys, ",") != "value" {
			t.Errorf("room %.40q (by stub) holds value %.60q and keys %q, want only its own value", id, deref(st.Value), st.Keys)
		}
	}
	// The URL rooms are untouched by the stub rooms.
	for i, id := range urlIDs {
		var st crashRoomState
		_ = json.Unmarshal([]byte(testkit.Get(t, s.URL()+"/parties/main/"+id).Body), &st)
		if want := fmt.Sprint("url-", i); st.Value == nil || *st.Value != want {
			t.Errorf("room %.40q now holds %v, want %q", id, deref(st.Value), want)
		}
	}
}

// escapeAll percent-encodes every byte of s, so the raw URL segment (and so
// the room id) is exactly that.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
