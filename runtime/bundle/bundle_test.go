package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// project writes files (path → content, "/" separated) under a fresh
// directory and returns it.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// entries maps party names to files relative to dir.
func entries(dir string, rel map[string]string) map[string]string {
	out := map[string]string{}
	for name, path := range rel {
		out[name] = filepath.Join(dir, filepath.FromSlash(path))
	}
	return out
}

func mustBuild(t *testing.T, o Options) *Result {
	t.Helper()
	res, err := Build(o)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

func buildError(t *testing.T, o Options) *BuildError {
	t.Helper()
	res, err := Build(o)
	if err == nil {
		t.Fatalf("Build succeeded, want an error; parties: %v", res.Parties)
	}
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("error is %T (%v), want *BuildError", err, err)
	}
	return be
}

// instance runs a party's Program the way a room does: it gets the wrapper
// function and calls it with a fresh module and the given require. It
// returns module.exports.
func instance(t *testing.T, vm *goja.Runtime, p *Party, require func(string) goja.Value) *goja.Object {
	t.Helper()
	v, err := vm.RunProgram(p.Program)
	if err != nil {
		t.Fatalf("running the bundle: %v", err)
	}
	wrapper, ok := goja.AssertFunction(v)
	if !ok {
		t.Fatalf("the bundle evaluates to %v, want the wrapper function", v)
	}
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	if require == nil {
		require = func(name string) goja.Value { panic(vm.NewGoError(errors.New("unexpected require(" + name + ")"))) }
	}
	if _, err := wrapper(goja.Undefined(), module, exports, vm.ToValue(require)); err != nil {
		t.Fatalf("module body: %v", err)
	}
	return module.Get("exports").ToObject(vm)
}

// settle reads a promise that has settled (goja runs promise jobs when the
// outermost call returns).
func settle(t *testing.T, v goja.Value) goja.Value {
	t.Helper()
	p, ok := v.Export().(*goja.Promise)
	if !ok {
		t.Fatalf("%v is not a promise", v)
	}
	switch p.State() {
	case goja.PromiseStateFulfilled:
		return p.Result()
	case goja.PromiseStateRejected:
		t.Fatalf("promise rejected: %v", p.Result())
	}
	t.Fatalf("promise still pending")
	return nil
}

func call(t *testing.T, vm *goja.Runtime, obj *goja.Object, method string, args ...goja.Value) goja.Value {
	t.Helper()
	fn, ok := goja.AssertFunction(obj.Get(method))
	if !ok {
		t.Fatalf("%s is not a function", method)
	}
	v, err := fn(obj, args...)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return v
}

const featuresTS = `import type * as Party from "partykit/server";
import { Color, type Shape } from "./shapes";

function logged<This, Args extends any[], R>(
  target: (this: This, ...args: Args) => R,
  ctx: ClassMethodDecoratorContext<This>,
) {
  return function (this: This, ...args: Args): R {
    (this as any).log.push("call " + String(ctx.name));
    return target.apply(this, args);
  };
}

class Resource {
  constructor(private log: string[]) {}
  [Symbol.dispose]() {
    this.log.push("disposed");
  }
}

async function* countTo(n: number) {
  for (let i = 1; i <= n; i++) {
    await null;
    yield i;
  }
}

// Without decorators, class fields and #private stay native.
export class Counter {
  #count = 0;
  static #instances = 0;
  constructor() { Counter.#instances++; }
  inc() { return ++this.#count + Counter.#instances * 100; }
}

export default class Server implements Party.Server {
  #secret = 41;
  static kind = "class";
  log: string[] = [];
  constructor(readonly room: Party.Room) {}

  @logged
  shape(): Shape {
    return { color: Color.Green, sides: this.#bump() };
  }

  #bump() {
    return ++this.#secret;
  }

  async run() {
    const seen: number[] = [];
    for await (const n of countTo(3)) seen.push(n);
    {
      using r = new Resource(this.log);
      this.log.push("using");
    }
    return { seen, shape: this.shape(), color: Color[Color.Green], log: this.log, counter: new Counter().inc() };
  }
}
`

