package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"gopk/e2e/testkit"
	"gopk/runtime/deploy"
)

// These tests drive `gopk serve` processes with the real `gopk deploy`,
// `list`, `info`, `rollback`, `delete`, `env` and `tail` commands and real
// WebSocket clients. They have no partykit dev counterpart.

func skipOnPartyKit(t testing.TB) {
	t.Helper()
	if testkit.CurrentTarget(t) == testkit.TargetPartyKit {
		t.Skip("gopk serve and gopk deploy have no `partykit dev` counterpart")
	}
}

// deployProject copies testdata/deploy-app to a temp dir.
func deployProject(t testing.TB) string {
	t.Helper()
	return testkit.CopyProject(t, filepath.Join("testdata", "deploy-app"))
}

func mustGopk(t testing.TB, s *testkit.Serve, dir string, args ...string) string {
	t.Helper()
	r := s.Gopk(dir, "", args...)
	if r.Err != nil {
		t.Fatalf("gopk %s: %v\n%s", strings.Join(args, " "), r.Err, r.Out)
	}
	return r.Out
}

// setVersion rewrites the VERSION constant of the fixture's server.
func setVersion(t testing.TB, dir, version string) {
	t.Helper()
	path := filepath.Join(dir, "party", "index.ts")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`const VERSION = "[^"]*";`)
	if !re.Match(data) {
		t.Fatalf("%s has no VERSION line", path)
	}
	data = re.ReplaceAll(data, []byte(`const VERSION = "`+version+`";`))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func body(t testing.TB, url string) string {
	t.Helper()
	return testkit.Get(t, url).Body
}

// hasStorage reports whether rooms get room.storage (the storage binding).
func hasStorage(t testing.TB, s *testkit.Serve) bool {
	t.Helper()
	return body(t, s.URL()+"/party/storage-probe?storage") == "object"
}

