// Package config reads a PartyKit project's configuration: partykit.json
// (or .json5, .jsonc, or the "partykit" field of package.json), the .env
// files and the command-line overrides, and turns them into one Project.
//
// It follows PartyKit 0.0.115's rules (src/config.ts and config-schema.ts)
// so that an unmodified PartyKit project loads the same way, and it reports
// every problem with the file and the key path that caused it.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultPort is the port `partykit dev` listens on unless told otherwise.
const DefaultPort = 1999

// LoadOptions are the inputs of Load: where to look, and what the command
// line overrides. Zero values mean "not given".
type LoadOptions struct {
	Cwd        string   // where to search upward from; "" = the process's working directory
	ConfigPath string   // -c; empty = search partykit.json, partykit.json5, partykit.jsonc upward, then the "partykit" field of the nearest package.json
	Dev        bool     // dev reads .env.local too
	Vars       []string // --var K=V (split at the first '='; values are strings)
	Defines    []string // --define K=V (values are JavaScript source text)
	Name       string   // deploy -n
	Main       string   // dev [script], relative to Cwd
	Serve      string   // --serve DIR, relative to Cwd
	Persist    *string  // --persist PATH|true|false; nil = not given
	Port       int      // --port (0 = unset)

	// Flags PartyKit's CLI also accepts for dev and deploy.
	WithEnv            bool     // --with-env: every .env key also becomes a define of its quoted value
	Minify             bool     // --minify
	CompatibilityDate  string   // --compatibility-date
	CompatibilityFlags []string // --compatibility-flags
}

// Project is one loaded configuration. Load builds it and nothing changes it
// afterwards: treat every field, maps and slices included, as read-only.
// Paths are absolute.
type Project struct {
	ConfigPath string   // the file the config came from; "" when there was none
	Dir        string   // the directory relative paths of the config file are resolved against
	EnvFiles   []string // the .env / .env.local files that were read (for the dev watcher)

	Schema string // "$schema", ignored
	Name   string
	Team   string
	Main   string // entry of the main party (absolute path)

	// Parties maps every party name to its entry (absolute path), "main"
	// included.
	Parties map[string]string

	// Vars become room.env / lobby.env: config "vars", then .env, then
	// .env.local (dev), then --var. Config values keep their JSON types
	// (string, float64, bool, nil, []any, map[string]any); the others are
	// strings.
	Vars map[string]any

	// ProcessEnv is what process.env holds: the .env (and, in dev,
	// .env.local) variables only, never config vars or --var.
	ProcessEnv map[string]string

	// Define are esbuild substitutions (JavaScript source text):
	// PARTYKIT_PROCESS_ENV (only when there are .env variables), the .env
	// keys with --with-env, config "define", then --define. The caller adds
	// PARTYKIT_HOST, which depends on where the server listens.
	Define map[string]string

	Port         int  // DefaultPort unless configured
	PortExplicit bool // set by --port or "port"; PartyKit only picks another free port when it is not

	Persist Persist

	Serve *Serve // nil when no static assets are served
	Crons map[string]string
	Build *Build // the custom build command; nil when there is none

	CompatibilityDate  string
	CompatibilityFlags []string
	Minify             bool

	// Keys of PartyKit's managed platform, kept so that a config written for
	// it loads; gopk does not act on them.
	AI            *AI
	Vectorize     map[string]string // binding name → index name
	Bindings      *Bindings
	Domain        string
	TailConsumers []string
	Logpush       *bool
	Analytics     string
	Placement     string // placement.mode ("smart")
	Observability *Observability
	Preview       string

	// Warnings are problems that do not stop the project from loading, such
	// as keys PartyKit would silently drop.
	Warnings []string
}

// Persist says whether and where room storage is kept on disk.
type Persist struct {
	Enabled bool
	Path    string // absolute; default <cwd or -c config dir>/.partykit/state
}

// Serve describes the static assets. A string "serve" is the same as
// {"path": string}.
type Serve struct {
	Path          string      // directory of the assets (absolute); "" when only set through other keys
	Build         *ServeBuild // client-side bundle built into Path; nil when none
	SinglePageApp bool
	BrowserTTL    *float64 // nil when absent or null
	EdgeTTL       *float64
	Include       []string // accepted by PartyKit's schema; its dev server refuses them
	Exclude       []string
}

