// Package assets builds a PartyKit project's client code: the "serve.build"
// entries of partykit.json, bundled by esbuild in process into the served
// directory, with the options and defaults `partykit dev` and `partykit
// deploy` use (bundle, splitting, ESM, linked source maps, PARTYKIT_HOST
// defined for the browser). It also carries the live-reload channel that
// `gopk dev --live` uses to reload open pages after a rebuild (see Live).
package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/evanw/esbuild/pkg/api"

	"gopk/runtime/bundle"
	"gopk/runtime/config"
)

// Options tune a client build beyond what partykit.json says.
type Options struct {
	// Host is PARTYKIT_HOST as the client sees it: "127.0.0.1:<port>" in
	// dev, the public host name on deploy. A define of the same name in the
	// config wins, as in PartyKit.
	Host string
	// LiveReload, when not empty, is the URL path of the event stream
	// (Live.ServeHTTP) that every built JS file subscribes to and reloads
	// the page on a "change" event.
	LiveReload string
	// Deploy builds for production: minified unless serve.build.minify
	// says otherwise, as partykit deploy does.
	Deploy bool
}

// Result is one successful client build.
type Result struct {
	Outdir string
	// Outputs maps each written file (absolute path) to esbuild's hash of
	// its contents, so that two builds can be compared (see Changes).
	Outputs map[string]string
	// Inputs are the source files that went in (absolute, sorted), for the
	// dev watcher; files under node_modules are included.
	Inputs   []string
	Warnings []string
	Took     time.Duration
}