const shapesTS = `export enum Color { Red, Green = 5, Blue }
export interface Shape { color: Color; sides: number }
`

// Symbol.dispose is missing from goja; the runtime installs it before any
// bundle runs, as this does.
const disposePolyfill = `Symbol.dispose = Symbol.for("Symbol.dispose"); Symbol.asyncDispose = Symbol.for("Symbol.asyncDispose");`

func TestTypeScriptFeaturesRunInGoja(t *testing.T) {
	dir := project(t, map[string]string{"party/server.ts": featuresTS, "party/shapes.ts": shapesTS})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/server.ts"})})
	p := res.Parties["main"]
	if p == nil || p.Name != "main" {
		t.Fatalf("parties = %v", res.Parties)
	}
	code := string(p.Code)
	if !strings.HasPrefix(code, wrapperHead+"\n") || !strings.Contains(code, "\n"+wrapperTail+"\n//# sourceMappingURL=data:application/json;base64,") {
		t.Errorf("bundle is not wrapped as expected:\n%.300s\n...\n%s", code, code[max(0, len(code)-200):])
	}
	// What goja cannot parse must be gone; what it can must stay native.
	for _, gone := range []string{"async function*", "for await", "@logged", "using r"} {
		if strings.Contains(code, gone) {
			t.Errorf("bundle still contains %q", gone)
		}
	}
	if !strings.Contains(code, "#count = 0") || !strings.Contains(code, "static #instances") {
		t.Error("#private fields of an undecorated class should stay native (goja runs them)")
	}

	vm := goja.New()
	if _, err := vm.RunString(disposePolyfill); err != nil {
		t.Fatal(err)
	}
	exports := instance(t, vm, p, nil)
	class := exports.Get("default").ToObject(vm)
	if kind := class.Get("kind").String(); kind != "class" {
		t.Errorf("static field kind = %q", kind)
	}
	server, err := vm.New(class, vm.ToValue(map[string]any{"id": "room-1"}))
	if err != nil {
		t.Fatalf("new Server: %v", err)
	}
	if id := server.Get("room").ToObject(vm).Get("id").String(); id != "room-1" {
		t.Errorf("parameter property room.id = %q", id)
	}
	got := settle(t, call(t, vm, server, "run")).Export()
	want := map[string]any{
		"seen":    []any{int64(1), int64(2), int64(3)},
		"shape":   map[string]any{"color": int64(5), "sides": int64(42)},
		"color":   "Green",
		"log":     []any{"using", "disposed", "call shape"},
		"counter": int64(101),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("run() = %#v\nwant %#v", got, want)
	}
}

func TestObjectDefaultExport(t *testing.T) {
	dir := project(t, map[string]string{"party/index.ts": `
import type * as Party from "partykit/server";
export default {
  async onConnect(ws: Party.Connection, room: Party.Room) {
    ws.send("hello from " + room.id);
  },
} satisfies Party.PartyKitServer;
export const extra = 1;
`})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	vm := goja.New()
	exports := instance(t, vm, res.Parties["main"], nil)
	server := exports.Get("default").ToObject(vm)
	var sent string
	ws := vm.NewObject()
	_ = ws.Set("send", func(s string) { sent = s })
	room := vm.ToValue(map[string]any{"id": "lobby"})
	settle(t, call(t, vm, server, "onConnect", ws, room))
	if sent != "hello from lobby" {
		t.Errorf("sent %q", sent)
	}
	if exports.Get("extra").ToInteger() != 1 || !exports.Get("__esModule").ToBoolean() {
		t.Errorf("named export / __esModule missing: %v", exports.Keys())
	}
}