// ServeBuild is serve.build with PartyKit's defaults applied.
type ServeBuild struct {
	Entry     []string // absolute paths
	Bundle    bool     // default true
	Splitting bool     // default true
	Outdir    string   // absolute; default <serve.path>/dist
	Minify    bool
	MinifySet bool   // "minify" was given; otherwise dev does not minify and deploy does (as PartyKit)
	Format    string // "esm" (default), "cjs" or "iife"
	Sourcemap bool   // default true
	External  []string
	Alias     map[string]string
	Define    map[string]string
	Loader    map[string]string // extension → esbuild loader name
	Live      bool
}

// Build is the custom build command run before bundling.
type Build struct {
	Command string
	Cwd     string   // absolute; "" = the working directory
	Watch   []string // absolute; what dev watches to re-run Command (default <dir>/src)
	Alias   map[string]string
}

// AI is "ai": true, or its object form.
type AI struct {
	APIGateway, APIToken, APIAccount string
}

// Bindings are custom R2 and KV bindings.
type Bindings struct {
	R2 map[string]string
	KV map[string]string
}

// Observability is the "observability" key.
type Observability struct {
	Enabled          *bool
	HeadSamplingRate *float64
}

var (
	// PartyKit's schema checks names with this (config-schema.ts).
	workerName = regexp.MustCompile(`^[a-z0-9_-]+$`)
	// ...and config.ts then also requires a valid URL host label.
	projectName = regexp.MustCompile(`^[a-zA-Z0-9-]+$`)
	dateOnly    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// MissingMain is PartyKit's message for a project without an entry point.
const MissingMain = `Missing entry point, please specify "main" in your config`

// Load finds and reads the configuration, the .env files and the overrides
// in o. Problems with the configuration come back as an ErrorList naming each
// file and key.
func Load(o LoadOptions) (*Project, error) {
	cwd, err := absCwd(o.Cwd)
	if err != nil {
		return nil, err
	}
	l := &loader{opts: o, cwd: cwd}
	return l.load()
}

func absCwd(cwd string) (string, error) {
	if cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("config: working directory: %w", err)
		}
		return wd, nil
	}
	abs, err := filepath.Abs(cwd)
	if err != nil {
		return "", fmt.Errorf("config: working directory %s: %w", cwd, err)
	}
	return abs, nil
}

// loader holds the state of one Load call.
type loader struct {
	opts LoadOptions
	cwd  string
	c    checker
	p    Project
}

// rel shows a path the way the user would type it from the working directory.
func (l *loader) rel(path string) string {
	if r, err := filepath.Rel(l.cwd, path); err == nil && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && r != ".." {
		return r
	}
	return path
}

func (l *loader) abs(base, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, path)
}

func (l *loader) load() (*Project, error) {
	raw, err := l.readConfig()
	if err != nil {
		return nil, err
	}
	env, err := l.readEnv()
	if err != nil {
		return nil, err
	}

	root, ok := l.c.asObject("", raw, true, topLevelKeys...)
	if ok {
		l.decode(root)
	}
	l.applyOverrides()
	l.mergeVars(root, env)
	l.mergeDefines(root, env)
	if len(l.c.errs) > 0 {
		return nil, l.c.errs
	}
	if l.p.Main == "" {
		return nil, ErrorList{{File: l.c.file, Msg: MissingMain}}
	}
	if l.p.Parties == nil {
		l.p.Parties = map[string]string{}
	}
	l.p.Parties["main"] = l.p.Main
	l.p.Warnings = l.c.warnings
	return &l.p, nil
}

