package web

import (
	"embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"
)

// globalGroup is a set of globals built together on first use of any of them.
type globalGroup struct {
	names []string
	build func(g *Globals) []goja.Value // one value per name, same order
}

// globalGroups is the whole global scope a room gets from this package, in
// the order a reader should meet it. Anything workerd has and this list
// lacks is a bug (see the conformance test). It is set in init because the
// builders refer back to it.
var globalGroups []globalGroup

// groupOf maps a global's name to its index in globalGroups.
var groupOf map[string]int

func init() {
	globalGroups = []globalGroup{
		{[]string{"console"}, (*Globals).buildConsole},
		{[]string{"setTimeout", "setInterval", "clearTimeout", "clearInterval"}, (*Globals).buildTimers},
		{[]string{"queueMicrotask"}, (*Globals).buildQueueMicrotask},
		{[]string{"atob", "btoa"}, (*Globals).buildBase64},
		{[]string{"TextEncoder", "TextDecoder"}, (*Globals).buildEncoding},
		{[]string{"crypto", "Crypto"}, (*Globals).buildCrypto},
		{[]string{"SubtleCrypto", "CryptoKey"}, (*Globals).buildSubtleClasses},
		{[]string{"URL", "URLSearchParams"}, (*Globals).buildURL},
		{[]string{"URLPattern"}, (*Globals).buildURLPattern},
		{[]string{"performance"}, (*Globals).buildPerformance},
		{[]string{"navigator"}, (*Globals).buildNavigator},
		{[]string{"process", "scheduler", "caches"}, (*Globals).buildProcess},
		{[]string{"Buffer"}, (*Globals).buildBuffer},
		{eventNames, (*Globals).buildEvents},
		{[]string{"DOMException"}, (*Globals).buildDOMException},
		{[]string{"AbortSignal", "AbortController"}, (*Globals).buildAbort},
		{[]string{"Headers"}, (*Globals).buildHeaders},
		{[]string{"Request", "Response", "fetch"}, (*Globals).buildFetchClasses},
		{[]string{"Blob", "File", "FormData"}, (*Globals).buildBlob},
		{[]string{"WebSocket", "WebSocketPair"}, (*Globals).buildWebSocket},
		{streamClassNames, (*Globals).buildStreamClasses},
		{[]string{"TextEncoderStream", "TextDecoderStream", "CompressionStream", "DecompressionStream"}, (*Globals).buildStreamHelpers},
		{[]string{"HTMLRewriter"}, (*Globals).buildHTMLRewriter},
	}
	groupOf = make(map[string]int)
	for i, grp := range globalGroups {
		for _, n := range grp.names {
			if _, dup := groupOf[n]; dup {
				panic("web: global " + n + " listed twice")
			}
			groupOf[n] = i
		}
	}
}

// lazyGlobals is the goja.DynamicObject that sits between globalThis and
// Object.prototype. Reads of an unbuilt global land here; the group is then
// defined on globalThis itself, so later reads never come back. Assigning
// globalThis.X creates an own property (the dynamic object declines Set), so
// user overrides win as they would in workerd.
type lazyGlobals struct {
	g        *Globals
	values   [][]goja.Value
	building []bool
}

func (g *Globals) installLazy() error {
	l := &lazyGlobals{
		g:        g,
		values:   make([][]goja.Value, len(globalGroups)),
		building: make([]bool, len(globalGroups)),
	}
	g.lazy = l
	global := g.vm.GlobalObject()
	obj := g.vm.NewDynamicObject(l)
	if err := obj.SetPrototype(global.Prototype()); err != nil {
		return fmt.Errorf("lazy globals: %w", err)
	}
	return global.SetPrototype(obj)
}

func (l *lazyGlobals) Get(key string) goja.Value {
	idx, ok := groupOf[key]
	if !ok || l.building[idx] {
		return nil
	}
	return l.g.materialize(idx, key)
}

func (l *lazyGlobals) Has(key string) bool {
	_, ok := groupOf[key]
	return ok
}

func (l *lazyGlobals) Set(string, goja.Value) bool { return false }
func (l *lazyGlobals) Delete(string) bool          { return true }
func (l *lazyGlobals) Keys() []string              { return nil }

