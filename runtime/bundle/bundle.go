// Package bundle turns each party's TypeScript entry into one goja program.
//
// It runs esbuild in process with the settings PartyKit's CLI uses (bundle,
// target esnext, conditions partykit/workerd/worker, its Node built-in
// rules), lowers the syntax goja cannot parse, and emits CommonJS wrapped in
//
//	(function (module, exports, require) { ... })
//
// so that running the Program yields a function each room calls with its own
// module object and the runtime's require. That require is asked only for
// the specifiers ExternalModules lists. Each bundle carries an inline source
// map, so goja's stack traces name the TypeScript file, line and column.
package bundle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
)

// Options say what to bundle and how.
type Options struct {
	Entries map[string]string // party name → entry file ("main" included); relative paths are relative to Dir
	Define  map[string]string // esbuild defines (values are JavaScript source text)
	Alias   map[string]string // build.alias of partykit.json
	Minify  bool
	Dir     string // project dir: the resolution root, and what paths in messages and stacks are relative to
}

// Party is one party's bundle, compiled once; every room of the party runs
// the same Program.
type Party struct {
	Name string
	// Code is the wrapped CommonJS bundle. Its inline source map has every
	// column moved one to the right to suit goja (see
	// shiftMapColumnsForGoja); other tools would read it one column off.
	Code    []byte
	Program *goja.Program
}

// Result is a successful build.
type Result struct {
	Parties  map[string]*Party
	Inputs   []string // every file that went in (absolute, sorted): what the dev watcher watches
	Warnings []string // esbuild warnings, formatted like errors
}

// The bundle is wrapped in a function expression, so running a Party's
// Program returns that function rather than running the module body.
const (
	wrapperHead = "(function (module, exports, require) {"
	wrapperTail = "})"
)

// unsupported is the syntax goja cannot parse (GOJA.md §3.1). esbuild lowers
// it, or fails the build where it cannot (top-level await). Regexp literals
// using /d, /v or \p{...} become new RegExp(...) calls, which the runtime's
// RegExp handles.
var unsupported = map[string]bool{
	"async-generator":                 false,
	"for-await":                       false,
	"decorators":                      false,
	"using":                           false,
	"top-level-await":                 false,
	"dynamic-import":                  false,
	"import-meta":                     false,
	"regexp-unicode-property-escapes": false,
	"regexp-match-indices":            false,
	"regexp-set-notation":             false,
}

// classFieldsLowered is unsupported plus class fields, for the bundles
// whose class fields goja cannot parse.
var classFieldsLowered = func() map[string]bool {
	m := map[string]bool{"class-field": false, "class-static-field": false}
	for k, v := range unsupported {
		m[k] = v
	}
	return m
}()

// conditions are PartyKit's (dev.tsx); esbuild adds its browser defaults.
var conditions = []string{"partykit", "workerd", "worker"}

// Build bundles and compiles every entry. On failure the error is a
// *BuildError with every problem found, in every party.
func Build(o Options) (*Result, error) {
	if len(o.Entries) == 0 {
		return nil, &BuildError{Messages: []Message{{Text: "no entry points to bundle"}}}
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("bundle: project dir %q: %w", o.Dir, err)
	}
	o.Dir = dir

	names := make([]string, 0, len(o.Entries))
	for name := range o.Entries {
		names = append(names, name)
	}
	sort.Strings(names)

	// esbuild is safe to call concurrently and parallel inside; one build per
	// party at once keeps rebuild latency down when there are many parties.
	builds := make([]partyBuild, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			builds[i] = buildParty(o, name, o.Entries[name], unsupported)
		}()
	}
	wg.Wait()

	var (
		errs     messageSet
		warnings messageSet
		inputs   = map[string]bool{}
	)
	for _, b := range builds {
		errs.add(b.errors...)
		warnings.add(b.warnings...)
		for _, in := range b.inputs {
			inputs[in] = true
		}
	}
	inputList := make([]string, 0, len(inputs))
	for in := range inputs {
		inputList = append(inputList, in)
	}
	sort.Strings(inputList)
	if len(errs.list) > 0 {
		return nil, &BuildError{Messages: errs.list, Inputs: inputList}
	}

	res := &Result{Parties: make(map[string]*Party, len(names)), Inputs: inputList}
	for _, m := range warnings.list {
		res.Warnings = append(res.Warnings, m.format("warning"))
	}
	for _, b := range builds {
		prog, err := compile(b.name, b.code, o.Dir)
		if err != nil {
			// goja's parser rejects some class fields V8 takes (a field
			// named get or set, as in hono). Lowering class fields avoids
			// them, at a cost (#private members become WeakMaps), so only
			// bundles that need it get it.
			if lowered := buildParty(o, b.name, o.Entries[b.name], classFieldsLowered); len(lowered.errors) == 0 {
				if p2, err2 := compile(b.name, lowered.code, o.Dir); err2 == nil {
					res.Warnings = append(res.Warnings, fmt.Sprintf("party %s: class fields were lowered because goja cannot parse them as written (%s)", b.name, err.Text))
					res.Parties[b.name] = &Party{Name: b.name, Code: lowered.code, Program: p2}
					continue
				}
			}
			errs.add(*err)
			continue
		}
		res.Parties[b.name] = &Party{Name: b.name, Code: b.code, Program: prog}
	}
	if len(errs.list) > 0 {
		return nil, &BuildError{Messages: errs.list, Inputs: inputList}
	}
	return res, nil
}