func TestDeployLifecycle(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t)
	dir := deployProject(t)

	if r := testkit.Get(t, s.URL()+"/party/r1"); r.Status != 404 || !strings.Contains(r.Body, "No project is deployed") {
		t.Fatalf("before any deploy: %d %q, want 404 saying nothing is deployed", r.Status, r.Body)
	}
	out := mustGopk(t, s, dir, "deploy")
	if !strings.Contains(out, "Deployed deploy-app version 1") {
		t.Fatalf("deploy output does not give the version:\n%s", out)
	}
	if got := body(t, s.URL()+"/party/r1"); got != "v1" {
		t.Fatalf("after deploy v1: %q", got)
	}
	if got := body(t, s.URL()+"/"); !strings.Contains(got, "deploy-app assets") {
		t.Fatalf("static assets not served after deploy: %q", got)
	}

	var list []deploy.ProjectInfo
	if err := json.Unmarshal([]byte(mustGopk(t, s, dir, "list", "--format", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "deploy-app" || list[0].Active != 1 {
		t.Fatalf("list = %+v, want deploy-app at version 1", list)
	}

	setVersion(t, dir, "v2")
	mustGopk(t, s, dir, "deploy")
	if got := body(t, s.URL()+"/party/r1"); got != "v2" {
		t.Fatalf("after deploy v2: %q", got)
	}
	var info deploy.ProjectInfo
	if err := json.Unmarshal([]byte(mustGopk(t, s, dir, "info", "--format", "json")), &info); err != nil {
		t.Fatal(err)
	}
	if info.Active != 2 || len(info.Versions) != 2 || info.Rooms < 1 {
		t.Fatalf("info = %+v, want version 2 active of 2, rooms live", info)
	}
	if pretty := mustGopk(t, s, dir, "info"); !strings.Contains(pretty, "Active:   version 2") {
		t.Fatalf("pretty info:\n%s", pretty)
	}

	out = mustGopk(t, s, dir, "rollback")
	if !strings.Contains(out, "version 1") || body(t, s.URL()+"/party/r1") != "v1" {
		t.Fatalf("rollback to the previous version: %q, serving %q", out, body(t, s.URL()+"/party/r1"))
	}
	mustGopk(t, s, dir, "rollback", "2")
	if got := body(t, s.URL()+"/party/r1"); got != "v2" {
		t.Fatalf("after rollback 2: %q", got)
	}
	if r := s.Gopk(dir, "", "rollback", "9"); r.Err == nil || !strings.Contains(r.Out, "no version 9") {
		t.Fatalf("rollback to a missing version: err %v\n%s", r.Err, r.Out)
	}

	s.Restart()
	if got := body(t, s.URL()+"/party/r1"); got != "v2" {
		t.Fatalf("after a restart the server serves %q, want the active version v2", got)
	}

	if r := s.Gopk(dir, "", "delete"); r.Err == nil || !strings.Contains(r.Out, "--force") {
		t.Fatalf("delete without --force: err %v\n%s", r.Err, r.Out)
	}
	if got := body(t, s.URL()+"/party/r1"); got != "v2" {
		t.Fatalf("delete without --force changed something: %q", got)
	}
	mustGopk(t, s, dir, "delete", "--force")
	if r := testkit.Get(t, s.URL()+"/party/r1"); r.Status != 404 {
		t.Fatalf("after delete: %d %q, want 404", r.Status, r.Body)
	}
	if out := mustGopk(t, s, dir, "list"); !strings.Contains(out, "No projects deployed") {
		t.Fatalf("list after delete:\n%s", out)
	}
}

// TestDeployDomain: with --domain, each project answers at its own host.
func TestDeployDomain(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t, "--domain", "rooms.test")
	a, b := deployProject(t), deployProject(t)
	setVersion(t, b, "b1")
	mustGopk(t, s, a, "deploy", "-n", "alpha")
	mustGopk(t, s, b, "deploy", "-n", "beta")
	get := func(host string) testkit.Response {
		req, err := http.NewRequest(http.MethodGet, s.URL()+"/party/r", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := (&http.Client{Timeout: testkit.IOTimeout}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return testkit.Response{Status: resp.StatusCode, Body: string(b)}
	}
	for host, want := range map[string]string{"alpha.rooms.test": "v1", "beta.rooms.test:443": "b1"} {
		if r := get(host); r.Body != want {
			t.Errorf("Host %s: %d %q, want %q", host, r.Status, r.Body, want)
		}
	}
	if r := get("gamma.rooms.test"); r.Status != 404 {
		t.Errorf("unknown project: %d %q, want 404", r.Status, r.Body)
	}
}

// frameReader reads a socket on its own goroutine, so a test can wait for
// frames with a deadline and see a close at once.
type frameReader struct {
	frames   chan string
	closed   chan error
	received atomic.Int64
}

func readFrames(c *websocket.Conn) *frameReader {
	fr := &frameReader{frames: make(chan string, 1<<16), closed: make(chan error, 1)}
	go func() {
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				fr.closed <- err
				close(fr.frames)
				return
			}
			fr.received.Add(1)
			fr.frames <- string(data)
		}
	}()
	return fr
}

func (fr *frameReader) next(t testing.TB) string {
	t.Helper()
	select {
	case f, ok := <-fr.frames:
		if !ok {
			t.Fatalf("socket closed: %v", <-fr.closed)
		}
		return f
	case <-time.After(testkit.IOTimeout):
		t.Fatal("no frame within", testkit.IOTimeout)
	}
	return ""
}

// TestDeployLiveSwap: a socket connected before a deploy keeps its
// connection and, from the swap on, talks to the new code; its state and
// the room's storage carry over; no message in flight is lost or reordered.
func TestDeployLiveSwap(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t)
	dir := deployProject(t)
	mustGopk(t, s, dir, "deploy")
	storage := hasStorage(t, s)

	c := testkit.Dial(t, s.WSURL("/party/swap?_pk=keeper"), nil)
	fr := readFrames(c)
	var hello struct{ Version, ID string }
	if err := json.Unmarshal([]byte(fr.next(t)), &hello); err != nil || hello.Version != "v1" || hello.ID != "keeper" {
		t.Fatalf("hello = %+v (%v)", hello, err)
	}
	if storage {
		testkit.Send(t, c, "put:before=written-by-v1")
		if got := fr.next(t); got != "ok:before" {
			t.Fatalf("put: %q", got)
		}
	}

	// A stream of numbered messages runs through the deploy.
	setVersion(t, dir, "v2")
	var (
		mu          sync.Mutex
		sent        int
		deploying   bool
		sentDuring  int
		stop        = make(chan struct{})
		senderDone  = make(chan error, 1)
		deployDone  = make(chan testkit.CLIResult, 1)
		replies     []string
		sawV2       = make(chan struct{})
		sawV2Closed bool
		// inFlightAtSwap: sent but not yet answered when v2 first answered.
		inFlightAtSwap int
	)
	go func() {
		defer close(senderDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c.SetWriteDeadline(time.Now().Add(testkit.IOTimeout))
			if err := c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "seq:%d", i)); err != nil {
				senderDone <- err
				return
			}
			mu.Lock()
			sent++
			if deploying {
				sentDuring++
			}
			mu.Unlock()
			// As fast as the server answers, with up to 200 unanswered.
			for int64(i+1)-fr.received.Load()+1 > 200 {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Microsecond):
				}
			}
		}
	}()
	// Let the stream run, then deploy in the middle of it.
	for len(replies) < 50 {
		replies = append(replies, fr.next(t))
	}
	mu.Lock()
	deploying = true
	mu.Unlock()
	go func() { deployDone <- s.Gopk(dir, "", "deploy") }()
	var res testkit.CLIResult
	deployed := false
	for !deployed || !sawV2Closed {
		select {
		case f, ok := <-fr.frames:
			if !ok {
				t.Fatalf("the socket was closed during the deploy: %v", <-fr.closed)
			}
			replies = append(replies, f)
			if strings.HasPrefix(f, "v2 ") && !sawV2Closed {
				close(sawV2)
				sawV2Closed = true
				mu.Lock()
				inFlightAtSwap = sent - (len(replies) - 1)
				mu.Unlock()
			}
		case res = <-deployDone:
			deployed = true
			mu.Lock()
			deploying = false
			mu.Unlock()
			if res.Err != nil {
				t.Fatalf("deploy v2: %v\n%s", res.Err, res.Out)
			}
		case <-time.After(testkit.IOTimeout):
			t.Fatalf("stuck: deployed=%v, %d replies", deployed, len(replies))
		}
	}
	// Keep going a little on the new version, then stop and drain.
	for i := 0; i < 50; i++ {
		replies = append(replies, fr.next(t))
	}
	close(stop)
	if err := <-senderDone; err != nil {
		t.Fatalf("sending: %v", err)
	}
	mu.Lock()
	total, during := sent, sentDuring
	mu.Unlock()
	for len(replies) < total {
		replies = append(replies, fr.next(t))
	}

	// Every message answered once, in order, v1 then v2, never back.
	v1, v2 := 0, 0
	for i, r := range replies {
		version, seq, ok := strings.Cut(r, " ")
		if !ok || seq != fmt.Sprintf("seq:%d", i) {
			t.Fatalf("reply %d is %q: a message was lost or reordered", i, r)
		}
		switch version {
		case "v1":
			if v2 > 0 {
				t.Fatalf("reply %d came from v1 after v2 had answered", i)
			}
			v1++
		case "v2":
			v2++
		default:
			t.Fatalf("reply %d from unknown version %q", i, r)
		}
	}
	if v2 == 0 {
		t.Fatal("no reply came from v2")
	}
	t.Logf("live swap: %d messages, %d sent while the deploy ran, %d in flight (sent, unanswered) when v2 first answered; %d answered by v1, %d by v2; none lost or reordered; deploy took %v end to end",
		total, during, inFlightAtSwap, v1, v2, res.Took.Round(time.Millisecond))

	testkit.Send(t, c, "state")
	var st struct {
		Version string
		State   struct {
			Joined   string
			Messages int
		}
	}
	if err := json.Unmarshal([]byte(fr.next(t)), &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != "v2" || st.State.Joined != "v1" || st.State.Messages < total {
		t.Fatalf("after the swap: %+v, want v2 code with the state v1 set (joined v1, ≥ %d messages)", st, total)
	}
	if !storage {
		t.Log("room.storage is not installed by the platform yet: the storage part of this test did not run")
		return
	}
	testkit.Send(t, c, "get:before")
	if got := fr.next(t); got != "val:written-by-v1" {
		t.Fatalf("storage after the swap: %q", got)
	}
}

