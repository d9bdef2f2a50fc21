package node

import (
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/bindings/web"
	"gopk/runtime/eventloop"
)

type room struct {
	t    *testing.T
	loop *eventloop.Loop
	vm   *goja.Runtime
	g    *web.Globals
}

func newRoom(t *testing.T) *room {
	loop := eventloop.New(eventloop.Options{})
	go loop.Run()
	t.Cleanup(loop.Stop)
	r := &room{t: t, loop: loop}
	r.do(func() {
		r.vm = goja.New()
		env := host.Env{Loop: loop, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		g, err := web.Install(r.vm, env, web.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r.g = g
		r.vm.Set("require", NewRequire(r.vm, env, g))
	})
	return r
}

func (r *room) do(fn func()) {
	done := make(chan struct{})
	r.loop.Post(func() { defer close(done); fn() })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.t.Fatal("timed out")
	}
}

// settle evaluates src in its own block and returns JSON of the settled
// value, or "throws …" / "rejects …".
func (r *room) settle(src string) string {
	out := make(chan string, 1)
	r.do(func() {
		v, err := r.vm.RunString("{\n" + src + "\n}")
		if err != nil {
			if ex, ok := err.(*goja.Exception); ok {
				out <- "throws " + ex.Value().String()
			} else {
				out <- "throws " + err.Error()
			}
			return
		}
		finish := func(v goja.Value) {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(v.Export())
			out <- strings.TrimSpace(b.String())
		}
		if p, ok := v.Export().(*goja.Promise); ok {
			then, _ := goja.AssertFunction(v.ToObject(r.vm).Get("then"))
			_, _ = then(v, r.vm.ToValue(func(c goja.FunctionCall) goja.Value { finish(c.Argument(0)); return goja.Undefined() }),
				r.vm.ToValue(func(c goja.FunctionCall) goja.Value {
					out <- "rejects " + c.Argument(0).String()
					return goja.Undefined()
				}))
			_ = p
			return
		}
		finish(v)
	})
	select {
	case s := <-out:
		return s
	case <-time.After(10 * time.Second):
		r.t.Fatalf("%s never settled", src)
		return ""
	}
}

func TestRequire(t *testing.T) {
	r := newRoom(t)
	cases := []struct{ name, src, want string }{
		{"node: prefix and plain name are the same module", `[require("node:events") === require("events"), require("node:buffer").Buffer === Buffer, require("buffer").Buffer === globalThis.Buffer]`, `[true,true,true]`},
		{"unknown module", `require("fs")`, `throws GoError: Cannot find module 'fs'`},
		{"unknown module code", `try { require("node:net") } catch (e) { [e.code, e.message] }`, `["MODULE_NOT_FOUND","Cannot find module 'node:net'"]`},
		{"events", `const EventEmitter = require("events"); const e = new EventEmitter(); const got = []; e.on("x", (a, b) => got.push(a + b)); e.once("x", () => got.push("once")); e.emit("x", 1, 2); e.emit("x", 3, 4); [got, e.listenerCount("x"), typeof EventEmitter.once]`, `[[3,"once",7],1,"function"]`},
		{"path", `const path = require("node:path"); [path.join("/a/b", "../c", "d.txt"), path.basename("/x/y.ts", ".ts"), path.extname("f.tar.gz"), path.resolve("/r", "s"), path.relative("/a/b", "/a/c/d"), path.sep, require("path/posix") === path]`, `["/a/c/d.txt","y",".gz","/r/s","../c/d","/",true]`},
		{"util.format and inspect", `const util = require("util"); [util.format("%s=%d %j", "a", 1.5, {x: [1]}), util.inspect({a: {b: {c: {d: 1}}}}, {depth: 0}), util.inspect(new Map([[1, 2]])), typeof util.inspect.custom]`, `["a=1.5 {\"x\":[1]}","{ a: [Object] }","Map(1) { 1 => 2 }","symbol"]`},
		{"util.promisify", `const util = require("util"); const f = (a, cb) => setTimeout(() => cb(null, a * 2), 1); util.promisify(f)(21)`, `42`},
		{"util.promisify error", `const util = require("util"); util.promisify((cb) => cb(new Error("bad")))().catch(e => e.message)`, `"bad"`},
		{"util.inherits and types", `const util = require("util"); function A() {} function B() {} util.inherits(B, A); [new B() instanceof A, B.super_ === A, util.types.isPromise(Promise.resolve()), util.types.isUint8Array(Buffer.alloc(1)), util.isDeepStrictEqual({a: [1]}, {a: [1]}), require("util/types") === util.types]`, `[true,true,true,true,true,true]`},
		{"string_decoder keeps split characters", `const {StringDecoder} = require("string_decoder"); const d = new StringDecoder("utf8"); const e = Buffer.from("€"); [d.write(e.subarray(0, 1)), d.write(e.subarray(1)), d.end()]`, `["","€",""]`},
		{"string_decoder base64", `const {StringDecoder} = require("node:string_decoder"); const d = new StringDecoder("base64"); d.write(Buffer.from("ab")) + "|" + d.end(Buffer.from("c"))`, `"|YWJj"`},
		{"assert passes", `const assert = require("assert"); assert(true); assert.strictEqual(1, 1); assert.deepStrictEqual({a: [1, {b: 2}]}, {a: [1, {b: 2}]}); assert.throws(() => { throw new TypeError("x") }, TypeError); "ok"`, `"ok"`},
		{"assert fails", `const assert = require("assert"); try { assert.deepStrictEqual({a: 1}, {a: "1"}) } catch (e) { [e.name, e.code, e instanceof assert.AssertionError] }`, `["AssertionError","ERR_ASSERTION",true]`},
		{"assert.rejects", `require("node:assert").rejects(Promise.reject(new RangeError("r")), RangeError).then(() => "ok")`, `"ok"`},
		{"assert.strict", `require("assert/strict") === require("assert")`, `true`},
		{"crypto hashes", `const c = require("crypto"); [c.createHash("sha256").update("abc").digest("hex"), c.createHash("md5").update("a").update("bc").digest("base64"), c.createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex")]`,
			`["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","kAFQmDzST7DWlj99KOF/cg==","f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"]`},
		{"crypto random and compare", `const c = require("node:crypto"); const b = c.randomBytes(16); [Buffer.isBuffer(b), b.length, c.timingSafeEqual(Buffer.from("ab"), Buffer.from("ab")), c.timingSafeEqual(Buffer.from("ab"), Buffer.from("ac")), /^[0-9a-f-]{36}$/.test(c.randomUUID()), c.webcrypto === crypto, c.randomInt(5, 6)]`, `[true,16,true,false,true,true,5]`},
		{"crypto hash copy", `const c = require("crypto"); const h = c.createHash("sha1").update("ab"); const h2 = h.copy(); h.update("c"); [h.digest("hex"), h2.digest("hex")]`, `["a9993e364706816aba3e25717850c26c9cd0d89d","da23614e02469a0d7c7bd1bdab5c9c474b1904dc"]`},
		{"timingSafeEqual length", `try { require("crypto").timingSafeEqual(Buffer.from("a"), Buffer.from("ab")) } catch (e) { e.code }`, `"ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH"`},
		{"bad digest", `require("crypto").createHash("sha3")`, `throws GoError: Digest method not supported: sha3`},
		{"AsyncLocalStorage through await and timers", `const {AsyncLocalStorage} = require("node:async_hooks"); const als = new AsyncLocalStorage(); const seen = []; const p = als.run({id: 1}, async () => { seen.push(als.getStore().id); await null; seen.push(als.getStore().id); await new Promise(r => setTimeout(r, 1)); seen.push(als.getStore()?.id); return new Promise(r => setTimeout(() => { seen.push(als.getStore()?.id); r(); }, 1)); }); seen.push(als.getStore()); p.then(() => seen)`, `[1,null,1,1,1]`},
		{"AsyncLocalStorage nesting", `const {AsyncLocalStorage} = require("async_hooks"); const a = new AsyncLocalStorage(), b = new AsyncLocalStorage(); a.run(1, () => b.run(2, () => [a.getStore(), b.getStore(), a.run(3, () => a.getStore()), a.getStore()]))`, `[1,2,3,1]`},
		{"diagnostics_channel", `const dc = require("diagnostics_channel"); const ch = dc.channel("x"); const got = []; const before = ch.hasSubscribers; ch.subscribe(m => got.push(m)); ch.publish(5); [before, ch.hasSubscribers, got, dc.hasSubscribers("x")]`, `[false,true,[5],true]`},
		{"stream basics", `const {Readable, Transform, Writable} = require("stream"); const out = []; const up = new Transform({transform(c, e, cb) { cb(null, String(c).toUpperCase()); }}); const sink = new Writable({write(c, e, cb) { out.push(String(c)); cb(); }}); new Promise(res => { sink.on("finish", () => res(out)); Readable.from(["a", "b"]).pipe(up).pipe(sink); })`, `["A","B"]`},
		{"stream/web", `require("stream/web").ReadableStream === ReadableStream`, `true`},
	}
	for _, c := range cases {
		if got := r.settle(c.src); got != c.want {
			t.Errorf("%s:\n  %s\n  got  %s\n  want %s", c.name, c.src, got, c.want)
		}
	}
}