// Version is a digest of every output, equal for two builds that wrote the
// same files with the same contents.
func (r *Result) Version() string {
	if r == nil {
		return ""
	}
	h := sha256.New()
	for _, name := range sortedKeys(r.Outputs) {
		fmt.Fprintf(h, "%s\x00%s\x00", name, r.Outputs[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Build builds the client of p with PARTYKIT_HOST set to host and no live
// reload: what `gopk deploy` runs before it packs serve.path. It writes into
// serve.build.outdir and returns nil, nil when there is nothing to build
// (no serve.build entry, or no serve.path to build into, which PartyKit
// also silently skips).
func Build(p *config.Project, host string) (*Result, error) {
	return BuildWith(p, Options{Host: host, Deploy: true})
}

// BuildWith is Build with every option.
func BuildWith(p *config.Project, o Options) (*Result, error) {
	return build(p, o, func(opts api.BuildOptions) api.BuildResult { return api.Build(opts) })
}

// Builder rebuilds a project's client incrementally: esbuild keeps the files
// it parsed (React and the like) between builds and re-reads only changed
// ones. `gopk dev` keeps one for its lifetime. Unlike an esbuild context
// left to write by itself, a failed build leaves the last good output in
// place, and files are replaced by rename, so a page loading during a
// rebuild never reads half a file. A Builder is not safe for concurrent
// use; Close frees it.
type Builder struct {
	ctx     api.BuildContext
	key     string            // the options ctx was made with
	written map[string]string // output path → hash, of the last good build
}

// Build is BuildWith, reusing the previous build's work when the options
// are the same (a changed partykit.json starts afresh).
func (b *Builder) Build(p *config.Project, o Options) (*Result, error) {
	return build(p, o, func(opts api.BuildOptions) api.BuildResult {
		opts.Write = false
		key := optionsKey(opts)
		if b.ctx == nil || b.key != key {
			b.Close()
			ctx, cerr := api.Context(opts)
			if cerr != nil {
				return api.BuildResult{Errors: cerr.Errors}
			}
			b.ctx, b.key = ctx, key
		}
		res := b.ctx.Rebuild()
		if len(res.Errors) == 0 {
			if err := b.write(res.OutputFiles); err != nil {
				res.Errors = append(res.Errors, api.Message{Text: err.Error()})
			}
		}
		return res
	})
}

// write puts the changed outputs in place and removes the ones the last
// good build wrote that this one no longer makes (old chunks).
func (b *Builder) write(files []api.OutputFile) error {
	now := make(map[string]string, len(files))
	for _, f := range files {
		now[f.Path] = f.Hash
		if b.written[f.Path] == f.Hash {
			if _, err := os.Stat(f.Path); err == nil {
				continue
			}
		}
		if err := writeAtomic(f.Path, f.Contents); err != nil {
			return err
		}
	}
	for path := range b.written {
		if _, ok := now[path]; !ok {
			_ = os.Remove(path)
		}
	}
	b.written = now
	return nil
}

// writeAtomic replaces path by renaming a temp file (a dotfile, which the
// router never serves) over it.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("serve.build: creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("serve.build: writing %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("serve.build: writing %s: %w", path, werr)
	}
	return nil
}

// Close frees the esbuild context; the Builder may be used again.
func (b *Builder) Close() {
	if b.ctx != nil {
		b.ctx.Dispose()
		b.ctx, b.key = nil, ""
	}
}

// optionsKey tells whether two option sets would build the same way.
func optionsKey(opts api.BuildOptions) string {
	data, _ := json.Marshal(opts)
	return string(data)
}

func build(p *config.Project, o Options, run func(api.BuildOptions) api.BuildResult) (*Result, error) {
	sb := buildOf(p)
	if sb == nil {
		return nil, nil
	}
	if sb.Outdir == "" {
		return nil, fmt.Errorf("serve.build: no place to write the bundle: set serve.build.outdir")
	}
	start := time.Now()
	opts, err := esbuildOptions(p, sb, o)
	if err != nil {
		return nil, err
	}
	res := run(opts)
	inputs := metafileInputs(p.Dir, res.Metafile)
	if len(res.Errors) > 0 {
		return nil, &bundle.BuildError{
			Messages: messages(res.Errors),
			Inputs:   withErrorFiles(p.Dir, inputs, sb.Entry, res.Errors),
		}
	}
	r := &Result{
		Outdir:   sb.Outdir,
		Outputs:  make(map[string]string, len(res.OutputFiles)),
		Inputs:   inputs,
		Warnings: formatAll(messages(res.Warnings), "warning"),
	}
	for _, f := range res.OutputFiles {
		r.Outputs[f.Path] = f.Hash
	}
	r.Took = time.Since(start)
	return r, nil
}

// buildOf is the serve.build that Build acts on, or nil. Like PartyKit, a
// build without serve.path is skipped: its output would not be served.
func buildOf(p *config.Project) *config.ServeBuild {
	if p == nil || p.Serve == nil || p.Serve.Path == "" || p.Serve.Build == nil || len(p.Serve.Build.Entry) == 0 {
		return nil
	}
	return p.Serve.Build
}

// esbuildOptions maps serve.build onto esbuild the way PartyKit's CLI does
// (dev.tsx useAssetServer and deploy.ts): browser platform, target esnext,
// written to disk.
func esbuildOptions(p *config.Project, sb *config.ServeBuild, o Options) (api.BuildOptions, error) {
	define := map[string]string{}
	if o.Host != "" {
		hostJSON, _ := json.Marshal(o.Host)
		define["PARTYKIT_HOST"] = string(hostJSON)
	}
	// PartyKit spreads the project's defines, then the client's own.
	for k, v := range p.Define {
		define[k] = v
	}
	for k, v := range sb.Define {
		define[k] = v
	}
	minify := sb.Minify
	if o.Deploy && !sb.MinifySet {
		minify = true // partykit deploy: minify ?? true
	}
	opts := api.BuildOptions{
		EntryPoints:       sb.Entry,
		Outdir:            sb.Outdir,
		Bundle:            sb.Bundle,
		Splitting:         sb.Splitting,
		MinifyWhitespace:  minify,
		MinifyIdentifiers: minify,
		MinifySyntax:      minify,
		External:          sb.External,
		Alias:             sb.Alias,
		Define:            define,
		Platform:          api.PlatformBrowser,
		Target:            api.ESNext,
		AbsWorkingDir:     p.Dir,
		Write:             true,
		Metafile:          true,
		LogLevel:          api.LogLevelSilent,
	}
	switch sb.Format {
	case "", "esm":
		opts.Format = api.FormatESModule
	case "cjs":
		opts.Format = api.FormatCommonJS
	case "iife":
		opts.Format = api.FormatIIFE
	default:
		return opts, fmt.Errorf(`serve.build.format: expected "esm", "cjs" or "iife", got %q`, sb.Format)
	}
	if sb.Sourcemap {
		opts.Sourcemap = api.SourceMapLinked
	}
	if len(sb.Loader) > 0 {
		opts.Loader = make(map[string]api.Loader, len(sb.Loader))
		for ext, name := range sb.Loader {
			l, ok := loaders[name]
			if !ok {
				return opts, fmt.Errorf("serve.build.loader.%s: unknown esbuild loader %q", ext, name)
			}
			opts.Loader[ext] = l
		}
	}
	if o.LiveReload != "" {
		opts.Banner = map[string]string{"js": liveBanner(o.LiveReload)}
	}
	return opts, nil
}

var loaders = map[string]api.Loader{
	"base64": api.LoaderBase64, "binary": api.LoaderBinary, "copy": api.LoaderCopy,
	"css": api.LoaderCSS, "dataurl": api.LoaderDataURL, "default": api.LoaderDefault,
	"empty": api.LoaderEmpty, "file": api.LoaderFile, "js": api.LoaderJS, "json": api.LoaderJSON,
	"jsx": api.LoaderJSX, "local-css": api.LoaderLocalCSS, "text": api.LoaderText,
	"ts": api.LoaderTS, "tsx": api.LoaderTSX,
}

// metafileInputs lists the inputs esbuild read, as absolute paths.
func metafileInputs(dir, metafile string) []string {
	if metafile == "" {
		return nil
	}
	var meta struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &meta); err != nil {
		return nil
	}
	out := make([]string, 0, len(meta.Inputs))
	for name := range meta.Inputs {
		if strings.Contains(name, ":") && !filepath.IsAbs(name) {
			continue // a namespaced virtual module ("dataurl:…"), not a file
		}
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		out = append(out, filepath.Clean(name))
	}
	sort.Strings(out)
	return out
}

// withErrorFiles adds the entries and the files errors point at to the
// inputs of a failed build, so the watcher rebuilds when the user fixes them.
func withErrorFiles(dir string, inputs, entries []string, errs []api.Message) []string {
	seen := map[string]bool{}
	var out []string
	add := func(f string) {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		f = filepath.Clean(f)
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, f := range inputs {
		add(f)
	}
	for _, f := range entries {
		add(f)
	}
	for _, m := range errs {
		if m.Location != nil && m.Location.File != "" {
			if _, err := os.Stat(filepath.Join(dir, m.Location.File)); err == nil || filepath.IsAbs(m.Location.File) {
				add(m.Location.File)
			}
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
