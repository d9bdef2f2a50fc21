package e2e

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopk/e2e/testkit"
)

// TestWasm runs WebAssembly in a room (testdata/wasm): a PartyKit server
// imports ./add.wasm and ./add.wasm?module (compiled modules, as workerd
// gives them) and a module that imports a JS function and a JS-made
// memory, and uses them in onRequest. The same expectations hold on
// `partykit dev`: results, error classes and V8's messages.
func TestWasm(t *testing.T) {
	s := startFixture(t, "wasm")
	run := func(t *testing.T, name, query string) any {
		t.Helper()
		r := testkit.Do(t, http.MethodGet, s.URL()+"/parties/main/wasm?case="+name+query, "", nil)
		var got any
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != http.StatusOK {
			t.Fatalf("case %s: HTTP %d %q", name, r.Status, r.Body)
		}
		return got
	}
	expect := func(t *testing.T, name, query, want string) {
		t.Helper()
		got := run(t, name, query)
		var w any
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Fatalf("bad want %s: %v", want, err)
		}
		if !reflect.DeepEqual(got, w) {
			g, _ := json.Marshal(got)
			t.Fatalf("the room observed\n  %s\nwant\n  %s", g, want)
		}
	}
	runtimeError := func(message string) string {
		return `{"name": "RuntimeError", "message": "` + message + `", "isRuntimeError": true, "isLinkError": false,
			"isCompileError": false, "isTypeError": false, "isError": true}`
	}

	t.Run("imported .wasm and .wasm?module are compiled modules", func(t *testing.T) {
		expect(t, "add", "&a=2&b=40", `{"plain": 42, "withQuery": 42, "modules": [true, true],
			"tag": "[object WebAssembly.Module]", "exports": [{"name": "add", "kind": "function"}],
			"imports": [{"module": "env", "name": "double", "kind": "function"}, {"module": "env", "name": "mem", "kind": "memory"}]}`)
		expect(t, "add", "&a=2147483647&b=1", `{"plain": -2147483648, "withQuery": -2147483648, "modules": [true, true],
			"tag": "[object WebAssembly.Module]", "exports": [{"name": "add", "kind": "function"}],
			"imports": [{"module": "env", "name": "double", "kind": "function"}, {"module": "env", "name": "mem", "kind": "memory"}]}`)
	})
	t.Run("WebAssembly.instantiate of a module", func(t *testing.T) {
		expect(t, "instantiate", "", `{"isInstance": true, "sum": 42, "name": "0", "length": 2}`)
	})
	t.Run("wasm calls an imported JS function", func(t *testing.T) {
		expect(t, "imports", "", `{"results": [16, -5], "seen": [5, -2]}`)
	})
	t.Run("what the JS import throws reaches the caller", func(t *testing.T) {
		expect(t, "throwingImport", "", `{"same": true, "message": "from the import"}`)
	})
	t.Run("memory shared with JS, and grown from both sides", func(t *testing.T) {
		expect(t, "memory", "", `{"fromJS": 16909060, "fromWasm": -99, "grownByWasm": 1, "grownByJS": 2,
			"oldLength": 0, "newLength": 196608, "kept": 16909060}`)
	})
	t.Run("traps are RuntimeErrors", func(t *testing.T) {
		expect(t, "traps", "", `{"unreachable": `+runtimeError("unreachable")+`, "divide": `+runtimeError("divide by zero")+`, "afterTrap": 3}`)
	})
	t.Run("i64 is BigInt", func(t *testing.T) {
		expect(t, "i64", "", `{"sums": ["3", "-9223372036854775808", "-3"], "type": "bigint",
			"number": {"name": "TypeError", "message": "Cannot convert 1 to a BigInt", "isRuntimeError": false,
				"isLinkError": false, "isCompileError": false, "isTypeError": true, "isError": true}}`)
	})
	t.Run("link errors", func(t *testing.T) {
		expect(t, "linkErrors", "", `{
			"noImports": {"name": "TypeError", "message": "WebAssembly.Instance(): Imports argument must be present and must be an object",
				"isRuntimeError": false, "isLinkError": false, "isCompileError": false, "isTypeError": true, "isError": true},
			"notCallable": {"name": "LinkError", "message": "WebAssembly.Instance(): Import #0 \"env\" \"double\": function import requires a callable",
				"isRuntimeError": false, "isLinkError": true, "isCompileError": false, "isTypeError": false, "isError": true},
			"notMemory": {"name": "LinkError", "message": "WebAssembly.Instance(): Import #1 \"env\" \"mem\": memory import must be a WebAssembly.Memory object",
				"isRuntimeError": false, "isLinkError": true, "isCompileError": false, "isTypeError": false, "isError": true}}`)
	})
	t.Run("compiling from bytes at run time", func(t *testing.T) {
		testkit.SkipOnPartyKit(t, "workerd refuses to compile WebAssembly from bytes at run time (only imported modules); gopk allows it")
		expect(t, "fromBytes", "", `{"threw": false}`)
	})
}

// TestWasmRunawayLoopIsStopped: a request whose handler never leaves a wasm
// loop is stopped by the room's watchdog (--event-budget), as a JS loop
// is: the room resets, the client gets an error, and the next request is
// served by a fresh VM.
func TestWasmRunawayLoopIsStopped(t *testing.T) {
	testkit.SkipOnPartyKit(t, "partykit dev sets no CPU limit; the loop would run forever there")
	s := startFixture(t, "wasm", "--event-budget", "300ms")
	start := time.Now()
	r := testkit.Do(t, http.MethodGet, s.URL()+"/parties/main/spinner?case=spin", "", nil)
	took := time.Since(start)
	if r.Status == http.StatusOK {
		t.Fatalf("the spinning request answered 200 %q", r.Body)
	}
	t.Logf("the spinning request answered %d %q after %s", r.Status, r.Body, took.Round(time.Millisecond))
	if !s.WaitLog("room reset: event ran longer than its CPU budget", 10*time.Second) {
		t.Fatalf("no room reset in the log:\n%s", s.Logs())
	}
	after := testkit.Do(t, http.MethodGet, s.URL()+"/parties/main/spinner?case=add&a=1&b=2", "", nil)
	if after.Status != http.StatusOK || !strings.Contains(after.Body, `"plain":3`) {
		t.Fatalf("after the reset the room answered %d %q", after.Status, after.Body)
	}
}