// The fake packages in testdata/app/node_modules check esbuild's resolution
// with PartyKit's conditions: "workerd" is picked from "exports" over
// "node" and "browser", "partykit" over "default", the "browser" main field
// over "module" and "main", and an npm package named like a Node built-in
// (punycode) is used rather than refused.
func TestPackagesFromNodeModules(t *testing.T) {
	dir, err := filepath.Abs("testdata/app")
	if err != nil {
		t.Fatal(err)
	}
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/uses-pkg.ts"})})
	vm := goja.New()
	got := instance(t, vm, res.Parties["main"], nil).Get("default").Export()
	want := map[string]any{"runtime": "workerd", "sub": "partykit", "fields": "browser", "punycode": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default = %#v\nwant %#v", got, want)
	}
	for _, in := range []string{"party/uses-pkg.ts", "node_modules/fakepkg/workerd.js", "node_modules/fakepkg/sub-partykit.js", "node_modules/punycode/punycode.js"} {
		if !slices.Contains(res.Inputs, filepath.Join(dir, in)) {
			t.Errorf("inputs %q lack %s", res.Inputs, in)
		}
	}
	if slices.Contains(res.Inputs, filepath.Join(dir, "node_modules/fakepkg/node.js")) {
		t.Error("a file that was not bundled is listed as an input")
	}
}

func TestDefinesAndAlias(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `
declare const PARTYKIT_HOST: string, FLAG: boolean, PARTYKIT_PROCESS_ENV: string;
import { where } from "old-lib";
export default {
  host: PARTYKIT_HOST,
  flag: FLAG,
  env: JSON.parse(PARTYKIT_PROCESS_ENV).SECRET,
  nodeEnv: process.env.NODE_ENV,
  where,
};`,
		"lib/new.ts": `export const where = "aliased";`,
	})
	res := mustBuild(t, Options{
		Dir:     dir,
		Entries: entries(dir, map[string]string{"main": "party/index.ts"}),
		Define: map[string]string{
			"PARTYKIT_HOST":        `"127.0.0.1:1999"`,
			"FLAG":                 "true",
			"PARTYKIT_PROCESS_ENV": `"{\"SECRET\":\"s3\"}"`,
			"process.env.NODE_ENV": `"test"`,
		},
		Alias: map[string]string{"old-lib": "./lib/new.ts"},
	})
	vm := goja.New()
	got := instance(t, vm, res.Parties["main"], nil).Get("default").Export()
	want := map[string]any{"host": "127.0.0.1:1999", "flag": true, "env": "s3", "nodeEnv": "test", "where": "aliased"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default = %#v\nwant %#v", got, want)
	}
}

func TestNodeBuiltinsAreExternal(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `
import { EventEmitter } from "events";
import * as path from "node:path";
import { Buffer } from "node:buffer";
import { ReadableStream } from "node:stream/web";
import { connect } from "cloudflare:sockets";
import { optional } from "./legacy.js";
const util = require("util");
export default { emitter: typeof EventEmitter, sep: path.sep, buf: Buffer.name, rs: ReadableStream, connect, util: util.name, optional };
`,
		"party/legacy.js": `
let fs = null;
try { fs = require("fs"); } catch (e) { fs = "missing: " + e.message; }
exports.optional = fs;
`,
	})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `party/legacy.js:3:`) ||
		!strings.Contains(res.Warnings[0], `warning: "fs" is not available in gopk (PartyKit runs on workerd`) {
		t.Errorf("warnings = %q, want one about require(\"fs\") in party/legacy.js", res.Warnings)
	}

	vm := goja.New()
	var required []string
	modules := map[string]any{
		"node:events":        map[string]any{"EventEmitter": func() {}},
		"node:path":          map[string]any{"sep": "/"},
		"node:buffer":        map[string]any{"Buffer": map[string]any{"name": "Buffer"}},
		"node:stream/web":    map[string]any{"ReadableStream": "RS"},
		"node:util":          map[string]any{"name": "util"},
		"cloudflare:sockets": map[string]any{"connect": "connect"},
	}
	require := func(name string) goja.Value {
		required = append(required, name)
		m, ok := modules[name]
		if !ok {
			panic(vm.NewGoError(errors.New("Cannot find module '" + name + "'")))
		}
		return vm.ToValue(m)
	}
	got := instance(t, vm, res.Parties["main"], require).Get("default").Export().(map[string]any)
	if got["sep"] != "/" || got["buf"] != "Buffer" || got["rs"] != "RS" || got["connect"] != "connect" || got["util"] != "util" || got["emitter"] != "function" {
		t.Errorf("default = %#v", got)
	}
	if got["optional"] != "missing: Cannot find module 'node:fs'" {
		t.Errorf("optional require = %#v", got["optional"])
	}
	slices.Sort(required)
	want := []string{"cloudflare:sockets", "node:buffer", "node:events", "node:fs", "node:path", "node:stream/web", "node:util"}
	if !reflect.DeepEqual(required, want) {
		t.Errorf("required %q, want %q", required, want)
	}
	for _, name := range required {
		if name != "node:fs" && !slices.Contains(ExternalModules(), name) {
			t.Errorf("ExternalModules() lacks %q", name)
		}
	}
}

