package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

func TestEvents(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"dispatch order, this, target", `const t = new EventTarget(); const log = []; t.addEventListener("x", function (e) { log.push(["f", this === t, e.target === t, e.currentTarget === t, e.eventPhase]); }); t.addEventListener("x", {handleEvent(e) { log.push(["o", e.type]); }}); t.dispatchEvent(new Event("x")); log`, `[["f",true,true,true,2],["o","x"]]`},
		{"duplicate listener ignored", `const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener("x", f); t.addEventListener("x", f); t.dispatchEvent(new Event("x")); n`, `1`},
		{"once", `const t = new EventTarget(); let n = 0; t.addEventListener("x", () => n++, {once: true}); t.dispatchEvent(new Event("x")); t.dispatchEvent(new Event("x")); n`, `1`},
		{"remove", `const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener("x", f); t.removeEventListener("x", f); t.dispatchEvent(new Event("x")); n`, `0`},
		{"signal removes", `const t = new EventTarget(); const c = new AbortController(); let n = 0; t.addEventListener("x", () => n++, {signal: c.signal}); t.dispatchEvent(new Event("x")); c.abort(); t.dispatchEvent(new Event("x")); n`, `1`},
		{"stopImmediatePropagation", `const t = new EventTarget(); const log = []; t.addEventListener("x", e => { log.push(1); e.stopImmediatePropagation(); }); t.addEventListener("x", () => log.push(2)); t.dispatchEvent(new Event("x")); log`, `[1]`},
		{"preventDefault", `const t = new EventTarget(); t.addEventListener("x", e => e.preventDefault()); [t.dispatchEvent(new Event("x", {cancelable: true})), t.dispatchEvent(new Event("x"))]`, `[false,true]`},
		{"passive ignores preventDefault", `const t = new EventTarget(); t.addEventListener("x", e => e.preventDefault(), {passive: true}); t.dispatchEvent(new Event("x", {cancelable: true}))`, `true`},
		{"throwing listener is reported, others run", `const t = new EventTarget(); const log = []; t.addEventListener("x", () => { throw new Error("listener boom"); }); t.addEventListener("x", () => log.push("second")); t.dispatchEvent(new Event("x")); log`, `["second"]`},
		{"re-dispatch while dispatching", `const t = new EventTarget(); const e = new Event("x"); let err; t.addEventListener("x", () => { try { t.dispatchEvent(e) } catch (x) { err = x.name } }); t.dispatchEvent(e); err`, `"InvalidStateError"`},
		{"subclassing EventTarget", `class Room extends EventTarget {}; const r = new Room(); let got; r.addEventListener("m", e => got = e.data); r.dispatchEvent(new MessageEvent("m", {data: "hi"})); [got, r instanceof EventTarget]`, `["hi",true]`},
		{"MessageEvent", `const e = new MessageEvent("message", {data: {a: 1}, origin: "o"}); [e.type, e.data.a, e.origin, e.lastEventId, e.source, e.ports.length, e instanceof Event]`, `["message",1,"o","",null,0,true]`},
		{"CloseEvent", `const e = new CloseEvent("close", {code: 1000, reason: "bye", wasClean: true}); [e.code, e.reason, e.wasClean, new CloseEvent("close").code]`, `[1000,"bye",true,0]`},
		{"ErrorEvent", `const err = new Error("x"); const e = new ErrorEvent("error", {message: "m", error: err}); [e.message, e.error === err, e.lineno]`, `["m",true,0]`},
		{"CustomEvent", `new CustomEvent("c", {detail: 5}).detail`, `5`},
		{"Event needs a type", `new Event()`, `throws TypeError: Event constructor: the type argument is required`},
		{"Event fields", `const e = new Event("x", {bubbles: true}); [e.bubbles, e.cancelable, e.defaultPrevented, e.isTrusted, typeof e.timeStamp, Event.AT_TARGET, Object.prototype.toString.call(e)]`, `[true,false,false,false,"number",2,"[object Event]"]`},
		{"DOMException", `const e = new DOMException("msg", "NotFoundError"); [e.name, e.message, e.code, e instanceof Error, DOMException.NOT_FOUND_ERR, String(e), Object.prototype.toString.call(e)]`, `["NotFoundError","msg",8,true,8,"NotFoundError: msg","[object DOMException]"]`},
		{"DOMException defaults and options", `[new DOMException().name, new DOMException("m", {name: "AbortError", cause: 1}).cause, new DOMException("m", {name: "AbortError"}).code]`, `["Error",1,20]`},
		{"AbortController", `const c = new AbortController(); const log = []; c.signal.onabort = e => log.push(e.type); c.signal.addEventListener("abort", () => log.push("listener")); c.abort(); c.abort(); [c.signal.aborted, c.signal.reason.name, log]`, `[true,"AbortError",["abort","listener"]]`},
		{"abort reason", `const c = new AbortController(); c.abort("why"); [c.signal.reason, (() => { try { c.signal.throwIfAborted() } catch (e) { return e } })()]`, `["why","why"]`},
		{"AbortSignal.abort", `const s = AbortSignal.abort(); [s.aborted, s.reason instanceof DOMException, s.reason.name]`, `[true,true,"AbortError"]`},
		{"AbortSignal.timeout", `const s = AbortSignal.timeout(5); new Promise(res => s.addEventListener("abort", () => res([s.aborted, s.reason.name])))`, `[true,"TimeoutError"]`},
		{"AbortSignal.any", `const a = new AbortController(), b = new AbortController(); const s = AbortSignal.any([a.signal, b.signal]); b.abort("b"); [s.aborted, s.reason, AbortSignal.any([AbortSignal.abort(1)]).reason]`, `[true,"b",1]`},
		{"AbortSignal is not constructible", `new AbortSignal()`, `throws TypeError: Illegal constructor`},
	})
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Error(), "listener boom") {
		t.Fatalf("reported errors = %v, want the listener's", r.errs)
	}
}

