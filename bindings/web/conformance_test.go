package web_test

import (
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/gorilla/websocket"

	"gopk/bindings/clone"
	"gopk/bindings/es"
	"gopk/bindings/host"
	"gopk/bindings/intl"
	"gopk/bindings/node"
	"gopk/bindings/wasm"
	"gopk/bindings/web"
	"gopk/runtime/eventloop"
)

//go:embed testdata/conformance.js
var conformanceJS string

// knownGaps are workerd globals (PARTYKIT.md §11) that no gopk binding
// provides yet. The test fails if one of them starts to exist (so the list
// shrinks), and reports them on every run; they are not silently passed.
var knownGaps = map[string]string{}

func conformanceServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Reply", "yes")
		w.WriteHeader(201)
		fmt.Fprintf(w, "hello %s", r.Header.Get("X-Ask"))
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		for _, s := range []string{"a;", "b;", "c;"} {
			fmt.Fprint(w, s)
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/hello", http.StatusFound) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	up := websocket.Upgrader{}
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			kind, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			_ = c.WriteMessage(kind, append([]byte("echo:"), data...))
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestGlobalsConformance runs testdata/conformance.js in a VM set up as a
// room's is (ES built-ins, Intl, structuredClone, the Workers globals and
// require), one result per item.
func TestGlobalsConformance(t *testing.T) {
	srv := conformanceServer(t)
	loop := eventloop.New(eventloop.Options{})
	go loop.Run()
	t.Cleanup(loop.Stop)

	type result struct {
		Name   string
		OK     bool
		Detail string
	}
	results := make(chan []result, 1)
	failed := make(chan error, 1)
	loop.Post(func() {
		vm := goja.New()
		env := host.Env{Loop: loop, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := es.Install(vm); err != nil {
			failed <- err
			return
		}
		if err := intl.Install(vm); err != nil {
			failed <- err
			return
		}
		clone.Install(vm)
		g, err := web.Install(vm, env, web.Options{ProcessEnv: map[string]string{"FROM_DOTENV": "yes"}})
		if err != nil {
			failed <- err
			return
		}
		if err := wasm.Install(vm, env); err != nil {
			failed <- err
			return
		}
		fnv, err := vm.RunScript("conformance.js", conformanceJS)
		if err != nil {
			failed <- err
			return
		}
		fn, _ := goja.AssertFunction(fnv)
		p, err := fn(goja.Undefined(), node.NewRequire(vm, env, g), vm.ToValue(srv.URL))
		if err != nil {
			failed <- err
			return
		}
		then, _ := goja.AssertFunction(p.ToObject(vm).Get("then"))
		_, _ = then(p, vm.ToValue(func(c goja.FunctionCall) goja.Value {
			var rs []result
			vm.ForOf(c.Argument(0), func(v goja.Value) bool {
				o := v.ToObject(vm)
				rs = append(rs, result{Name: o.Get("name").String(), OK: o.Get("ok").ToBoolean(), Detail: o.Get("detail").String()})
				return true
			})
			results <- rs
			return goja.Undefined()
		}))
	})
	var rs []result
	select {
	case rs = <-results:
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("conformance checks did not finish")
	}
	if len(rs) < 80 {
		t.Fatalf("only %d checks ran", len(rs))
	}
	passed := 0
	for _, r := range rs {
		gap, isGap := knownGaps[r.Name]
		switch {
		case isGap && r.OK:
			t.Errorf("%s now passes: remove it from knownGaps", r.Name)
		case isGap:
			t.Logf("KNOWN GAP %s: %s", r.Name, gap)
		case !r.OK:
			t.Errorf("FAIL %s: %s", r.Name, r.Detail)
		default:
			passed++
		}
	}
	t.Logf("%d of %d conformance checks pass; %d known gaps", passed, len(rs), len(knownGaps))
}
