// Package node provides the require() a bundle's CommonJS wrapper calls for
// Node built-ins, shaped like workerd's nodejs_compat modules that PartyKit
// leaves to the runtime: buffer, events, util, path, string_decoder, assert,
// stream (basic), crypto, async_hooks and diagnostics_channel, each also
// under its node: name. Anything else throws "Cannot find module 'x'": the
// bundler is where other built-ins become polyfills or build errors.
//
// Modules are JS files compiled once per process (two are vendored npm
// packages, see js/vendor) over Go natives; each runtime builds a module the
// first time it is required and caches it.
package node

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"gopk/bindings/host"
	"gopk/bindings/web"
)

//go:embed js/*.js js/vendor
var jsFiles embed.FS

// source is one module file, compiled on first use by any runtime.
type source struct {
	file string
	once sync.Once
	prog *goja.Program
	err  error
}

func (s *source) program() (*goja.Program, error) {
	s.once.Do(func() {
		b, err := jsFiles.ReadFile("js/" + s.file)
		if err != nil {
			s.err = err
			return
		}
		code := string(b)
		if strings.HasPrefix(s.file, "vendor/") {
			// Vendored CommonJS: give it the usual wrapper.
			code = "(function (exports, require, module, native) {\n" + code + "\n})"
		}
		s.prog, s.err = goja.Compile("node:"+strings.TrimSuffix(s.file, ".js"), code, false)
	})
	return s.prog, s.err
}

// builtin describes how one module name is served.
type builtin struct {
	src     *source                        // JS module file, or nil
	natives func(r *requirer) *goja.Object // Go functions handed to the file
	build   func(r *requirer) goja.Value   // a module made in Go alone
}

var builtins = map[string]*builtin{
	"buffer":              {build: func(r *requirer) goja.Value { return r.web.BufferModule() }},
	"events":              {src: &source{file: "vendor/events/events.js"}},
	"path":                {src: &source{file: "vendor/path-browserify/index.js"}},
	"util":                {src: &source{file: "util.js"}, natives: (*requirer).utilNatives},
	"assert":              {src: &source{file: "assert.js"}, natives: (*requirer).utilNatives},
	"string_decoder":      {src: &source{file: "string_decoder.js"}},
	"stream":              {src: &source{file: "stream.js"}},
	"crypto":              {src: &source{file: "crypto.js"}, natives: (*requirer).cryptoNatives},
	"async_hooks":         {src: &source{file: "async_hooks.js"}, natives: (*requirer).asyncNatives},
	"diagnostics_channel": {src: &source{file: "diagnostics_channel.js"}},
}

// aliases are sub-paths Node and workerd also accept.
var aliases = map[string]string{
	"path/posix":      "path",
	"assert/strict":   "assert",
	"util/types":      "util#types",
	"stream/web":      "#streamweb",
	"stream/promises": "stream#promises",
}

type requirer struct {
	vm    *goja.Runtime
	env   host.Env
	web   *web.Globals
	cache map[string]goja.Value
	als   *asyncContext
}

// NewRequire returns the require function for one room's runtime. It uses
// w for the globals Node modules re-export (Buffer, crypto, TextDecoder).
func NewRequire(vm *goja.Runtime, env host.Env, w *web.Globals) goja.Value {
	r := &requirer{vm: vm, env: env, web: w, cache: make(map[string]goja.Value)}
	return vm.ToValue(func(c goja.FunctionCall) goja.Value {
		return r.require(c.Argument(0).String())
	})
}

func (r *requirer) require(name string) goja.Value {
	key := strings.TrimPrefix(name, "node:")
	if alias, ok := aliases[key]; ok {
		return r.alias(name, alias)
	}
	if v, ok := r.cache[key]; ok {
		return v
	}
	b, ok := builtins[key]
	if !ok {
		r.notFound(name)
	}
	var v goja.Value
	if b.build != nil {
		v = b.build(r)
	} else {
		v = r.load(key, b)
	}
	r.cache[key] = v
	return v
}

func (r *requirer) alias(name, target string) goja.Value {
	if target == "#streamweb" {
		o := r.vm.NewObject()
		for _, n := range []string{"ReadableStream", "WritableStream", "TransformStream", "ReadableStreamDefaultReader",
			"WritableStreamDefaultWriter", "ByteLengthQueuingStrategy", "CountQueuingStrategy", "TextEncoderStream",
			"TextDecoderStream", "CompressionStream", "DecompressionStream"} {
			_ = o.Set(n, r.web.Global(n))
		}
		return o
	}
	mod, field, _ := strings.Cut(target, "#")
	v := r.require(mod)
	if field == "" {
		return v
	}
	return v.ToObject(r.vm).Get(field)
}

func (r *requirer) notFound(name string) {
	e := r.vm.NewGoError(fmt.Errorf("Cannot find module '%s'", name))
	_ = e.Set("code", "MODULE_NOT_FOUND")
	panic(e)
}

// load runs a module file with a fresh module object. The module is cached
// before it runs, as Node does, so cycles see the partial exports.
func (r *requirer) load(key string, b *builtin) goja.Value {
	prog, err := b.src.program()
	if err != nil {
		panic(fmt.Sprintf("node: embedded %s does not compile: %v", b.src.file, err))
	}
	fnv, err := r.vm.RunProgram(prog)
	if err != nil {
		panic(err)
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		panic("node: " + b.src.file + " is not a function expression")
	}
	module := r.vm.NewObject()
	exports := r.vm.NewObject()
	_ = module.Set("exports", exports)
	r.cache[key] = exports
	var natives goja.Value = goja.Undefined()
	if b.natives != nil {
		natives = b.natives(r)
	}
	req := r.vm.ToValue(func(c goja.FunctionCall) goja.Value { return r.require(c.Argument(0).String()) })
	if _, err := fn(goja.Undefined(), exports, req, module, natives); err != nil {
		delete(r.cache, key)
		panic(err)
	}
	return module.Get("exports")
}