func TestHeadersRequestResponse(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"headers basics", `const h = new Headers({"Content-Type": "text/plain", "X-A": " 1 "}); h.append("x-a", "2"); [h.get("content-type"), h.get("X-A"), h.has("x-b"), h.get("x-b"), [...h]]`, `["text/plain","1, 2",false,null,[["content-type","text/plain"],["x-a","1, 2"]]]`},
		{"headers from pairs and Headers", `const h = new Headers([["b", "2"], ["a", "1"]]); [[...new Headers(h).keys()], [...h.values()]]`, `[["a","b"],["1","2"]]`},
		{"set-cookie kept apart", `const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2"); [h.get("set-cookie"), h.getSetCookie(), [...h]]`, `["a=1, b=2",["a=1","b=2"],[["set-cookie","a=1"],["set-cookie","b=2"]]]`},
		{"set and delete", `const h = new Headers([["a", "1"], ["a", "2"]]); h.set("A", "3"); const x = h.get("a"); h.delete("a"); [x, h.has("a")]`, `["3",false]`},
		{"invalid name", `new Headers({"bad name": "x"})`, `throws TypeError: Headers.append: invalid header name "bad name"`},
		{"invalid value", `new Headers().set("a", "x\ny")`, `throws TypeError: Headers.set: invalid header value "x\ny"`},
		{"forEach", `const out = []; new Headers({b: "2", a: "1"}).forEach((v, k) => out.push(k + "=" + v)); out`, `["a=1","b=2"]`},
		{"response defaults", `const r = new Response(); [r.status, r.ok, r.statusText, r.body, r.bodyUsed, r.type, r.url, r.redirected]`, `[200,true,"",null,false,"default","",false]`},
		{"response text", `const r = new Response("héllo", {status: 201, statusText: "Made", headers: {"x-y": "z"}}); r.text().then(t => [t, r.status, r.statusText, r.headers.get("content-type"), r.headers.get("x-y"), r.bodyUsed])`, `["héllo",201,"Made","text/plain;charset=UTF-8","z",true]`},
		{"body used twice", `const r = new Response("x"); r.text().then(() => r.text())`, `rejects TypeError: Body has already been used. It can only be used once. Use tee() first if you need to read it twice.`},
		{"json", `new Response('{"a":[1,2]}').json()`, `{"a":[1,2]}`},
		{"bad json rejects", `new Response("{nope").json().catch(e => e.name)`, `"SyntaxError"`},
		{"arrayBuffer copies input", `const src = new Uint8Array([1, 2, 3]); const r = new Response(src); src[0] = 9; r.arrayBuffer().then(b => [b instanceof ArrayBuffer, [...new Uint8Array(b)]])`, `[true,[1,2,3]]`},
		{"bytes", `new Response(new Uint8Array([7, 8]).buffer).bytes().then(b => [b instanceof Uint8Array, [...b]])`, `[true,[7,8]]`},
		{"URLSearchParams body", `const r = new Response(new URLSearchParams({a: "b c"})); r.text().then(t => [t, r.headers.get("content-type")])`, `["a=b+c","application/x-www-form-urlencoded;charset=UTF-8"]`},
		{"Response.json", `const r = Response.json({ok: true}, {status: 202, headers: {"x": "1"}}); r.json().then(j => [j, r.status, r.headers.get("content-type"), r.headers.get("x")])`, `[{"ok":true},202,"application/json","1"]`},
		{"Response.json keeps given content-type", `Response.json(1, {headers: {"content-type": "application/vnd+json"}}).headers.get("content-type")`, `"application/vnd+json"`},
		{"Response.redirect", `const r = Response.redirect("https://e.com/x", 301); [r.status, r.headers.get("location"), (() => { try { r.headers.set("a", "b") } catch (e) { return e.message } })()]`, `[301,"https://e.com/x","Can't modify immutable headers."]`},
		{"Response.redirect bad status", `Response.redirect("https://e.com/", 200)`, `throws RangeError: Invalid redirect status code 200`},
		{"Response.error", `const r = Response.error(); [r.type, r.status, r.ok]`, `["error",0,false]`},
		{"status range", `new Response("", {status: 600})`, `throws RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive. Got 600.`},
		{"null body status", `new Response("x", {status: 204})`, `throws TypeError: Response with null body status (204) cannot have a body.`},
		{"clone is independent", `const r = new Response("abc"); const c = r.clone(); Promise.all([r.text(), c.text()])`, `["abc","abc"]`},
		{"clone after use", `const r = new Response("abc"); r.text().then(() => r.clone())`, `rejects TypeError: Cannot clone a body that has already been used.`},
		{"request basics", `const q = new Request("https://h/p?x=1", {method: "post", body: "hi", headers: {a: "1"}}); q.text().then(t => [q.method, q.url, q.headers.get("a"), q.headers.get("content-type"), t, q.redirect, q.signal.aborted])`, `["POST","https://h/p?x=1","1","text/plain;charset=UTF-8","hi","follow",false]`},
		{"request custom method kept", `new Request("https://h/", {method: "Purge"}).method`, `"Purge"`},
		{"request GET with body", `new Request("https://h/", {body: "x"})`, `throws TypeError: Request with a GET or HEAD method cannot have a body.`},
		{"request relative URL", `new Request("/relative")`, `throws TypeError: Invalid URL: /relative`},
		{"request from request", `const a = new Request("https://h/", {method: "PUT", body: "b", headers: {k: "v"}}); const b = new Request(a, {headers: {k2: "v2"}}); b.text().then(t => [b.method, b.headers.get("k"), b.headers.get("k2"), t, a.bodyUsed])`, `["PUT",null,"v2","b",true]`},
		{"request clone", `const a = new Request("https://h/", {method: "POST", body: "b"}); const c = a.clone(); Promise.all([a.text(), c.text(), c.method])`, `["b","b","POST"]`},
		{"request URL object", `new Request(new URL("https://h/a b")).url`, `"https://h/a%20b"`},
		{"tags", `[Object.prototype.toString.call(new Headers()), Object.prototype.toString.call(new Request("http://h/")), Object.prototype.toString.call(new Response())]`, `["[object Headers]","[object Request]","[object Response]"]`},
		{"101 needs webSocket", `new Response(null, {status: 101})`, `throws RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive. Got 101.`},
	})
}