func TestDeployRejected(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t, "--max-upload", "1")
	dir := deployProject(t)
	mustGopk(t, s, dir, "deploy")
	stillV1 := func(t *testing.T) {
		t.Helper()
		if got := body(t, s.URL()+"/party/r1"); got != "v1" {
			t.Fatalf("the old version stopped answering: %q", got)
		}
	}
	refused := func(t *testing.T, r testkit.CLIResult, want ...string) {
		t.Helper()
		if r.Err == nil {
			t.Fatalf("deploy succeeded, want it refused:\n%s", r.Out)
		}
		for _, w := range want {
			if !strings.Contains(r.Out, w) {
				t.Errorf("output does not say %q:\n%s", w, r.Out)
			}
		}
		stillV1(t)
	}

	t.Run("module throws at evaluation", func(t *testing.T) {
		d := deployProject(t)
		testkit.WriteFile(t, d, "party/index.ts", `throw new Error("module-eval-boom");`+"\nexport default class X {}\n")
		refused(t, s.Gopk(d, "", "deploy"), "module-eval-boom", "HTTP 422", "previous version is still serving")
	})
	t.Run("TypeScript syntax error", func(t *testing.T) {
		d := deployProject(t)
		testkit.WriteFile(t, d, "party/index.ts", "export default class X {\n  onConnect() {\n    const x = ;\n  }\n}\n")
		refused(t, s.Gopk(d, "", "deploy"), "index.ts:3:")
	})
	t.Run("no default export", func(t *testing.T) {
		d := deployProject(t)
		testkit.WriteFile(t, d, "party/index.ts", "export const x = 1;\n")
		refused(t, s.Gopk(d, "", "deploy"), "no default export")
	})
	t.Run("wrong token", func(t *testing.T) {
		d := deployProject(t)
		setVersion(t, d, "v-intruder")
		r := s.GopkEnv(d, "", []string{"GOPK_HOST=" + s.URL(), "GOPK_TOKEN=gopk_not-the-right-token-at-all"}, "deploy")
		refused(t, r, "invalid token", "HTTP 401")
		r = s.GopkEnv(d, "", []string{"GOPK_HOST=" + s.URL()}, "deploy")
		refused(t, r, "no token")
		// Straight to the API, past the client's own checks.
		for _, auth := range []string{"", "Bearer nope", "Basic " + s.Token, "Bearer " + s.Token + "x"} {
			h := http.Header{}
			if auth != "" {
				h.Set("Authorization", auth)
			}
			resp := testkit.Do(t, http.MethodDelete, s.URL()+"/_gopk/v1/projects/deploy-app", "", h)
			if resp.Status != 401 {
				t.Errorf("DELETE with Authorization %q: %d %q, want 401", auth, resp.Status, resp.Body)
			}
		}
		stillV1(t)
	})
	t.Run("oversize upload", func(t *testing.T) {
		d := deployProject(t)
		big := make([]byte, 3<<20) // random: gzip cannot shrink it under 1 MiB
		rand.Read(big)
		if err := os.WriteFile(filepath.Join(d, "public", "big.bin"), big, 0o644); err != nil {
			t.Fatal(err)
		}
		refused(t, s.Gopk(d, "", "deploy"), "at most 1.0 MiB", "--max-upload")
		// The server refuses it too, when a client does not check first.
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/_gopk/v1/projects/deploy-app/versions", bytes.NewReader(big))
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "--max-upload") {
			t.Fatalf("raw oversize upload: %d %s", resp.StatusCode, msg)
		}
		// ...also a well-formed archive that does not say how big it is.
		var archive bytes.Buffer
		code := []byte("(function (module, exports, require) { module.exports = {}; })")
		if err := deploy.Pack(&archive, &deploy.Manifest{Name: "deploy-app"}, map[string][]byte{"main": code}, filepath.Join(d, "public")); err != nil {
			t.Fatal(err)
		}
		req, _ = http.NewRequest(http.MethodPost, s.URL()+"/_gopk/v1/projects/deploy-app/versions", io.MultiReader(&archive))
		req.Header.Set("Authorization", "Bearer "+s.Token)
		req.ContentLength = -1
		resp, err = http.DefaultClient.Do(req)
		if err == nil {
			msg, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "--max-upload") {
				t.Fatalf("chunked oversize upload: %d %s", resp.StatusCode, msg)
			}
		}
		stillV1(t)
	})
	t.Run("invalid project name", func(t *testing.T) {
		d := deployProject(t)
		r := s.Gopk(d, "", "deploy", "-n", "Not_A_Name")
		if r.Err == nil || !strings.Contains(r.Out, "Not_A_Name") {
			t.Fatalf("deploy -n Not_A_Name: %v\n%s", r.Err, r.Out)
		}
		resp := testkit.Do(t, http.MethodGet, s.URL()+"/_gopk/v1/projects/..%2Fetc", "", http.Header{"Authorization": {"Bearer " + s.Token}})
		if resp.Status != 400 && resp.Status != 404 {
			t.Fatalf("GET a project named ../etc: %d %q", resp.Status, resp.Body)
		}
	})
}

