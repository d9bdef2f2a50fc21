package bundle

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"gopk/bindings/wasm"
)

// PartyKit runs on workerd with nodejs_compat and leaves these Node modules
// to it (base-builtins.ts); gopk's runtime provides them through require.
var baseBuiltins = []string{
	"assert", "async_hooks", "buffer", "crypto", "diagnostics_channel", "events", "path", "stream",
	"string_decoder", "util",
}

// nodeBuiltins is Node's builtinModules (node 20), the bare names PartyKit's
// plugin treats as Node's rather than as npm packages.
var nodeBuiltins = []string{
	"_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing", "_http_server",
	"_stream_duplex", "_stream_passthrough", "_stream_readable", "_stream_transform", "_stream_wrap",
	"_stream_writable", "_tls_common", "_tls_wrap", "assert", "assert/strict", "async_hooks", "buffer",
	"child_process", "cluster", "console", "constants", "crypto", "dgram", "diagnostics_channel", "dns",
	"dns/promises", "domain", "events", "fs", "fs/promises", "http", "http2", "https", "inspector",
	"inspector/promises", "module", "net", "os", "path", "path/posix", "path/win32", "perf_hooks",
	"process", "punycode", "querystring", "readline", "readline/promises", "repl", "stream",
	"stream/consumers", "stream/promises", "stream/web", "string_decoder", "sys", "timers",
	"timers/promises", "tls", "trace_events", "tty", "url", "util", "util/types", "v8", "vm", "wasi",
	"worker_threads", "zlib",
}

// cloudflareModules are the workerd modules PartyKit lets a server import.
var cloudflareModules = []string{"cloudflare:email", "cloudflare:sockets"}

// ExternalModules lists every specifier a bundle may pass to require: the
// Node modules PartyKit leaves to workerd (always "node:"-prefixed, with
// their subpaths such as "node:stream/web") and cloudflare:email and
// cloudflare:sockets. Any other require of a Node built-in in a bundle comes
// from a require() call of a module gopk lacks, and should throw.
func ExternalModules() []string {
	var out []string
	for _, name := range nodeBuiltins {
		if isBase(name) {
			out = append(out, "node:"+name)
		}
	}
	out = append(out, cloudflareModules...)
	sort.Strings(out)
	return out
}

func isBase(name string) bool {
	root, _, _ := strings.Cut(name, "/")
	for _, b := range baseBuiltins {
		if b == root {
			return true
		}
	}
	return false
}

// skipOwnResolve marks a resolution the plugin started itself, so that its
// own callbacks step aside and esbuild resolves as usual.
type skipOwnResolve struct{}

const binNamespace = "gopk-bin"

// wasmNamespace holds the module each .wasm import becomes; it imports the
// file itself, which the plugin has esbuild load as base64. That text is a
// string constant of the bundle's program, shared by every room that runs
// it, so bindings/wasm caches the compiled module by it: no room decodes or
// compiles the file again (esbuild's binary loader would decode it in JS,
// about 0.6 s per MB, in every room).
const wasmNamespace = "gopk-wasm"

// checkWasm compiles a .wasm file with the engine rooms use, which also
// puts it in that engine's cache for them.
func checkWasm(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = wasm.Default().Compile(data)
	return err
}