func TestGoRequestResponseBridge(t *testing.T) {
	r := newTestRoom(t, Options{})
	var req *goja.Object
	r.do(func() {
		var err error
		req, err = r.g.NewRequest("POST", "https://room.example/parties/main/r1?x=1",
			http.Header{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}}, []byte(`{"n":1}`))
		if err != nil {
			t.Fatal(err)
		}
		r.vm.Set("incoming", req)
	})
	got := r.settle(`incoming.json().then(j => [incoming.method, incoming.url, incoming.headers.get("x-multi"), j.n, incoming instanceof Request])`)
	if got != `["POST","https://room.example/parties/main/r1?x=1","a, b",1,true]` {
		t.Fatalf("incoming request in JS: %s", got)
	}

	// A handler's answer, directly and as a promise, converts to Go.
	type result struct {
		resp *OutgoingResponse
		err  error
	}
	await := func(src string) result {
		ch := make(chan result, 1)
		r.do(func() {
			v, err := r.vm.RunString(src)
			if err != nil {
				t.Fatal(err)
			}
			r.g.AwaitResponse(v, func(resp *OutgoingResponse, err error) { ch <- result{resp, err} })
		})
		return <-ch
	}
	res := await(`new Response("plain", {status: 203, headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-k", "v"]]})`)
	if res.err != nil || res.resp.Status != 203 || string(res.resp.Body) != "plain" ||
		strings.Join(res.resp.Header.Values("Set-Cookie"), "|") != "a=1|b=2" || res.resp.Header.Get("X-K") != "v" {
		t.Fatalf("direct response: %+v %v", res.resp, res.err)
	}
	res = await(`new Promise(ok => setTimeout(() => ok(Response.json({late: true})), 5))`)
	if res.err != nil || string(res.resp.Body) != `{"late":true}` || res.resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("promised response: %+v %v", res.resp, res.err)
	}
	res = await(`(async () => { throw new TypeError("handler failed") })()`)
	var jsErr *JSError
	if res.err == nil || !errorAs(res.err, &jsErr) || jsErr.Message != "TypeError: handler failed" {
		t.Fatalf("rejection: %v", res.err)
	}
	res = await(`({status: 200})`)
	if res.err == nil || !strings.Contains(res.err.Error(), "expected a Response, got an object of class Object") {
		t.Fatalf("non-Response: %v", res.err)
	}
	res = await(`undefined`)
	if res.err == nil || !strings.Contains(res.err.Error(), "got undefined") {
		t.Fatalf("undefined: %v", res.err)
	}
	res = await(`new Response(null, {status: 204})`)
	if res.err != nil || res.resp.Body != nil || res.resp.Status != 204 {
		t.Fatalf("null body: %+v %v", res.resp, res.err)
	}

	// Go-made Responses (room-to-room answers) read back in JS.
	r.do(func() {
		resp, err := r.g.NewResponse(202, "Accepted", http.Header{"X-From": {"stub"}}, []byte("stub body"))
		if err != nil {
			t.Fatal(err)
		}
		r.vm.Set("stubResp", resp)
		if !r.g.IsResponse(resp) || r.g.IsRequest(resp) || !r.g.IsRequest(req) || r.g.IsResponse(r.vm.ToValue(1)) {
			t.Fatal("IsResponse/IsRequest misclassify")
		}
	})
	if got := r.settle(`stubResp.text().then(t => [stubResp.status, stubResp.statusText, stubResp.headers.get("x-from"), t])`); got != `[202,"Accepted","stub","stub body"]` {
		t.Fatalf("NewResponse in JS: %s", got)
	}

	// A rewritten request from an edge hook.
	r.do(func() {
		v, err := r.vm.RunString(`incoming.headers.set("x-user", "u1"); new Request(incoming.url, {method: "PUT", headers: incoming.headers, body: "new"})`)
		if err != nil {
			t.Fatal(err)
		}
		out, ok := r.g.ExportRequest(v)
		if !ok || out.Method != "PUT" || out.URL != "https://room.example/parties/main/r1?x=1" ||
			out.Header.Get("X-User") != "u1" || string(out.Body) != "new" {
			t.Fatalf("ExportRequest: %+v %v", out, ok)
		}
		if _, ok := r.g.ExportRequest(r.vm.ToValue("not a request")); ok {
			t.Fatal("ExportRequest accepted a string")
		}
	})
}