func TestUnavailableImportsFailTheBuild(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"fs", "import { readFileSync } from \"fs\";\nexport default readFileSync;",
			`party/x.ts:1:30: error: "fs" is not available in gopk (PartyKit runs on workerd, which has only assert, async_hooks, buffer, crypto, diagnostics_channel, events, path, stream, string_decoder, util)`},
		{"node: prefix", "export {} from \"node:os\";\nimport cp from \"node:child_process\";\nexport default cp;",
			`party/x.ts:2:16: error: "node:child_process" is not available in gopk`},
		{"cloudflare module", "import { env } from \"cloudflare:workers\";\nexport default env;",
			`party/x.ts:1:21: error: "cloudflare:workers" is not available in gopk (PartyKit provides only cloudflare:email and cloudflare:sockets)`},
		{"invalid wasm", "import mod from \"./x.wasm?module\";\nexport default mod;",
			`party/x.ts:1:17: error: "./x.wasm?module" is not a WebAssembly module gopk can run: `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, map[string]string{"party/x.ts": c.src, "party/x.wasm": "\x00asm"})
			be := buildError(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/x.ts"})})
			if !strings.Contains(be.Error(), c.want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", be, c.want)
			}
		})
	}
}

func TestBinImportsAreArrayBuffers(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `import data from "./blob.bin";
export default { isBuffer: data instanceof ArrayBuffer, bytes: Array.from(new Uint8Array(data)) };`,
		"party/blob.bin": "\x00\x01\xfe\xff",
	})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	vm := goja.New()
	got := instance(t, vm, res.Parties["main"], nil).Get("default").Export()
	want := map[string]any{"isBuffer": true, "bytes": []any{int64(0), int64(1), int64(254), int64(255)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default = %#v, want %#v", got, want)
	}
	if !slices.Contains(res.Inputs, filepath.Join(dir, "party/blob.bin")) {
		t.Errorf("inputs %q lack the .bin file", res.Inputs)
	}
}

func TestSyntaxErrorIsLocated(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": "import { z } from \"./bad\";\nexport default { z };\n",
		"party/bad.ts":   "export const y = 1;\nexport const z = 1 +;\n",
	})
	be := buildError(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	want := "party/bad.ts:2:21: error: Unexpected \";\"\n    export const z = 1 +;\n                        ^"
	if be.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", be, want)
	}
	if m := be.Messages[0]; m.File != "party/bad.ts" || m.Line != 2 || m.Column != 21 || m.Party != "main" {
		t.Errorf("message = %+v", m)
	}
	// The watcher must learn about both files, or fixing bad.ts would not rebuild.
	for _, f := range []string{"party/index.ts", "party/bad.ts"} {
		if !slices.Contains(be.Inputs, filepath.Join(dir, f)) {
			t.Errorf("error inputs %q lack %s", be.Inputs, f)
		}
	}
}

func TestMissingImportAndEntry(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": "import { y } from \"./missing\";\nimport pkg from \"not-installed\";\nexport default { y, pkg };\n",
	})
	be := buildError(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts", "chat": "party/chat.ts"})})
	text := be.Error()
	for _, want := range []string{
		`party "chat": error: entry file party/chat.ts does not exist`,
		`party/index.ts:1:19: error: Could not resolve "./missing"`,
		`party/index.ts:2:17: error: Could not resolve "not-installed"`,
		`note: You can mark the path`, // hidden: must not appear
	} {
		if strings.Contains(want, "note:") {
			if strings.Contains(text, want) {
				t.Errorf("error shows esbuild's external hint, which gopk users cannot act on:\n%s", text)
			}
			continue
		}
		if !strings.Contains(text, want) {
			t.Errorf("error:\n%s\nwant it to contain %q", text, want)
		}
	}
}

