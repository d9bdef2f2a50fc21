package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func fetchServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Reply", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.WriteHeader(201)
		fmt.Fprintf(w, "hi %s %s ua=%q", r.Method, r.Header.Get("X-Ask"), r.Header.Get("User-Agent"))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		w.Write(b)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "chunk%d;", i)
			w.(http.Flusher).Flush()
			time.Sleep(30 * time.Millisecond)
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hello", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetch(t *testing.T) {
	srv := fetchServer(t)
	r := newTestRoom(t, Options{})
	r.eval(fmt.Sprintf("globalThis.base = %q", srv.URL))
	runCases(t, r, []jsCase{
		{"status, headers, text", `fetch(base + "/hello", {headers: {"x-ask": "q"}}).then(async res => [res.status, res.ok, res.statusText, res.headers.get("x-reply"), res.headers.getSetCookie(), await res.text(), res.url === base + "/hello", res.redirected])`,
			`[201,true,"Created","yes",["a=1","b=2"],"hi GET q ua=\"\"",true,false]`},
		{"POST body echo", `fetch(base + "/echo", {method: "POST", body: JSON.stringify({a: 1}), headers: {"content-type": "application/json"}}).then(res => res.json())`, `{"a":1}`},
		{"Request object input", `fetch(new Request(base + "/echo", {method: "PUT", body: "from request"})).then(res => res.text())`, `"from request"`},
		{"stream request body", `fetch(base + "/echo", {method: "POST", body: new ReadableStream({start(c) { c.enqueue(new TextEncoder().encode("s1")); c.enqueue(new TextEncoder().encode("s2")); c.close(); }})}).then(res => res.text())`, `"s1s2"`},
		{"streamed body arrives in chunks", `fetch(base + "/stream").then(async res => { const reader = res.body.getReader(); const chunks = []; for (;;) { const {value, done} = await reader.read(); if (done) break; chunks.push(new TextDecoder().decode(value)); } return [chunks.length >= 2, chunks.join("")]; })`, `[true,"chunk0;chunk1;chunk2;"]`},
		{"body through TextDecoderStream and async iteration", `fetch(base + "/stream").then(async res => { let out = ""; const reader = res.body.pipeThrough(new TextDecoderStream()).getReader(); for (;;) { const {value, done} = await reader.read(); if (done) return out; out += value; } })`, `"chunk0;chunk1;chunk2;"`},
		{"redirect followed", `fetch(base + "/redirect").then(async res => [res.status, res.redirected, res.url === base + "/hello", (await res.text()).slice(0, 6)])`, `[201,true,true,"hi GET"]`},
		{"redirect manual", `fetch(base + "/redirect", {redirect: "manual"}).then(res => [res.status, res.headers.get("location")])`, `[302,"/hello"]`},
		{"redirect error", `fetch(base + "/redirect", {redirect: "error"}).catch(e => [e.name, e.message])`, `["TypeError","Fetch API cannot load: redirect mode is \"error\" and the response redirected"]`},
		{"abort before response", `const c = new AbortController(); const p = fetch(base + "/slow", {signal: c.signal}); setTimeout(() => c.abort(), 20); p.catch(e => [e.name, c.signal.aborted])`, `["AbortError",true]`},
		{"already aborted", `fetch(base + "/hello", {signal: AbortSignal.abort("no")}).catch(e => e)`, `"no"`},
		{"timeout", `fetch(base + "/slow", {signal: AbortSignal.timeout(30)}).catch(e => e.name)`, `"TimeoutError"`},
		{"abort while reading body", `const c = new AbortController(); fetch(base + "/stream", {signal: c.signal}).then(async res => { const reader = res.body.getReader(); await reader.read(); c.abort(); try { for (;;) { const {done} = await reader.read(); if (done) return "finished"; } } catch (e) { return [e.name, e instanceof DOMException, e === c.signal.reason]; } })`, `["AbortError",true,true]`},
		{"connection refused", `fetch("http://127.0.0.1:1/").catch(e => [e.name, e.message.startsWith("fetch failed")])`, `["TypeError",true]`},
		{"non-http scheme", `fetch("ftp://x/").catch(e => e.message)`, `"Fetch API cannot load: ftp://x/"`},
	})
}

func TestFetchResponseStreamToGo(t *testing.T) {
	r := newTestRoom(t, Options{})
	ch := make(chan *OutgoingResponse, 1)
	r.do(func() {
		v, err := r.vm.RunString(`new Response(new ReadableStream({ async pull(c) { globalThis.n = (globalThis.n || 0) + 1; if (n > 3) { c.close(); return; } await new Promise(ok => setTimeout(ok, 5)); c.enqueue(new TextEncoder().encode("part" + n + ";")); } }))`)
		if err != nil {
			t.Fatal(err)
		}
		r.g.AwaitResponse(v, func(resp *OutgoingResponse, err error) {
			if err != nil {
				t.Error(err)
			}
			ch <- resp
		})
	})
	resp := <-ch
	if resp.Stream == nil || resp.Body != nil {
		t.Fatalf("want a stream body, got %+v", resp)
	}
	b, err := io.ReadAll(resp.Stream)
	resp.Stream.Close()
	if err != nil || string(b) != "part1;part2;part3;" {
		t.Fatalf("streamed body = %q, %v", b, err)
	}
	_ = strings.Contains
}
