package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"gopk/e2e/testkit"
)

// TestYPartyKit runs the npm y-partykit server (testdata/yjs, unmodified
// library code) and drives it with npm YPartyKitProvider clients
// (js/yjs-clients.mjs): edits sync both ways, awareness reaches the other
// client, a late joiner gets the document, the document outlives a restart
// and a crash of the server in "snapshot" and "history" mode, and the
// `callback` option posts the document to an HTTP server the test runs.
func TestYPartyKit(t *testing.T) {
	callbacks := newCallbackRecorder(t)
	s := startFixture(t, "yjs", "--var", "CALLBACK_URL="+callbacks.url()+"/yjs-callback")
	yjs := func(t *testing.T, step, party, room string, extra map[string]string) string {
		t.Helper()
		env := map[string]string{"GOPK_HOST": s.Host(), "STEP": step, "PARTY": party, "ROOM": room}
		for k, v := range extra {
			env[k] = v
		}
		var out struct{ Text string }
		stdout := testkit.Node(t, "yjs-clients.mjs", env)
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("yjs-clients.mjs %s: %v in %q", step, err, stdout)
		}
		return out.Text
	}
	const edited = "[hello world]" // what STEP=live leaves in the document
	modes := []struct{ mode, party string }{{"snapshot", "main"}, {"history", "history"}}

	for _, m := range modes {
		t.Run(m.mode+"/live", func(t *testing.T) {
			if got := yjs(t, "live", m.party, "doc-"+m.mode, nil); got != edited {
				t.Fatalf("live session left %q, want %q", got, edited)
			}
			// Every client has left: y-partykit compacted the log and
			// dropped the doc, so this client's document is read back
			// from storage.
			yjs(t, "check", m.party, "doc-"+m.mode, map[string]string{"EXPECT_TEXT": edited})
		})
	}

	t.Run("callback", func(t *testing.T) {
		want := map[string]any{
			"room": "doc-callback",
			"data": map[string]any{
				"text": map[string]any{"type": "Text", "content": "posted by y-partykit"},
				"list": map[string]any{"type": "Array", "content": []any{1.0, "two", map[string]any{"three": 3.0}}},
			},
		}
		seen := filepath.Join(t.TempDir(), "callback-seen")
		callbacks.expect(want, seen)
		yjs(t, "callback", "callback", "doc-callback", map[string]string{"CALLBACK_SEEN_FILE": seen})
		got := callbacks.matching(want)
		if got == nil {
			t.Fatalf("no callback carried the document; got %d callbacks: %s", len(callbacks.all()), callbacks.all())
		}
		if got.method != http.MethodPost || got.path != "/yjs-callback" {
			t.Errorf("callback was %s %s, want POST /yjs-callback", got.method, got.path)
		}
		if ct := got.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("callback Content-Type %q, want application/json", ct)
		}
		if tok := got.header.Get("X-Callback-Token"); tok != "e2e-secret" {
			t.Errorf("callback X-Callback-Token %q, want the header from the callback option", tok)
		}
	})

	s.Restart()
	for _, m := range modes {
		t.Run(m.mode+"/after-restart", func(t *testing.T) {
			yjs(t, "check", m.party, "doc-"+m.mode, map[string]string{"EXPECT_TEXT": edited})
		})
	}

	// An edit another client has seen was durable before it was sent on:
	// killing the server with both clients connected (no compaction, no
	// graceful shutdown) must not lose it.
	for _, m := range modes {
		t.Run(m.mode+"/after-crash", func(t *testing.T) {
			room := "crash-" + m.mode
			text := yjs(t, "seen", m.party, room, nil)
			s.Kill()
			s.Restart()
			yjs(t, "check", m.party, room, map[string]string{"EXPECT_TEXT": text})
		})
	}

	if logs := s.Logs(); strings.Contains(logs, "unhandled promise rejection") {
		t.Errorf("the server logged an unhandled rejection (y-partykit fails silently otherwise):\n%s", logs)
	}
}

