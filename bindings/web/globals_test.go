package web

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Each case is an expression; want is JSON of its settled value, or
// "throws …" / "rejects …" with the error's string form.
type jsCase struct{ name, src, want string }

func runCases(t *testing.T, r *testRoom, cases []jsCase) {
	t.Helper()
	for _, c := range cases {
		if got := r.settle(c.src); got != c.want {
			t.Errorf("%s:\n  %s\n  got  %s\n  want %s", c.name, c.src, got, c.want)
		}
	}
}

func TestPhase1Globals(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"self is global", `[self === globalThis, global === globalThis]`, `[true,true]`},
		{"setImmediate absent", `typeof setImmediate`, `"undefined"`},
		{"types", `[typeof console, typeof setTimeout, typeof URL, typeof Response, typeof crypto, typeof TextEncoder, typeof atob, typeof EventTarget]`,
			`["object","function","function","function","object","function","function","function"]`},
		{"override before first use wins", `globalThis.Headers = 5; Headers`, `5`},
		{"own after use", `URL; Object.prototype.hasOwnProperty.call(globalThis, "URL")`, `true`},
		{"not enumerable", `TextEncoder; Object.keys(globalThis).includes("TextEncoder")`, `false`},
	})
}

func TestTimers(t *testing.T) {
	r := newTestRoom(t, Options{})
	runCases(t, r, []jsCase{
		{"timeout order and args", `new Promise(res => { const log = []; setTimeout((a, b) => log.push("t20" + a + b), 20, 1, 2); setTimeout(() => log.push("t0"), 0); setTimeout(() => res(log), 40); })`, `["t0","t2012"]`},
		{"ids are numbers and distinct", `const a = setTimeout(() => {}, 1000), b = setInterval(() => {}, 1000); clearTimeout(a); clearInterval(b); [typeof a, a !== b]`, `["number",true]`},
		{"clearTimeout cancels", `new Promise(res => { let fired = false; const id = setTimeout(() => fired = true, 5); clearTimeout(id); setTimeout(() => res(fired), 30); })`, `false`},
		{"interval repeats until cleared inside", `new Promise(res => { let n = 0; const id = setInterval(() => { if (++n === 3) { clearInterval(id); setTimeout(() => res(n), 30); } }, 2); })`, `3`},
		{"clearInterval via clearTimeout", `new Promise(res => { let n = 0; const id = setInterval(() => n++, 2); setTimeout(() => { clearTimeout(id); const m = n; setTimeout(() => res(n === m && m > 0), 20); }, 15); })`, `true`},
		{"callback must be a function", `setTimeout("1+1", 0)`, `throws TypeError: setTimeout: the callback must be a function`},
		{"deadline order holds when the loop was busy", `new Promise(res => { const log = []; for (let i = 0; i < 20; i++) setTimeout(() => log.push(i), 20 - i); const until = Date.now() + 60; while (Date.now() < until) {} setTimeout(() => res(log.join(",")), 30); })`, `"19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1,0"`},
		{"negative delay is zero", `new Promise(res => setTimeout(() => res("ran"), -5))`, `"ran"`},
		{"queueMicrotask before timers", `new Promise(res => { const log = []; setTimeout(() => { log.push("timer"); res(log); }, 0); queueMicrotask(() => log.push("micro")); Promise.resolve().then(() => log.push("promise")); log.push("sync"); })`, `["sync","micro","promise","timer"]`},
	})
	// A throwing timer callback is reported and does not stop the loop.
	got := r.settle(`new Promise(res => { setTimeout(() => { throw new Error("boom") }, 0); setTimeout(() => res("after"), 10); })`)
	if got != `"after"` {
		t.Fatalf("loop stopped after throwing timer: %s", got)
	}
	if len(r.errs) != 1 || !strings.Contains(r.errs[0].Error(), "boom") {
		t.Fatalf("reported errors = %v, want one with boom", r.errs)
	}
}

func TestTimersStopOnClose(t *testing.T) {
	r := newTestRoom(t, Options{})
	r.eval(`globalThis.fired = 0; setInterval(() => fired++, 1); setTimeout(() => fired++, 1)`)
	r.do(func() { r.g.Close() })
	time.Sleep(30 * time.Millisecond)
	if n := r.eval(`fired`); n != int64(0) {
		t.Fatalf("timers fired %v times after Close", n)
	}
	if timers, _ := r.loop.Pending(); timers != 0 {
		t.Fatalf("loop still has %d timers after Close", timers)
	}
}

func TestConsole(t *testing.T) {
	r := newTestRoom(t, Options{})
	r.eval(`
		console.log("hello %s, you are %d", "ann", 42, {extra: true});
		console.info("info");
		console.warn("warn", [1, 2]);
		console.error(new Map([["k", 1]]));
		console.debug("debug", null, undefined);
		console.log({a: {b: {c: {d: 1}}}});
		const o = {name: "loop"}; o.self = o; console.log(o);
		console.log("%o|%O|%j|%i|%f|%c.|%%|%x", [1], {k: "v"}, {j: 1}, "42.9px", "1.5e3", "color: red");
		console.assert(1 === 2, "math is %s", "hard");
		console.assert(true, "not logged");
		console.count(); console.count(); console.count("x");
		console.group("g"); console.log("inner"); console.groupEnd(); console.log("outer");
	`)
	want := []string{
		"INFO hello ann, you are 42 { extra: true }",
		"INFO info",
		"WARN warn [ 1, 2 ]",
		"ERROR Map(1) { 'k' => 1 }",
		"DEBUG debug null undefined",
		"INFO { a: { b: { c: [Object] } } }",
		"INFO <ref *1> { name: 'loop', self: [Circular *1] }",
		"INFO [ 1, [length]: 1 ]|{ k: 'v' }|{\"j\":1}|42|1500|.|%|%x",
		"ERROR Assertion failed: math is hard",
		"INFO default: 1",
		"INFO default: 2",
		"INFO x: 1",
		"INFO g",
		"INFO   inner",
		"INFO outer",
	}
	got := r.logs.lines()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("console output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, rec := range r.logs.records {
		found := false
		rec.Attrs(func(a slog.Attr) bool {
			found = found || (a.Key == "source" && a.Value.String() == "console")
			return true
		})
		if !found {
			t.Fatalf("record %q lacks source=console", rec.Message)
		}
	}
}