func TestDeployEnv(t *testing.T) {
	skipOnPartyKit(t)
	const secret = "s3cr3t-value-never-shown"
	s := testkit.StartServe(t)
	dir := deployProject(t)
	mustGopk(t, s, dir, "deploy")

	c := testkit.Dial(t, s.WSURL("/party/env-room"), nil)
	testkit.ReadText(t, c) // hello
	ask := func(q string) string {
		t.Helper()
		testkit.Send(t, c, q)
		return testkit.ReadText(t, c)
	}
	if got := ask("env:SECRET"); got != "env:undefined" {
		t.Fatalf("before env add: %q", got)
	}
	if got := ask("env:FROM_CONFIG"); got != "env:undefined" {
		t.Fatalf("a plain deploy sent the config vars (partykit deploy does not): %q", got)
	}

	if r := s.Gopk(dir, secret+"\n", "env", "add", "SECRET"); r.Err != nil || strings.Contains(r.Out, secret) {
		t.Fatalf("env add: %v\n%s", r.Err, r.Out)
	}
	if got := ask("env:SECRET"); got != "env:"+secret {
		t.Fatalf("room.env.SECRET after env add (same socket, no redeploy): %q", got)
	}
	out := mustGopk(t, s, dir, "env", "list")
	if !strings.Contains(out, "SECRET") || strings.Contains(out, secret) {
		t.Fatalf("env list must name SECRET and never show its value:\n%s", out)
	}

	mustGopk(t, s, dir, "env", "push")
	if got := ask("env:FROM_CONFIG"); got != "env:config-value-1" {
		t.Fatalf("after env push: %q", got)
	}
	pulled := filepath.Join(t.TempDir(), "pulled.json")
	mustGopk(t, s, dir, "env", "pull", pulled)
	data, err := os.ReadFile(pulled)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Name string
		Vars map[string]string
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Vars["SECRET"] != secret || doc.Vars["FROM_CONFIG"] != "config-value-1" || doc.Name != "deploy-app" {
		t.Fatalf("env pull wrote %s (%v)", data, err)
	}

	// The secret stays out of logs, tail, info and metrics, even when the
	// server's own code prints it.
	tail := startTail(t, s, dir, "--format", "json")
	tail.waitReady(t, c)
	if got := ask("logsecret"); got != "logged" {
		t.Fatalf("logsecret: %q", got)
	}
	e := tail.waitFor(t, func(e deploy.Entry) bool { return strings.HasPrefix(e.Message, "the secret is") })
	if strings.Contains(e.Message, secret) || !strings.Contains(e.Message, deploy.Redacted) {
		t.Fatalf("tail showed %q, want the secret masked", e.Message)
	}
	for what, text := range map[string]string{
		"server log": s.Logs(),
		"info":       mustGopk(t, s, dir, "info", "--format", "json"),
		"metrics":    body(t, s.URL()+"/metrics"),
		"tail":       tail.output(),
	} {
		if strings.Contains(text, secret) {
			t.Errorf("the %s shows the secret value", what)
		}
	}

	mustGopk(t, s, dir, "env", "remove", "SECRET")
	if got := ask("env:SECRET"); got != "env:undefined" {
		t.Fatalf("after env remove: %q", got)
	}
	if r := s.Gopk(dir, "", "env", "remove", "SECRET"); r.Err == nil || !strings.Contains(r.Out, "no env var") {
		t.Fatalf("removing a missing var: %v\n%s", r.Err, r.Out)
	}

	// --var and --with-vars go with the version and win over env.
	mustGopk(t, s, dir, "deploy", "--var", "FROM_CONFIG=from-cli")
	c2 := testkit.Dial(t, s.WSURL("/party/env-room-2"), nil)
	testkit.ReadText(t, c2)
	testkit.Send(t, c2, "env:FROM_CONFIG")
	if got := testkit.ReadText(t, c2); got != "env:from-cli" {
		t.Fatalf("deploy --var: %q", got)
	}
}