// TestYjsExample runs examples/yjs as a user would (`gopk dev` in the
// project): the page and its client bundle (serve.build) are served, two
// YPartyKitProvider clients edit the same document the page edits, the
// document outlives a restart, and the page's textarea binding agrees with
// Yjs on thousands of random edits.
func TestYjsExample(t *testing.T) {
	testkit.NodeModules(t)
	src := filepath.Join(testkit.ModuleRoot(t), "examples", "yjs")
	dir := testkit.CopyProject(t, src)
	// The example's own locked packages (.ci/run installs them) are what a
	// user's `npm ci` gives; without them e2e's same versions stand in.
	if own := filepath.Join(src, "node_modules"); exists(filepath.Join(own, "y-partykit")) {
		link := filepath.Join(dir, "node_modules")
		if err := os.Remove(link); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if err := os.Symlink(own, link); err != nil {
			t.Fatal(err)
		}
	}
	s := testkit.Start(t, dir)

	t.Run("page and client bundle", func(t *testing.T) {
		page := testkit.Do(t, http.MethodGet, s.URL()+"/", "", nil)
		if page.Status != http.StatusOK || !strings.Contains(page.Body, `<textarea id="editor"`) || !strings.Contains(page.Body, `src="/dist/index.js"`) {
			t.Fatalf("GET / answered %d:\n%s", page.Status, page.Body)
		}
		js := testkit.Do(t, http.MethodGet, s.URL()+"/dist/index.js", "", nil)
		if js.Status != http.StatusOK {
			t.Fatalf("GET /dist/index.js answered %d %q", js.Status, js.Body)
		}
		// The bundle holds the provider and the server's host (PARTYKIT_HOST).
		for _, want := range []string{"y-pk-batch", strconv.Quote(s.Host())} {
			if !strings.Contains(js.Body, want) {
				t.Errorf("the client bundle does not contain %s", want)
			}
		}
	})

	env := map[string]string{"GOPK_HOST": s.Host(), "PARTY": "main", "ROOM": "welcome"}
	yjs := func(t *testing.T, step string, extra map[string]string) {
		t.Helper()
		e := map[string]string{"STEP": step}
		for k, v := range env {
			e[k] = v
		}
		for k, v := range extra {
			e[k] = v
		}
		testkit.Node(t, "yjs-clients.mjs", e)
	}
	t.Run("edits, presence, late joiner", func(t *testing.T) { yjs(t, "live", nil) })
	s.Restart()
	t.Run("document after a restart", func(t *testing.T) { yjs(t, "check", map[string]string{"EXPECT_TEXT": "[hello world]"}) })

	t.Run("textarea binding", func(t *testing.T) {
		var got struct{ Diffs, Carets int }
		out := testkit.Node(t, "yjs-textarea.mjs", map[string]string{"EXAMPLE_DIR": src})
		if err := json.Unmarshal([]byte(out), &got); err != nil || got.Diffs == 0 || got.Carets == 0 {
			t.Fatalf("yjs-textarea.mjs checked nothing: %q (%v)", out, err)
		}
	})
}

// callbackRecorder is the HTTP server y-partykit's callback option posts to.
// When a callback carries the expected document it creates a file, which
// tells the Node client it may leave.
type callbackRecorder struct {
	srv *httptest.Server

	mu       sync.Mutex
	got      []recordedCallback
	want     map[string]any
	seenFile string
}

type recordedCallback struct {
	method, path string
	header       http.Header
	body         map[string]any
	raw          string
}

func (c recordedCallback) String() string { return fmt.Sprintf("%s %s %s", c.method, c.path, c.raw) }

func newCallbackRecorder(t *testing.T) *callbackRecorder {
	c := &callbackRecorder{}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *callbackRecorder) url() string { return c.srv.URL }

func (c *callbackRecorder) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := recordedCallback{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), raw: string(raw)}
	_ = json.Unmarshal(raw, &rec.body)
	c.mu.Lock()
	c.got = append(c.got, rec)
	if c.want != nil && reflect.DeepEqual(rec.body, c.want) {
		_ = os.WriteFile(c.seenFile, nil, 0o644)
	}
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (c *callbackRecorder) expect(want map[string]any, seenFile string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want, c.seenFile = want, seenFile
}

// matching returns the first callback whose JSON body equals want.
func (c *callbackRecorder) matching(want map[string]any) *recordedCallback {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.got {
		if reflect.DeepEqual(c.got[i].body, want) {
			return &c.got[i]
		}
	}
	return nil
}