// materialize builds group idx (once) and defines its names on globalThis,
// except names the user has already assigned.
func (g *Globals) materialize(idx int, want string) goja.Value {
	l := g.lazy
	grp := globalGroups[idx]
	vals := l.values[idx]
	if vals == nil {
		l.building[idx] = true
		func() {
			defer func() { l.building[idx] = false }()
			vals = grp.build(g)
		}()
		if len(vals) != len(grp.names) {
			panic(fmt.Sprintf("web: group %v built %d values", grp.names, len(vals)))
		}
		l.values[idx] = vals
	}
	global := g.vm.GlobalObject()
	var out goja.Value
	for i, name := range grp.names {
		if name == want {
			out = vals[i]
		}
		if name != want && g.hasOwn(global, name) {
			continue
		}
		_ = global.DefineDataProperty(name, vals[i], goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return out
}

// global returns a Workers global by name, building it if needed. Bindings
// use it to reach each other without caring about build order.
func (g *Globals) global(name string) goja.Value {
	idx, ok := groupOf[name]
	if !ok {
		panic("web: unknown global " + name)
	}
	if vals := g.lazy.values[idx]; vals != nil {
		for i, n := range globalGroups[idx].names {
			if n == name {
				return vals[i]
			}
		}
	}
	return g.materialize(idx, name)
}

// hasOwn asks Object.prototype.hasOwnProperty, which (unlike listing the
// global's own names) does not force goja to build every lazy builtin.
func (g *Globals) hasOwn(o *goja.Object, name string) bool {
	if g.classes.hasOwn == nil {
		proto := g.vm.Get("Object").ToObject(g.vm).Get("prototype").ToObject(g.vm)
		g.classes.hasOwn, _ = goja.AssertFunction(proto.Get("hasOwnProperty"))
	}
	v, err := g.classes.hasOwn(o, g.vm.ToValue(name))
	return err == nil && v.ToBoolean()
}

//go:embed js/*.js js/vendor
var jsFiles embed.FS

// jsModule is a JS source file compiled once per process. The file is one
// function expression `(function (native) { ...; return exports; })` that
// each runtime calls once with the Go natives it needs.
type jsModule struct {
	file  string
	cjs   bool                // a vendored CommonJS/UMD file: wrapped, its exports returned
	patch func(string) string // source fix-ups for goja, applied before compiling
	once  sync.Once
	prog  *goja.Program
	err   error
}

func (m *jsModule) program() (*goja.Program, error) {
	m.once.Do(func() {
		src, err := jsFiles.ReadFile("js/" + m.file)
		if err != nil {
			m.err = err
			return
		}
		code := string(src)
		if m.patch != nil {
			code = m.patch(code)
		}
		if m.cjs {
			code = "(function (native) { var exports = {}, module = { exports: exports };\n" + code + "\nreturn module.exports; })"
		}
		m.prog, m.err = goja.Compile("gopk:web/"+m.file, code, !m.cjs)
	})
	return m.prog, m.err
}

// module runs m in this runtime (once) and returns what its function returned.
func (g *Globals) module(m *jsModule, natives func() *goja.Object) *goja.Object {
	if exp, ok := g.modules[m]; ok {
		return exp
	}
	prog, err := m.program()
	if err != nil {
		panic(fmt.Sprintf("web: embedded %s does not compile: %v", m.file, err))
	}
	fnv, err := g.vm.RunProgram(prog)
	if err != nil {
		panic(g.vm.NewGoError(fmt.Errorf("web: loading %s: %w", m.file, err)))
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		panic("web: " + m.file + " is not a function expression")
	}
	var arg goja.Value = goja.Undefined()
	if natives != nil {
		arg = natives()
	}
	res, err := fn(goja.Undefined(), arg)
	if err != nil {
		panic(g.vm.NewGoError(fmt.Errorf("web: initialising %s: %w", m.file, err)))
	}
	exp := res.ToObject(g.vm)
	g.modules[m] = exp
	return exp
}

// exports picks names out of a module's exports, in order.
func exports(o *goja.Object, names ...string) []goja.Value {
	out := make([]goja.Value, len(names))
	for i, n := range names {
		out[i] = o.Get(n)
		if out[i] == nil || goja.IsUndefined(out[i]) {
			panic("web: module does not export " + n)
		}
	}
	return out
}