// tailProc is a running `gopk tail`.
type tailProc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	ents []deploy.Entry
	errs []string
}

func startTail(t *testing.T, s *testkit.Serve, dir string, args ...string) *tailProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, testkit.Binary(t), append([]string{"tail"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPK_HOST="+s.URL(), "GOPK_TOKEN="+s.Token)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tp := &tailProc{cmd: cmd}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-done
		_ = cmd.Wait()
	})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			tp.mu.Lock()
			tp.out.WriteString(sc.Text() + "\n")
			var e deploy.Entry
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				tp.ents = append(tp.ents, e)
			}
			tp.mu.Unlock()
		}
	}()
	return tp
}

func (tp *tailProc) output() string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return tp.out.String()
}

// waitReady logs through c until the tail shows it: the tail is subscribed.
func (tp *tailProc) waitReady(t *testing.T, c *websocket.Conn) {
	t.Helper()
	for i := 0; ; i++ {
		mark := fmt.Sprintf("ready-%d", i)
		testkit.Send(t, c, "log:"+mark)
		testkit.ReadText(t, c)
		deadline := time.Now().Add(200 * time.Millisecond)
		for time.Now().Before(deadline) {
			if strings.Contains(tp.output(), mark) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		if i > 100 {
			t.Fatalf("gopk tail never showed a log line; output:\n%s", tp.output())
		}
	}
}

func (tp *tailProc) waitFor(t *testing.T, match func(deploy.Entry) bool) deploy.Entry {
	t.Helper()
	deadline := time.Now().Add(testkit.IOTimeout)
	for time.Now().Before(deadline) {
		tp.mu.Lock()
		for _, e := range tp.ents {
			if match(e) {
				tp.mu.Unlock()
				return e
			}
		}
		tp.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("gopk tail did not show the entry; output:\n%s", tp.output())
	return deploy.Entry{}
}

func TestDeployTail(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t)
	dir := deployProject(t)
	mustGopk(t, s, dir, "deploy")
	c := testkit.Dial(t, s.WSURL("/party/tail-room"), nil)
	testkit.ReadText(t, c)

	all := startTail(t, s, dir, "--format", "json")
	errorsOnly := startTail(t, s, dir, "--format", "json", "--level", "error")
	otherRoom := startTail(t, s, dir, "--format", "json", "--room", "another-room")
	pretty := startTail(t, s, dir, "--party", "main")
	all.waitReady(t, c)
	pretty.waitReady(t, c)

	testkit.Send(t, c, "log:hello from the room")
	testkit.ReadText(t, c)
	e := all.waitFor(t, func(e deploy.Entry) bool { return e.Message == "log hello from the room" })
	if e.Party != "main" || e.Room != "tail-room" || e.Source != "console" || e.Project != "deploy-app" || e.Level != "INFO" {
		t.Fatalf("console entry = %+v", e)
	}
	testkit.Send(t, c, "throw")
	e = all.waitFor(t, func(e deploy.Entry) bool { return strings.Contains(e.Error, "boom from onMessage") })
	if e.Level != "ERROR" || !regexp.MustCompile(`party/index\.ts:\d+`).MatchString(e.Error) {
		t.Fatalf("error entry has no source-mapped stack: %+v", e)
	}
	errorsOnly.waitFor(t, func(e deploy.Entry) bool { return strings.Contains(e.Error, "boom from onMessage") })
	if out := errorsOnly.output(); strings.Contains(out, "hello from the room") {
		t.Fatalf("--level error showed an info line:\n%s", out)
	}
	if out := otherRoom.output(); strings.Contains(out, "tail-room") {
		t.Fatalf("--room another-room showed tail-room's lines:\n%s", out)
	}
	deadline := time.Now().Add(testkit.IOTimeout)
	for !strings.Contains(pretty.output(), "[main/tail-room] log hello from the room") {
		if time.Now().After(deadline) {
			t.Fatalf("pretty tail output:\n%s", pretty.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	r := testkit.Get(t, url)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d", url, r.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	return fams
}

// metricValue sums a family's samples whose labels include want.
func metricValue(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	sum := 0.0
next:
	for _, m := range f.Metric {
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func TestServeMetrics(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t, "--admin-listen", "127.0.0.1:0")
	// With --admin-listen the main listener has no /metrics and no admin API.
	if r := testkit.Get(t, s.URL()+"/_gopk/v1/server"); r.Status == 200 {
		t.Fatalf("admin API answered on the main listener with --admin-listen")
	}
	if r := testkit.Get(t, s.URL()+"/metrics"); strings.Contains(r.Body, "gopk_") {
		t.Fatalf("/metrics answered on the main listener with --admin-listen")
	}
	m := regexp.MustCompile(`"admin":"([^"]+)"`).FindStringSubmatch(s.Logs())
	if m == nil {
		t.Fatalf("the ready line does not give the admin address:\n%s", s.Logs())
	}
	admin := "http://" + m[1]
	scrape(t, admin+"/metrics")
	if r := testkit.Do(t, http.MethodGet, admin+"/_gopk/v1/server", "", http.Header{"Authorization": {"Bearer " + s.Token}}); r.Status != 200 {
		t.Fatalf("admin API on --admin-listen: %d %q", r.Status, r.Body)
	}
	t.Run("main listener", func(t *testing.T) {
		s := testkit.StartServe(t)
		dir := deployProject(t)
		mustGopk(t, s, dir, "deploy")
		p := map[string]string{"project": "deploy-app"}
		before := scrape(t, s.URL()+"/metrics")

		c := testkit.Dial(t, s.WSURL("/party/metrics-room"), nil)
		testkit.ReadText(t, c)
		for i := 0; i < 5; i++ {
			testkit.Send(t, c, fmt.Sprintf("seq:%d", i))
			testkit.ReadText(t, c)
		}
		testkit.Send(t, c, "throw")
		for i := 0; i < 3; i++ {
			body(t, s.URL()+"/party/metrics-room")
		}
		time.Sleep(100 * time.Millisecond)
		after := scrape(t, s.URL()+"/metrics")

		moved := func(name string, labels map[string]string, atLeast float64) {
			t.Helper()
			l := map[string]string{}
			for k, v := range p {
				l[k] = v
			}
			for k, v := range labels {
				l[k] = v
			}
			d := metricValue(after, name, l) - metricValue(before, name, l)
			if d < atLeast {
				t.Errorf("%s%v moved by %v, want ≥ %v", name, labels, d, atLeast)
			}
		}
		moved("gopk_connections_total", nil, 1)
		moved("gopk_websocket_messages_total", map[string]string{"direction": "in"}, 6)
		moved("gopk_websocket_messages_total", map[string]string{"direction": "out"}, 6)
		moved("gopk_websocket_bytes_total", map[string]string{"direction": "in"}, 30)
		moved("gopk_http_requests_total", map[string]string{"code": "200"}, 3)
		moved("gopk_http_requests_total", map[string]string{"code": "101"}, 1)
		moved("gopk_event_duration_seconds", map[string]string{"kind": "connect"}, 1)
		moved("gopk_errors_total", map[string]string{"party": "main"}, 1)
		moved("gopk_handler_duration_seconds", map[string]string{"party": "main", "handler": "onMessage"}, 6)
		moved("gopk_handler_duration_seconds", map[string]string{"party": "main", "handler": "onConnect"}, 1)
		if v := metricValue(after, "gopk_connections_open", p); v != 1 {
			t.Errorf("gopk_connections_open = %v, want 1", v)
		}
		if v := metricValue(after, "gopk_rooms_live", p); v < 1 {
			t.Errorf("gopk_rooms_live = %v", v)
		}
		if v := metricValue(after, "gopk_deploys_total", map[string]string{"project": "deploy-app", "result": "ok"}); v != 1 {
			t.Errorf("gopk_deploys_total{result=ok} = %v, want 1", v)
		}
		if hasStorage(t, s) {
			testkit.Send(t, c, "put:k=v")
			testkit.ReadText(t, c)
			if v := metricValue(scrape(t, s.URL()+"/metrics"), "gopk_storage_sync_duration_seconds", nil); v < 1 {
				t.Errorf("no storage sync observed after a put")
			}
		}
		c.Close()
		testkit.Eventually(t, testkit.IOTimeout, func() (bool, string) {
			v := metricValue(scrape(t, s.URL()+"/metrics"), "gopk_connections_open", p)
			return v == 0, fmt.Sprint("gopk_connections_open = ", v)
		})
	})
}

// TestServeSigterm: SIGTERM under load closes every socket with 1001, loses
// no acknowledged write and exits in bounded time.
func TestServeSigterm(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t)
	dir := deployProject(t)
	mustGopk(t, s, dir, "deploy")
	storage := hasStorage(t, s)
	const clients = 8

	type result struct {
		acked []string
		close *websocket.CloseError
		err   error
	}
	results := make([]result, clients)
	var wg sync.WaitGroup
	loaded := make(chan struct{}, clients)
	for i := range clients {
		c := testkit.Dial(t, s.WSURL(fmt.Sprintf("/party/load-%d", i)), nil)
		testkit.ReadText(t, c)
		// At most 64 messages unanswered per client: a busy client, not one
		// that stops reading (that one the server disconnects on purpose).
		window := make(chan struct{}, 64)
		readerDone := make(chan struct{})
		wg.Add(2)
		go func() { // writer
			defer wg.Done()
			for j := 0; ; j++ {
				select {
				case window <- struct{}{}:
				case <-readerDone:
					return
				}
				msg := fmt.Sprintf("seq:%d", j)
				if storage {
					msg = fmt.Sprintf("put:k%d=v%d", j, j)
				}
				c.SetWriteDeadline(time.Now().Add(testkit.IOTimeout))
				if c.WriteMessage(websocket.TextMessage, []byte(msg)) != nil {
					return
				}
				if j == 20 {
					loaded <- struct{}{}
				}
			}
		}()
		go func() { // reader: acks until the close frame
			defer wg.Done()
			defer close(readerDone)
			r := &results[i]
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			for {
				_, data, err := c.ReadMessage()
				if err != nil {
					if !errors.As(err, &r.close) {
						r.err = err
					}
					c.Close()
					return
				}
				if k, ok := strings.CutPrefix(string(data), "ok:"); ok {
					r.acked = append(r.acked, k)
				}
				select {
				case <-window:
				default:
				}
			}
		}()
	}
	for range clients {
		<-loaded
	}
	start := time.Now()
	s.Signal(syscall.SIGTERM)
	err, exited := s.WaitExit(20 * time.Second)
	took := time.Since(start)
	if !exited {
		t.Fatal("gopk serve did not exit within 20 s of SIGTERM")
	}
	if err != nil {
		t.Fatalf("gopk serve exited with %v", err)
	}
	wg.Wait()
	acked := 0
	for i, r := range results {
		if r.close == nil || r.close.Code != websocket.CloseGoingAway {
			t.Errorf("client %d: closed with %v / %v, want a 1001 close frame", i, r.close, r.err)
		}
		acked += len(r.acked)
	}
	t.Logf("SIGTERM under load (%d sockets): exited after %v; %d writes acknowledged", clients, took.Round(time.Millisecond), acked)
	if !storage {
		t.Log("room.storage is not installed by the platform yet: the durability part of this test did not run")
		return
	}
	if acked == 0 {
		t.Fatal("no write was acknowledged before the shutdown: the test proves nothing")
	}
	s.Restart()
	for i, r := range results {
		c := testkit.Dial(t, s.WSURL(fmt.Sprintf("/party/load-%d", i)), nil)
		testkit.ReadText(t, c)
		for _, k := range r.acked {
			testkit.Send(t, c, "get:"+k)
			want := "val:v" + strings.TrimPrefix(k, "k")
			if got := testkit.ReadText(t, c); got != want {
				t.Fatalf("client %d: acknowledged write %s lost after SIGTERM: got %q, want %q", i, k, got, want)
			}
		}
	}
}

// BenchmarkDeployToActive: `gopk deploy` of a small project, from starting
// the command to the new version answering (client build and upload
// included); server-ms is the server's share, from upload end to active.
func BenchmarkDeployToActive(b *testing.B) {
	skipOnPartyKit(b)
	s := testkit.StartServe(b)
	dir := deployProject(b)
	mustGopk(b, s, dir, "deploy")
	c := testkit.Dial(b, s.WSURL("/party/bench-room"), nil)
	testkit.ReadText(b, c)
	i := 0
	var serverMS float64
	re := regexp.MustCompile(`active (\d+) ms`)
	for b.Loop() {
		i++
		v := fmt.Sprintf("bench-%d", i)
		b.StopTimer()
		setVersion(b, dir, v)
		b.StartTimer()
		out := mustGopk(b, s, dir, "deploy")
		for body(b, s.URL()+"/party/bench-room") != v {
		}
		if m := re.FindStringSubmatch(out); m != nil {
			var ms float64
			fmt.Sscan(m[1], &ms)
			serverMS += ms
		}
	}
	b.ReportMetric(serverMS/float64(i), "server-ms/op")
}

// TestServeCheckpoint: `gopk checkpoint` copies storage and versions while
// the server runs, and a server started on the copy serves the same.
func TestServeCheckpoint(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t)
	dir := deployProject(t)
	mustGopk(t, s, dir, "deploy")
	c := testkit.Dial(t, s.WSURL("/party/kept"), nil)
	testkit.ReadText(t, c)
	testkit.Send(t, c, "put:answer=42")
	if got := testkit.ReadText(t, c); got != "ok:answer" {
		t.Fatalf("put: %q", got)
	}
	out := mustGopk(t, s, dir, "checkpoint")
	m := regexp.MustCompile(`written on the server to (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("checkpoint output:\n%s", out)
	}
	// `gopk backup` of the storage directory reaches the running server too.
	backup := filepath.Join(t.TempDir(), "backup")
	if r := s.Gopk(dir, "", "backup", "--data", filepath.Join(s.DataDir, "storage"), backup); r.Err != nil {
		t.Fatalf("gopk backup of a running serve: %v\n%s", r.Err, r.Out)
	}
	// Written after the checkpoint: must not be in it.
	testkit.Send(t, c, "put:answer=43")
	testkit.ReadText(t, c)

	restored := testkit.StartServe(t, "--data", m[1])
	if got := body(t, restored.URL()+"/party/kept"); got != "v1" {
		t.Fatalf("the restored server serves %q", got)
	}
	c2 := testkit.Dial(t, restored.WSURL("/party/kept"), nil)
	testkit.ReadText(t, c2)
	testkit.Send(t, c2, "get:answer")
	if got := testkit.ReadText(t, c2); got != "val:42" {
		t.Fatalf("storage in the checkpoint: %q, want val:42", got)
	}
}

// TestDeployClientBuild: serve.build is bundled for the browser on deploy,
// with PARTYKIT_HOST the project's public host, and served from the version.
func TestDeployClientBuild(t *testing.T) {
	skipOnPartyKit(t)
	s := testkit.StartServe(t, "--domain", "rooms.test")
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "partykit.json", `{"name": "client-app", "main": "party/index.ts",
  "serve": {"path": "public", "build": "src/client.ts"}}`)
	testkit.WriteFile(t, dir, "party/index.ts", versionedServer("c1"))
	testkit.WriteFile(t, dir, "public/index.html", `<script type="module" src="/dist/client.js"></script>`)
	testkit.WriteFile(t, dir, "src/client.ts", "declare const PARTYKIT_HOST: string;\nconsole.log(`connecting to ${PARTYKIT_HOST}`);\n")
	mustGopk(t, s, dir, "deploy")
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/dist/client.js", nil)
	req.Host = "client-app.rooms.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(js), "client-app.rooms.test") {
		t.Fatalf("GET /dist/client.js: %d\n%s", resp.StatusCode, js)
	}
}