// Two parties importing the same broken file report it once.
func TestSharedErrorsAreReportedOnce(t *testing.T) {
	dir := project(t, map[string]string{
		"party/a.ts":      `import { x } from "./shared"; export default { x };`,
		"party/b.ts":      `import { x } from "./shared"; export default { x };`,
		"party/shared.ts": "export const x = ;\n",
	})
	be := buildError(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/a.ts", "b": "party/b.ts"})})
	if len(be.Messages) != 1 || strings.Count(be.Error(), "party/shared.ts:1:18") != 1 {
		t.Errorf("messages = %d:\n%s", len(be.Messages), be)
	}
}

// An error thrown at a known place in a TypeScript file shows that file,
// line and column in goja's stack, through the inline source map and the
// wrapper banner.
func TestStackTracesPointAtTypeScript(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `import type * as Party from "partykit/server";
import { fail } from "./util/fail";

interface Msg { kind: "boom" }

export default class Server implements Party.Server {
  onMessage(message: string) {
    const msg: Msg = JSON.parse(message);
    return fail(msg.kind);
  }
}
`,
		"party/util/fail.ts": `type Reason = string;
export function fail(reason: Reason): never {
  throw new Error("failed: " + reason);
}
`,
	})
	for _, minify := range []bool{false, true} {
		res := mustBuild(t, Options{Dir: dir, Minify: minify, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
		vm := goja.New()
		class := instance(t, vm, res.Parties["main"], nil).Get("default").ToObject(vm)
		server, err := vm.New(class)
		if err != nil {
			t.Fatal(err)
		}
		onMessage, _ := goja.AssertFunction(server.Get("onMessage"))
		_, err = onMessage(server, vm.ToValue(`{"kind":"boom"}`))
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			t.Fatalf("minify=%v: error %v is not a JS exception", minify, err)
		}
		stack := ex.String()
		// Columns are 1-based and point where V8 points: at `new` and at the callee.
		for _, frame := range []string{"party/util/fail.ts:3:9", "party/index.ts:9:12"} {
			if !strings.Contains(stack, frame) {
				t.Errorf("minify=%v: stack lacks %s:\n%s", minify, frame, stack)
			}
		}
	}
}

// goja cannot parse some syntax esbuild leaves alone (regexp modifiers);
// that must fail the build, located in the user's file.
func TestGojaCompileErrorsAreLocated(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": "const ok = 1;\nexport const re = /(?i:a)b/;\nexport default { ok };\n",
	})
	be := buildError(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	m := be.Messages[0]
	if m.File != "party/index.ts" || m.Line != 2 || m.Column != 19 || !strings.Contains(m.Text, "Invalid group") || m.LineText != "export const re = /(?i:a)b/;" {
		t.Errorf("message = %+v\n%s", m, be)
	}
}

// Regexp features goja's parser rejects in literals are turned into
// constructor calls (esbuild does this for unsupported regexp features),
// so the bundle compiles and the runtime's RegExp gets the pattern.
func TestRegexpLiteralsBecomeConstructorCalls(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `export const a = /a(b)/d;
export const b = /[\p{L}--[a-z]]/v;
export const c = /\p{L}+/u;
export const plain = /x+/g;
export default {};
`,
	})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})})
	code := string(res.Parties["main"].Code)
	for _, want := range []string{`new RegExp("a(b)", "d")`, `new RegExp("[\\p{L}--[a-z]]", "v")`, `new RegExp("\\p{L}+", "u")`, `/x+/g`} {
		if !strings.Contains(code, want) {
			t.Errorf("bundle lacks %s", want)
		}
	}
}