func TestBlobFormData(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"Blob", `const b = new Blob(["ab", new Uint8Array([99]), new Blob(["d"])], {type: "Text/Plain"}); Promise.all([b.size, b.type, b.text(), b.slice(1, 3).text(), b.arrayBuffer().then(a => a.byteLength)])`, `[4,"text/plain","abcd","bc",4]`},
		{"Blob stream", `new Response(new Blob(["xyz"]).stream()).text()`, `"xyz"`},
		{"File", `const f = new File(["hi"], "a.txt", {type: "text/plain", lastModified: 5}); [f.name, f.lastModified, f.size, f instanceof Blob, Object.prototype.toString.call(f)]`, `["a.txt",5,2,true,"[object File]"]`},
		{"FormData ops", `const fd = new FormData(); fd.append("a", "1"); fd.append("a", "2"); fd.append("f", new Blob(["x"]), "x.bin"); fd.set("b", 3); const before = fd.getAll("a"); fd.set("a", "9"); [before, fd.get("a"), fd.get("b"), fd.get("f").name, [...fd.keys()], fd.has("z")]`, `[["1","2"],"9","3","x.bin",["a","f","b"],false]`},
		{"Blob body", `const r = new Response(new Blob(["<p>"], {type: "text/html"})); r.text().then(t => [t, r.headers.get("content-type")])`, `["<p>","text/html"]`},
		{"FormData round trip through multipart", `const fd = new FormData(); fd.append("name", "ann"); fd.append("doc", new File(["file body"], "d.txt", {type: "text/plain"})); const req = new Request("https://h/", {method: "POST", body: fd}); const ct = req.headers.get("content-type"); req.formData().then(async back => [ct.startsWith("multipart/form-data; boundary="), back.get("name"), back.get("doc").name, back.get("doc").type, await back.get("doc").text()])`, `[true,"ann","d.txt","text/plain","file body"]`},
		{"urlencoded formData", `new Response("a=1&b=x+y", {headers: {"content-type": "application/x-www-form-urlencoded"}}).formData().then(fd => [fd.get("a"), fd.get("b")])`, `["1","x y"]`},
		{"formData needs a form type", `new Response("x").formData().catch(e => e.name)`, `"TypeError"`},
		{"blob() from a body", `new Response("abc", {headers: {"content-type": "text/x"}}).blob().then(b => [b.size, b.type])`, `[3,"text/x"]`},
	})
}