func (c *callbackRecorder) all() []recordedCallback {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]recordedCallback(nil), c.got...)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// BenchmarkYPartyKitRoom opens one new y-partykit room ("snapshot" mode)
// per iteration with one client that does the provider's handshake (sync
// step 1 out, the server's sync step 2 back) and keeps it connected, so
// with -benchtime 100x it measures 100 live rooms each with one client:
//
//	go test ./e2e -run '^$' -bench YPartyKitRoom -benchtime 100x
//
// ns/op is a room's start as a client sees it (connect until the document
// has synced); rss-KiB/room is the growth of the server's resident memory
// per room, and heap-KiB/room the growth of its live Go heap as the
// runtime's GC trace reports it (gopk only; RSS also holds GC headroom).
// rooms is how many were open when memory was read: on gopk, rooms are
// opened past b.N until the server's next GC reports its live heap.
func BenchmarkYPartyKitRoom(b *testing.B) {
	testkit.NodeModules(b)
	b.Setenv("GODEBUG", "gctrace=1") // the server prints its live heap after each GC
	s := testkit.Start(b, testkit.CopyProject(b, filepath.Join("testdata", "yjs")))
	pid := listenerPID(b, s.Host())

	var conns []*websocket.Conn
	open := func(room string) {
		c := testkit.Dial(b, s.WSURL("/parties/main/"+room+"?_pk="+room), nil)
		// Sync step 1 with an empty state vector: what a fresh provider sends.
		testkit.SendFrame(b, c, websocket.BinaryMessage, []byte{0, 0, 1, 0})
		for {
			_, msg := testkit.Read(b, c)
			if len(msg) >= 2 && msg[0] == 0 && msg[1] == 1 { // sync step 2
				break
			}
		}
		conns = append(conns, c)
	}
	open("warm-up") // compiles nothing new later: every room runs the same Program
	rss0, heap0 := rssKiB(b, pid), liveHeapKiB(s.Logs())
	i := 0
	for b.Loop() {
		i++
		open(fmt.Sprintf("bench-%d", i))
	}
	b.StopTimer()
	if s.Target() == testkit.TargetGopk {
		// The heap is known at the next GC: open rooms until one runs.
		heapAt := len(s.Logs())
		for try := 0; try < 100 && !strings.Contains(s.Logs()[heapAt:], "MB goal"); try++ {
			open(fmt.Sprintf("bench-gc-%d", try))
		}
	}
	rooms := float64(len(conns) - 1)
	b.ReportMetric(float64(rssKiB(b, pid)-rss0)/rooms, "rss-KiB/room")
	if heap1 := liveHeapKiB(s.Logs()); heap0 > 0 && heap1 > 0 {
		b.ReportMetric(float64(heap1-heap0)/rooms, "heap-KiB/room")
	}
	b.ReportMetric(rooms, "rooms")
}

// listenerPID finds the process listening on hostPort (127.0.0.1:N), by
// the socket inode in /proc/net/tcp: for gopk the server itself, for
// PartyKit whichever of its processes holds the port.
func listenerPID(tb testing.TB, hostPort string) int {
	tb.Helper()
	_, portText, _ := strings.Cut(hostPort, ":")
	port, _ := strconv.Atoi(portText)
	want := fmt.Sprintf(":%04X", port)
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && strings.HasSuffix(f[1], want) && f[3] == "0A" { // LISTEN
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		if target, err := os.Readlink(fd); err == nil && inodes[target] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	tb.Skipf("no process found listening on %s (needs /proc)", hostPort)
	return 0
}

func rssKiB(tb testing.TB, pid int) int {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatalf("reading the server's memory: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kib
		}
	}
	tb.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// gcLine matches Go's gctrace line; its third heap figure is the heap
// marked live by that GC.
var gcLine = regexp.MustCompile(`gc \d+ @[^\n]*?(\d+)->(\d+)->(\d+) MB`)

// liveHeapKiB is the live heap after the last GC the server reported, or 0.
func liveHeapKiB(logs string) int {
	m := gcLine.FindAllStringSubmatch(logs, -1)
	if len(m) == 0 {
		return 0
	}
	mb, _ := strconv.Atoi(m[len(m)-1][3])
	return mb << 10
}