func TestEveryPartyIsBundled(t *testing.T) {
	dir := project(t, map[string]string{
		"party/main.ts": `export default class Main { static party = "main" }`,
		"party/chat.ts": `export default class Chat { static party = "chat" }`,
	})
	res := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/main.ts", "chat": "party/chat.ts"})})
	for _, name := range []string{"main", "chat"} {
		p := res.Parties[name]
		vm := goja.New()
		got := instance(t, vm, p, nil).Get("default").ToObject(vm).Get("party").String()
		if got != name || p.Name != name {
			t.Errorf("party %s runs %q", name, got)
		}
	}
	want := []string{filepath.Join(dir, "party/chat.ts"), filepath.Join(dir, "party/main.ts")}
	if !reflect.DeepEqual(res.Inputs, want) {
		t.Errorf("inputs = %q, want %q", res.Inputs, want)
	}
}

// A Program is shared by every room of a party: running it in several
// runtimes gives each its own module state.
func TestProgramIsSharedAcrossRuntimes(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": `let count = 0; export default { next: () => ++count };`,
	})
	p := mustBuild(t, Options{Dir: dir, Entries: entries(dir, map[string]string{"main": "party/index.ts"})}).Parties["main"]
	for range 2 {
		vm := goja.New()
		obj := instance(t, vm, p, nil).Get("default").ToObject(vm)
		call(t, vm, obj, "next")
		if n := call(t, vm, obj, "next").ToInteger(); n != 2 {
			t.Errorf("second call in a fresh runtime = %d, want 2", n)
		}
	}
}

func TestExternalModules(t *testing.T) {
	got := ExternalModules()
	for _, want := range []string{"node:events", "node:crypto", "node:util/types", "node:assert/strict", "cloudflare:sockets", "cloudflare:email"} {
		if !slices.Contains(got, want) {
			t.Errorf("ExternalModules() lacks %s", want)
		}
	}
	for _, not := range []string{"node:fs", "events", "node:http"} {
		if slices.Contains(got, not) {
			t.Errorf("ExternalModules() has %s", not)
		}
	}
}

func TestCompileMatchesBuild(t *testing.T) {
	good := []byte(wrapperHead + "module.exports = { ok: 1 };" + wrapperTail)
	prog, err := Compile("main", good)
	if err != nil || prog == nil {
		t.Fatalf("Compile(good) = %v, %v", prog, err)
	}
	vm := goja.New()
	fn, err := vm.RunProgram(prog)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := goja.AssertFunction(fn); !ok {
		t.Fatalf("running the program gave %v, want the module wrapper function", fn)
	}

	_, err = Compile("chat", []byte(wrapperHead+"let = ;"+wrapperTail))
	var be *BuildError
	if !errors.As(err, &be) || len(be.Messages) != 1 || be.Messages[0].Party != "chat" {
		t.Fatalf("Compile(bad) error = %#v, want a BuildError for party chat", err)
	}
	// Strict mode, as Build: `with` is a syntax error only there.
	if _, err := Compile("main", []byte(wrapperHead+"with ({}) {}"+wrapperTail)); err == nil {
		t.Fatal("Compile accepted `with`, so it is not compiling in strict mode")
	}
}

// goja cannot parse a class field named get or set; such bundles are built
// again with class fields lowered, and run.
func TestClassFieldsGojaCannotParseAreLowered(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.ts"), []byte(`
class Ctx { set = 1; get = 2; #hidden = 3; sum() { return this.set + this.get + this.#hidden } }
export default function sum() { return new Ctx().sum() }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Build(Options{Entries: map[string]string{"main": filepath.Join(dir, "index.ts")}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "class fields were lowered") {
		t.Fatalf("warnings %q", res.Warnings)
	}
	vm := goja.New()
	fn, err := vm.RunProgram(res.Parties["main"].Program)
	if err != nil {
		t.Fatal(err)
	}
	call, _ := goja.AssertFunction(fn)
	module := vm.NewObject()
	exports := vm.NewObject()
	module.Set("exports", exports)
	if _, err := call(goja.Undefined(), module, exports, goja.Undefined()); err != nil {
		t.Fatal(err)
	}
	sum, _ := goja.AssertFunction(module.Get("exports").ToObject(vm).Get("default"))
	got, err := sum(goja.Undefined())
	if err != nil || got.ToInteger() != 6 {
		t.Fatalf("sum() = %v, %v; want 6", got, err)
	}
}