type partyBuild struct {
	name             string
	code             []byte
	errors, warnings []Message
	inputs           []string
}

func buildParty(o Options, name, entry string, supported map[string]bool) partyBuild {
	pb := partyBuild{name: name}
	if !filepath.IsAbs(entry) {
		entry = filepath.Join(o.Dir, entry)
	}
	if _, err := os.Stat(entry); err != nil {
		text := fmt.Sprintf("entry file %s does not exist", relPath(o.Dir, entry))
		if !errors.Is(err, os.ErrNotExist) {
			text = fmt.Sprintf("entry file %s: %v", relPath(o.Dir, entry), err)
		}
		pb.errors = []Message{{Party: name, Text: text}}
		return pb
	}
	rec := &inputRecorder{}
	r := api.Build(api.BuildOptions{
		EntryPoints:       []string{entry},
		AbsWorkingDir:     o.Dir,
		Bundle:            true,
		Write:             false,
		Format:            api.FormatCommonJS,
		Platform:          api.PlatformBrowser,
		Target:            api.ESNext,
		Supported:         supported,
		Conditions:        conditions,
		Define:            o.Define,
		Alias:             o.Alias,
		MinifyWhitespace:  o.Minify,
		MinifyIdentifiers: o.Minify,
		MinifySyntax:      o.Minify,
		Sourcemap:         api.SourceMapInline,
		// goja needs the mappings, not the sources: keep bundles small.
		SourcesContent: api.SourcesContentExclude,
		LegalComments:  api.LegalCommentsInline,
		Banner:         map[string]string{"js": wrapperHead},
		Footer:         map[string]string{"js": wrapperTail},
		Loader:         map[string]api.Loader{".bin": api.LoaderBinary},
		LogLevel:       api.LogLevelSilent,
		Plugins:        []api.Plugin{workerdPlugin(), rec.plugin()},
	})
	pb.inputs = rec.list()
	pb.errors = convert(name, r.Errors)
	pb.warnings = convert(name, r.Warnings)
	if len(pb.errors) == 0 {
		if len(r.OutputFiles) != 1 {
			pb.errors = []Message{{Party: name, Text: fmt.Sprintf("esbuild produced %d output files, want 1", len(r.OutputFiles))}}
			return pb
		}
		code, err := shiftMapColumnsForGoja(r.OutputFiles[0].Contents)
		if err != nil {
			pb.errors = []Message{{Party: name, Text: "reading esbuild's source map: " + err.Error()}}
			return pb
		}
		pb.code = code
	}
	return pb
}

// compile parses the bundle once. Strict mode matches PartyKit, whose bundle
// is one ES module and so strict throughout, dependencies included.
func compile(party string, code []byte, dir string) (*goja.Program, *Message) {
	// The name has no directory so that goja resolves the source map's
	// paths (relative to dir) to themselves: stacks read "party/x.ts:3:7".
	prog, err := goja.Compile(party+".bundle.js", string(code), true)
	if err == nil {
		return prog, nil
	}
	m := &Message{Party: party, Text: err.Error()}
	var syntax *goja.CompilerSyntaxError
	if errors.As(err, &syntax) && syntax.File != nil {
		// The position goes through the inline source map, back to the
		// user's file.
		pos := syntax.File.Position(syntax.Offset)
		m.Text = syntax.Message
		m.File, m.Line, m.Column = pos.Filename, pos.Line, pos.Column
		m.LineText = sourceLine(filepath.Join(dir, pos.Filename), pos.Line)
		m.Text += " (goja cannot parse this after esbuild's lowering)"
	}
	return nil, m
}

// inputRecorder notes every file esbuild loads, even when the build fails,
// so that the watcher knows what to watch to retry a broken build.
type inputRecorder struct {
	mu    sync.Mutex
	files map[string]bool
}

func (r *inputRecorder) plugin() api.Plugin {
	return api.Plugin{
		Name: "gopk-inputs",
		Setup: func(b api.PluginBuild) {
			b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "file"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				r.mu.Lock()
				if r.files == nil {
					r.files = map[string]bool{}
				}
				r.files[a.Path] = true
				r.mu.Unlock()
				return api.OnLoadResult{}, nil // let esbuild load it as usual
			})
		},
	}
}

func (r *inputRecorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.files))
	for f := range r.files {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func relPath(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

func sourceLine(path string, line int) string {
	data, err := os.ReadFile(path)
	if err != nil || line < 1 {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if line > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[line-1], "\r")
}

// Compile parses a bundle that Build produced (Party.Code) into a Program,
// exactly as Build does (same file name, strict mode). A deploy server uses it
// on uploaded bundles, which it must not trust to be compiled already. A
// syntax error is located through the bundle's inline source map; no source
// file is read, since the server has none.
func Compile(party string, code []byte) (*goja.Program, error) {
	prog, err := goja.Compile(party+".bundle.js", string(code), true)
	if err == nil {
		return prog, nil
	}
	m := Message{Party: party, Text: err.Error()}
	var syntax *goja.CompilerSyntaxError
	if errors.As(err, &syntax) && syntax.File != nil {
		pos := syntax.File.Position(syntax.Offset)
		m.Text = syntax.Message
		m.File, m.Line, m.Column = pos.Filename, pos.Line, pos.Column
	}
	return nil, &BuildError{Messages: []Message{m}}
}