// workerdPlugin applies PartyKit's import rules: Node's base built-ins and
// two cloudflare: modules are left to the runtime, other built-ins are
// refused, .bin files are ArrayBuffers, and .wasm files are compiled
// WebAssembly.Modules.
func workerdPlugin() api.Plugin {
	bare := make([]string, len(nodeBuiltins))
	for i, name := range nodeBuiltins {
		bare[i] = regexp.QuoteMeta(name)
	}
	bareFilter := `^(` + strings.Join(bare, "|") + `)$`
	available := strings.Join(baseBuiltins, ", ")

	return api.Plugin{
		Name: "gopk-workerd",
		Setup: func(b api.PluginBuild) {
			// Only the plugin's own modules import a .wasm file directly.
			loaders := maps.Clone(b.InitialOptions.Loader)
			if loaders == nil {
				loaders = map[string]api.Loader{}
			}
			loaders[".wasm"] = api.LoaderBase64
			b.InitialOptions.Loader = loaders

			unavailable := func(a api.OnResolveArgs, name string) (api.OnResolveResult, error) {
				msg := fmt.Sprintf("%q is not available in gopk (PartyKit runs on workerd, which has only %s)", a.Path, available)
				if a.Kind == api.ResolveJSRequireCall {
					// Libraries probe optional modules with require() in a
					// try block; let that throw at run time, as in workerd.
					return api.OnResolveResult{
						Path: "node:" + name, External: true,
						Warnings: []api.Message{{Text: msg + "; this require() will throw when it runs"}},
					}, nil
				}
				return api.OnResolveResult{Errors: []api.Message{{Text: msg}}}, nil
			}

			b.OnResolve(api.OnResolveOptions{Filter: `^node:`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				name := strings.TrimPrefix(a.Path, "node:")
				if isBase(name) {
					return api.OnResolveResult{Path: a.Path, External: true}, nil
				}
				return unavailable(a, name)
			})

			b.OnResolve(api.OnResolveOptions{Filter: bareFilter}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := a.PluginData.(skipOwnResolve); ok {
					return api.OnResolveResult{}, nil
				}
				if isBase(a.Path) {
					return api.OnResolveResult{Path: "node:" + a.Path, External: true}, nil
				}
				// An npm package of the same name (punycode, url, process...)
				// is used when installed, instead of failing the build.
				r := b.Resolve(a.Path, api.ResolveOptions{
					Importer: a.Importer, Namespace: a.Namespace, ResolveDir: a.ResolveDir, Kind: a.Kind,
					PluginData: skipOwnResolve{},
				})
				if len(r.Errors) == 0 {
					return api.OnResolveResult{}, nil // esbuild resolves it the same way again
				}
				return unavailable(a, a.Path)
			})

			b.OnResolve(api.OnResolveOptions{Filter: `^cloudflare:`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				for _, m := range cloudflareModules {
					if a.Path == m {
						return api.OnResolveResult{Path: a.Path, External: true}, nil
					}
				}
				return api.OnResolveResult{Errors: []api.Message{{Text: fmt.Sprintf("%q is not available in gopk (PartyKit provides only %s)", a.Path, strings.Join(cloudflareModules, " and "))}}}, nil
			})

			// A .wasm (or .wasm?module) import is a compiled
			// WebAssembly.Module, as workerd's CompiledWasm modules are.
			// The file is checked here, so a bad one fails the build at the
			// import; a small module then hands its bytes, as base64, to
			// bindings/wasm, which compiles them once per process (see
			// wasmNamespace).
			b.OnResolve(api.OnResolveOptions{Filter: `\.wasm(\?module)?$`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := a.PluginData.(skipOwnResolve); ok {
					return api.OnResolveResult{}, nil
				}
				if a.Namespace == wasmNamespace {
					return api.OnResolveResult{Path: a.Path}, nil // the bytes, by the .wasm loader
				}
				r := b.Resolve(strings.TrimSuffix(a.Path, "?module"), api.ResolveOptions{
					Importer: a.Importer, Namespace: a.Namespace, ResolveDir: a.ResolveDir, Kind: a.Kind,
					PluginData: skipOwnResolve{},
				})
				if len(r.Errors) > 0 {
					return api.OnResolveResult{Errors: r.Errors}, nil
				}
				if err := checkWasm(r.Path); err != nil {
					return api.OnResolveResult{Errors: []api.Message{{Text: fmt.Sprintf("%q is not a WebAssembly module gopk can run: %v", a.Path, err)}}}, nil
				}
				return api.OnResolveResult{Path: r.Path, Namespace: wasmNamespace}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: wasmNamespace}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				path, _ := json.Marshal(a.Path)
				js := fmt.Sprintf("import base64 from %s;\nexport default WebAssembly.Module[Symbol.for(%q)](base64);\n", path, wasm.EmbeddedModuleKey)
				return api.OnLoadResult{Contents: &js, ResolveDir: filepath.Dir(a.Path), Loader: api.LoaderJS}, nil
			})

			// A .bin import is an ArrayBuffer, as workerd's Data modules are:
			// a small module turns esbuild's binary loader's Uint8Array into
			// its exact ArrayBuffer.
			b.OnResolve(api.OnResolveOptions{Filter: `\.bin$`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := a.PluginData.(skipOwnResolve); ok {
					return api.OnResolveResult{}, nil
				}
				if a.Namespace == binNamespace {
					return api.OnResolveResult{Path: a.Path}, nil // the raw bytes, by the .bin loader
				}
				r := b.Resolve(a.Path, api.ResolveOptions{
					Importer: a.Importer, Namespace: a.Namespace, ResolveDir: a.ResolveDir, Kind: a.Kind,
					PluginData: skipOwnResolve{},
				})
				if len(r.Errors) > 0 {
					return api.OnResolveResult{Errors: r.Errors}, nil
				}
				return api.OnResolveResult{Path: r.Path, Namespace: binNamespace}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: binNamespace}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				path, _ := json.Marshal(a.Path)
				js := fmt.Sprintf("import bytes from %s;\nexport default bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);\n", path)
				return api.OnLoadResult{Contents: &js, ResolveDir: filepath.Dir(a.Path), Loader: api.LoaderJS}, nil
			})
		},
	}
}