// readConfig returns the decoded configuration, or an empty object when the
// project has none (the command line may still give "main").
func (l *loader) readConfig() (any, error) {
	path := l.opts.ConfigPath
	if path != "" {
		path = l.abs(l.cwd, path)
		if !isFile(path) {
			return nil, ErrorList{{File: "-c " + l.opts.ConfigPath, Msg: "config file not found"}}
		}
	} else {
		for _, name := range []string{"partykit.json", "partykit.json5", "partykit.jsonc"} {
			if path = findUp(l.cwd, name); path != "" {
				break
			}
		}
	}
	if path == "" {
		return l.readPackageJSON()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	l.p.ConfigPath = path
	l.p.Dir = filepath.Dir(path)
	l.c.file = l.rel(path)
	v, perr := parseJSON5(l.c.file, data)
	if perr != nil {
		return nil, ErrorList{perr}
	}
	return v, nil
}

// readPackageJSON is PartyKit's fallback: the "partykit" field of the nearest
// package.json. Paths in it are relative to that package.json.
func (l *loader) readPackageJSON() (any, error) {
	l.p.Dir = l.cwd
	path := findUp(l.cwd, "package.json")
	if path == "" {
		return map[string]any{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	file := l.rel(path)
	v, perr := parseJSON5(file, data)
	if perr != nil {
		return nil, ErrorList{perr}
	}
	pkg, ok := v.(map[string]any)
	if !ok || pkg["partykit"] == nil {
		return map[string]any{}, nil
	}
	l.p.ConfigPath = path
	l.p.Dir = filepath.Dir(path)
	l.c.file = file
	l.c.prefix = "partykit."
	return pkg["partykit"], nil
}

// readEnv reads .env and, in dev, .env.local, each found by walking up from
// the working directory (not from the config file), as PartyKit does.
func (l *loader) readEnv() (map[string]string, error) {
	env := map[string]string{}
	names := []string{".env"}
	if l.opts.Dev {
		names = append(names, ".env.local")
	}
	for _, name := range names {
		path := findUp(l.cwd, name)
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		l.p.EnvFiles = append(l.p.EnvFiles, path)
		for k, v := range parseDotenv(string(data)) {
			env[k] = v
		}
	}
	return env, nil
}

var topLevelKeys = []string{
	"$schema", "team", "name", "main", "port", "preview", "crons", "serve", "persist", "vars",
	"define", "parties", "build", "compatibilityDate", "compatibilityFlags", "minify", "ai",
	"domain", "vectorize", "logpush", "tailConsumers", "analytics", "bindings", "placement",
	"observability",
}

// decode checks every key of the config object and fills l.p.
func (l *loader) decode(root *object) {
	p := &l.p
	p.Schema, _ = root.str("$schema")
	p.Team, _ = root.str("team")
	if name, ok := root.str("name"); ok {
		l.checkName("name", name, "")
		p.Name = name
	}
	if main, ok := root.str("main"); ok {
		p.Main = l.abs(p.Dir, main)
	}
	if port, ok := root.num("port"); ok {
		if port != float64(int(port)) || port < 1 || port > 65535 {
			l.c.fail("port", "expected a port number from 1 to 65535, got %v", port)
		} else {
			p.Port, p.PortExplicit = int(port), true
		}
	}
	p.Preview, _ = root.str("preview")
	p.Crons, _ = root.strMap("crons")
	if v, ok := root.m["serve"]; ok {
		p.Serve = l.decodeServe(v)
	}
	l.decodePersist(root)
	// Check the names and files of the well-typed parties even when another
	// one has a wrong type, so that every problem shows at once.
	if parties, _ := root.strMap("parties"); parties != nil {
		l.decodeParties(parties)
	}
	if v, ok := root.m["build"]; ok {
		p.Build = l.decodeBuild(v)
	}
	if date, ok := root.str("compatibilityDate"); ok {
		l.checkDate("compatibilityDate", date, "")
		p.CompatibilityDate = date
	}
	p.CompatibilityFlags, _ = root.strList("compatibilityFlags")
	p.Minify, _ = root.boolean("minify")
	if v, ok := root.m["ai"]; ok {
		p.AI = l.decodeAI(v)
	}
	p.Domain, _ = root.str("domain")
	if v, ok := root.m["vectorize"]; ok {
		p.Vectorize = l.decodeVectorize(v)
	}
	if b, ok := root.boolean("logpush"); ok {
		p.Logpush = &b
	}
	p.TailConsumers, _ = root.strList("tailConsumers")
	p.Analytics, _ = root.str("analytics")
	if v, ok := root.m["bindings"]; ok {
		if o, ok := l.c.asObject("bindings", v, false, "r2", "kv"); ok {
			b := &Bindings{}
			b.R2, _ = o.strMap("r2")
			b.KV, _ = o.strMap("kv")
			p.Bindings = b
		}
	}
	if v, ok := root.m["placement"]; ok {
		if o, ok := l.c.asObject("placement", v, false, "mode"); ok {
			mode, ok := o.str("mode")
			switch {
			case !o.has("mode"):
				l.c.fail("placement.mode", `required: the only mode is "smart"`)
			case ok && mode != "smart":
				l.c.fail("placement.mode", `expected "smart", got %q`, mode)
			}
			p.Placement = mode
		}
	}
	if v, ok := root.m["observability"]; ok {
		if o, ok := l.c.asObject("observability", v, false, "enabled", "head_sampling_rate"); ok {
			obs := &Observability{}
			if b, ok := o.boolean("enabled"); ok {
				obs.Enabled = &b
			}
			if f, ok := o.num("head_sampling_rate"); ok {
				obs.HeadSamplingRate = &f
			}
			p.Observability = obs
		}
	}
	// "vars" and "define" are read by mergeVars and mergeDefines.
	if v, ok := root.m["vars"]; ok {
		if _, isObj := v.(map[string]any); !isObj {
			l.c.wrongType("vars", "an object", v)
		}
	}
	root.strMap("define")
}

// checkName applies PartyKit's two rules for a project name: the schema's
// /^[a-z0-9_-]+$/ and config.ts's URL-label check (which rules out "_").
func (l *loader) checkName(key, name, flag string) {
	fail := l.c.fail
	if flag != "" {
		fail = func(_, format string, args ...any) {
			l.c.errs = append(l.c.errs, &Error{File: flag, Msg: fmt.Sprintf(format, args...)})
		}
	}
	switch {
	case !workerName.MatchString(name):
		fail(key, "must satisfy /^[a-z0-9_-]+$/, got %q", name)
	case !projectName.MatchString(name):
		fail(key, "Project name must be a valid url path (letters, digits and \"-\"), got %q", name)
	}
}

func (l *loader) checkDate(key, date, flag string) {
	if _, err := time.Parse("2006-01-02", date); err == nil && dateOnly.MatchString(date) {
		return
	}
	msg := fmt.Sprintf("expected a date like 2024-06-01, got %q", date)
	if flag != "" {
		l.c.errs = append(l.c.errs, &Error{File: flag, Msg: msg})
		return
	}
	l.c.fail(key, "%s", msg)
}

func (l *loader) decodeParties(parties map[string]string) {
	l.p.Parties = make(map[string]string, len(parties)+1)
	for _, name := range sortedKeys(parties) {
		key := "parties." + name
		switch {
		case name == "main":
			l.c.fail(key, `Cannot have a party named "main"; "main" is the party of the "main" entry`)
			continue
		case name != strings.ToLower(name):
			l.c.fail(key, "Party names must be lowercase")
			continue
		case !workerName.MatchString(name):
			l.c.fail(key, "party names must satisfy /^[a-z0-9_-]+$/")
			continue
		}
		path := l.abs(l.p.Dir, parties[name])
		if !exists(path) {
			l.c.fail(key, "file %s does not exist", l.rel(path))
			continue
		}
		l.p.Parties[name] = path
	}
}

func (l *loader) decodePersist(root *object) {
	v, ok := root.m["persist"]
	if !ok {
		l.setPersist("")
		return
	}
	switch v := v.(type) {
	case bool:
		l.setPersist(strconv.FormatBool(v))
	case string:
		l.setPersist(v)
	default:
		l.c.wrongType("persist", "a boolean or a string", v)
	}
}

// setPersist applies PartyKit's reading of --persist / "persist": "false"
// turns storage off, "" and "true" mean the default place, and any other
// string is a directory relative to the working directory.
func (l *loader) setPersist(v string) {
	switch v {
	case "false":
		l.p.Persist = Persist{}
	case "", "true":
		base := l.cwd
		if l.opts.ConfigPath != "" {
			base = filepath.Dir(l.abs(l.cwd, l.opts.ConfigPath))
		}
		l.p.Persist = Persist{Enabled: true, Path: filepath.Join(base, ".partykit", "state")}
	default:
		l.p.Persist = Persist{Enabled: true, Path: l.abs(l.cwd, v)}
	}
}

var serveKeys = []string{"path", "build", "include", "exclude", "browserTTL", "edgeTTL", "singlePageApp"}

var serveBuildKeys = []string{
	"entry", "bundle", "splitting", "external", "outdir", "minify", "alias", "format", "live",
	"sourcemap", "define", "loader",
}

var loaders = map[string]bool{
	"base64": true, "binary": true, "copy": true, "css": true, "dataurl": true, "default": true,
	"empty": true, "file": true, "js": true, "json": true, "jsx": true, "local-css": true,
	"text": true, "ts": true, "tsx": true,
}

func (l *loader) decodeServe(v any) *Serve {
	if s, ok := v.(string); ok {
		return &Serve{Path: l.abs(l.p.Dir, s)}
	}
	if _, ok := v.(map[string]any); !ok {
		l.c.wrongType("serve", "a string or an object", v)
		return nil
	}
	o, _ := l.c.asObject("serve", v, false, serveKeys...)
	s := &Serve{}
	if path, ok := o.str("path"); ok {
		s.Path = l.abs(l.p.Dir, path)
	}
	s.SinglePageApp, _ = o.boolean("singlePageApp")
	s.Include, _ = o.strList("include")
	s.Exclude, _ = o.strList("exclude")
	s.BrowserTTL = l.ttl(o, "browserTTL")
	s.EdgeTTL = l.ttl(o, "edgeTTL")
	if b, ok := o.m["build"]; ok {
		s.Build = l.decodeServeBuild(b, s.Path)
	}
	return s
}

// ttl reads a number that may also be null (PartyKit: z.union([z.null(), z.number()])).
func (l *loader) ttl(o *object, name string) *float64 {
	if v, ok := o.m[name]; ok && v == nil {
		return nil
	}
	if f, ok := o.num(name); ok {
		return &f
	}
	return nil
}

func (l *loader) decodeServeBuild(v any, servePath string) *ServeBuild {
	b := &ServeBuild{Bundle: true, Splitting: true, Format: "esm", Sourcemap: true}
	if servePath != "" {
		b.Outdir = filepath.Join(servePath, "dist")
	}
	if s, ok := v.(string); ok {
		b.Entry = []string{l.abs(l.p.Dir, s)}
		return b
	}
	if _, ok := v.(map[string]any); !ok {
		l.c.wrongType("serve.build", "a string or an object", v)
		return nil
	}
	o, _ := l.c.asObject("serve.build", v, false, serveBuildKeys...)
	switch e := o.m["entry"].(type) {
	case nil:
		if o.has("entry") {
			l.c.wrongType("serve.build.entry", "a string or an array of strings", e)
		}
	case string:
		b.Entry = []string{l.abs(l.p.Dir, e)}
	case []any:
		list, _ := l.c.stringList("serve.build.entry", e)
		for _, entry := range list {
			b.Entry = append(b.Entry, l.abs(l.p.Dir, entry))
		}
	default:
		l.c.wrongType("serve.build.entry", "a string or an array of strings", e)
	}
	if v, ok := o.boolean("bundle"); ok {
		b.Bundle = v
	}
	if v, ok := o.boolean("splitting"); ok {
		b.Splitting = v
	}
	if v, ok := o.boolean("sourcemap"); ok {
		b.Sourcemap = v
	}
	b.Minify, b.MinifySet = o.boolean("minify")
	b.Live, _ = o.boolean("live")
	b.External, _ = o.strList("external")
	if out, ok := o.str("outdir"); ok {
		b.Outdir = l.abs(l.p.Dir, out)
	}
	b.Alias, _ = o.strMap("alias")
	b.Define, _ = o.strMap("define")
	if f, ok := o.str("format"); ok {
		if f != "esm" && f != "cjs" && f != "iife" {
			l.c.fail("serve.build.format", `expected "esm", "cjs" or "iife", got %q`, f)
		}
		b.Format = f
	}
	if loader, ok := o.strMap("loader"); ok {
		for _, ext := range sortedKeys(loader) {
			if !loaders[loader[ext]] {
				l.c.fail("serve.build.loader."+ext, "unknown esbuild loader %q", loader[ext])
			}
		}
		b.Loader = loader
	}
	return b
}

func (l *loader) decodeBuild(v any) *Build {
	o, ok := l.c.asObject("build", v, true, "command", "cwd", "watch", "alias")
	if !ok {
		return nil
	}
	b := &Build{}
	b.Command, _ = o.str("command")
	if cwd, ok := o.str("cwd"); ok {
		b.Cwd = l.abs(l.p.Dir, cwd)
	}
	switch w := o.m["watch"].(type) {
	case nil:
		if o.has("watch") {
			l.c.wrongType("build.watch", "a string or an array of strings", w)
		}
		b.Watch = []string{filepath.Join(l.p.Dir, "src")}
	case string:
		b.Watch = []string{l.abs(l.p.Dir, w)}
	case []any:
		list, _ := l.c.stringList("build.watch", w)
		for _, item := range list {
			b.Watch = append(b.Watch, l.abs(l.p.Dir, item))
		}
	default:
		l.c.wrongType("build.watch", "a string or an array of strings", w)
	}
	b.Alias, _ = o.strMap("alias")
	return b
}

func (l *loader) decodeAI(v any) *AI {
	switch v := v.(type) {
	case bool:
		if !v {
			return nil
		}
		return &AI{}
	case map[string]any:
		o, _ := l.c.asObject("ai", v, false, "apiGateway", "apiToken", "apiAccount")
		ai := &AI{}
		ai.APIGateway, _ = o.str("apiGateway")
		ai.APIToken, _ = o.str("apiToken")
		ai.APIAccount, _ = o.str("apiAccount")
		return ai
	}
	l.c.wrongType("ai", "a boolean or an object", v)
	return nil
}

func (l *loader) decodeVectorize(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		l.c.wrongType("vectorize", "an object", v)
		return nil
	}
	out := make(map[string]string, len(m))
	for _, name := range sortedKeys(m) {
		key := "vectorize." + name
		switch item := m[name].(type) {
		case string:
			out[name] = item
		case map[string]any:
			o, _ := l.c.asObject(key, item, false, "index_name")
			if idx, ok := o.str("index_name"); ok {
				out[name] = idx
			} else if !o.has("index_name") {
				l.c.fail(key+".index_name", "required")
			}
		default:
			l.c.wrongType(key, "a string or an object", item)
		}
	}
	return out
}

// applyOverrides lays the command line over the file, as PartyKit spreads
// its CLI options over the parsed config. CLI paths are relative to the
// working directory.
func (l *loader) applyOverrides() {
	o, p := l.opts, &l.p
	if o.Name != "" {
		l.checkName("", o.Name, "-n "+o.Name)
		p.Name = o.Name
	}
	if o.Main != "" {
		p.Main = l.abs(l.cwd, o.Main)
	}
	if o.Serve != "" {
		p.Serve = &Serve{Path: l.abs(l.cwd, o.Serve)}
	}
	if o.Persist != nil {
		l.setPersist(*o.Persist)
	}
	switch {
	case o.Port < 0 || o.Port > 65535:
		l.c.errs = append(l.c.errs, &Error{File: "--port", Msg: fmt.Sprintf("expected a port number from 1 to 65535, got %d", o.Port)})
	case o.Port != 0:
		p.Port, p.PortExplicit = o.Port, true
	case p.Port == 0:
		p.Port = DefaultPort
	}
	if o.Minify {
		p.Minify = true
	}
	if o.CompatibilityDate != "" {
		l.checkDate("", o.CompatibilityDate, "--compatibility-date")
		p.CompatibilityDate = o.CompatibilityDate
	}
	if o.CompatibilityFlags != nil {
		p.CompatibilityFlags = o.CompatibilityFlags
	}
}

// mergeVars builds room.env: config vars, then .env (+ .env.local), then
// --var; later sources win key by key.
func (l *loader) mergeVars(root *object, env map[string]string) {
	vars := map[string]any{}
	if root != nil {
		if m, ok := root.m["vars"].(map[string]any); ok {
			for k, v := range m {
				vars[k] = v
			}
		}
	}
	for k, v := range env {
		vars[k] = v
	}
	for k, v := range l.flagPairs("--var", l.opts.Vars) {
		vars[k] = v
	}
	l.p.Vars = vars
	l.p.ProcessEnv = env
}

// mergeDefines builds the esbuild defines in PartyKit's order.
func (l *loader) mergeDefines(root *object, env map[string]string) {
	defines := map[string]string{}
	if len(env) > 0 {
		// PartyKit's define is JSON.stringify(JSON.stringify(env)): a JS
		// string literal holding the JSON, which its injected process
		// polyfill parses into process.env.
		inner, _ := marshalNoEscape(env)
		outer, _ := marshalNoEscape(string(inner))
		defines["PARTYKIT_PROCESS_ENV"] = string(outer)
	}
	if l.opts.WithEnv {
		for k, v := range env {
			// PartyKit wraps the value in quotes without escaping it; a
			// JSON string is the same for plain values and stays valid
			// JavaScript for values with quotes or backslashes.
			q, _ := marshalNoEscape(v)
			defines[k] = string(q)
		}
	}
	if root != nil {
		if m, ok := root.m["define"].(map[string]any); ok {
			for k, v := range m {
				if s, ok := v.(string); ok {
					defines[k] = s
				}
			}
		}
	}
	for k, v := range l.flagPairs("--define", l.opts.Defines) {
		defines[k] = v
	}
	l.p.Define = defines
}

// flagPairs splits --var/--define values at the first '='. Like PartyKit, a
// value without '=' sets the key to the empty string.
func (l *loader) flagPairs(flag string, pairs []string) map[string]string {
	out := map[string]string{}
	for _, pair := range pairs {
		k, v, _ := strings.Cut(pair, "=")
		if k == "" {
			l.c.errs = append(l.c.errs, &Error{File: flag + " " + pair, Msg: `expected KEY=VALUE, the key is missing`})
			continue
		}
		out[k] = v
	}
	return out
}

func marshalNoEscape(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}
