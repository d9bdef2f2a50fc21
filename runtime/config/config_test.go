package config

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
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

func mustLoad(t *testing.T, o LoadOptions) *Project {
	t.Helper()
	p, err := Load(o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

func loadErr(t *testing.T, o LoadOptions) string {
	t.Helper()
	p, err := Load(o)
	if err == nil {
		t.Fatalf("Load succeeded, want an error; project: %+v", p)
	}
	return err.Error()
}

func ptr[T any](v T) *T { return &v }

const entry = "export default class {}"

func TestLoadEveryField(t *testing.T) {
	dir := project(t, map[string]string{
		"party/index.ts": entry,
		"party/chat.ts":  entry,
		"partykit.json": `{
			"$schema": "https://www.partykit.io/schema.json",
			"name": "my-app",
			"team": "acme",
			"main": "party/index.ts",
			"parties": {"chat": "party/chat.ts"},
			"port": 2000,
			"persist": "data/state",
			"vars": {"S": "str", "N": 42, "B": true, "Z": null, "O": {"a": [1, "x"]}},
			"define": {"FLAG": "true"},
			"serve": {
				"path": "public",
				"singlePageApp": true,
				"browserTTL": 60,
				"edgeTTL": null,
				"include": ["*.html"],
				"exclude": ["secret/*"],
				"build": {"entry": ["src/a.ts", "src/b.ts"], "splitting": false, "format": "iife", "minify": true,
					"external": ["x"], "alias": {"a": "b"}, "define": {"D": "1"}, "loader": {".png": "file"}, "live": true}
			},
			"crons": {"hourly": "0 * * * *"},
			"build": {"command": "npm run build", "cwd": "web", "watch": ["src", "lib"], "alias": {"react": "preact/compat"}},
			"compatibilityDate": "2024-06-01",
			"compatibilityFlags": ["url_standard"],
			"minify": true,
			"ai": {"apiGateway": "g", "apiToken": "t", "apiAccount": "a"},
			"vectorize": {"idx": "my-index", "other": {"index_name": "other-index"}},
			"bindings": {"r2": {"BUCKET": "bucket"}, "kv": {"KV": "ns"}},
			"domain": "example.com",
			"tailConsumers": ["tail"],
			"logpush": true,
			"analytics": "dataset",
			"placement": {"mode": "smart"},
			"observability": {"enabled": true, "head_sampling_rate": 0.5},
			"preview": "pr-1"
		}`,
	})
	p := mustLoad(t, LoadOptions{Cwd: dir})
	abs := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

	checks := []struct {
		name      string
		got, want any
	}{
		{"ConfigPath", p.ConfigPath, abs("partykit.json")},
		{"Dir", p.Dir, dir},
		{"Schema", p.Schema, "https://www.partykit.io/schema.json"},
		{"Name", p.Name, "my-app"},
		{"Team", p.Team, "acme"},
		{"Main", p.Main, abs("party/index.ts")},
		{"Parties", p.Parties, map[string]string{"main": abs("party/index.ts"), "chat": abs("party/chat.ts")}},
		{"Port", p.Port, 2000},
		{"PortExplicit", p.PortExplicit, true},
		{"Persist", p.Persist, Persist{Enabled: true, Path: abs("data/state")}},
		{"Vars", p.Vars, map[string]any{"S": "str", "N": 42.0, "B": true, "Z": nil, "O": map[string]any{"a": []any{1.0, "x"}}}},
		{"ProcessEnv", p.ProcessEnv, map[string]string{}},
		{"Define", p.Define, map[string]string{"FLAG": "true"}},
		{"Serve", p.Serve, &Serve{
			Path: abs("public"), SinglePageApp: true, BrowserTTL: ptr(60.0), EdgeTTL: nil,
			Include: []string{"*.html"}, Exclude: []string{"secret/*"},
			Build: &ServeBuild{
				Entry: []string{abs("src/a.ts"), abs("src/b.ts")}, Bundle: true, Splitting: false,
				Outdir: abs("public/dist"), Minify: true, MinifySet: true, Format: "iife", Sourcemap: true,
				External: []string{"x"}, Alias: map[string]string{"a": "b"}, Define: map[string]string{"D": "1"},
				Loader: map[string]string{".png": "file"}, Live: true,
			},
		}},
		{"Crons", p.Crons, map[string]string{"hourly": "0 * * * *"}},
		{"Build", p.Build, &Build{Command: "npm run build", Cwd: abs("web"), Watch: []string{abs("src"), abs("lib")}, Alias: map[string]string{"react": "preact/compat"}}},
		{"CompatibilityDate", p.CompatibilityDate, "2024-06-01"},
		{"CompatibilityFlags", p.CompatibilityFlags, []string{"url_standard"}},
		{"Minify", p.Minify, true},
		{"AI", p.AI, &AI{APIGateway: "g", APIToken: "t", APIAccount: "a"}},
		{"Vectorize", p.Vectorize, map[string]string{"idx": "my-index", "other": "other-index"}},
		{"Bindings", p.Bindings, &Bindings{R2: map[string]string{"BUCKET": "bucket"}, KV: map[string]string{"KV": "ns"}}},
		{"Domain", p.Domain, "example.com"},
		{"TailConsumers", p.TailConsumers, []string{"tail"}},
		{"Logpush", p.Logpush, ptr(true)},
		{"Analytics", p.Analytics, "dataset"},
		{"Placement", p.Placement, "smart"},
		{"Observability", p.Observability, &Observability{Enabled: ptr(true), HeadSamplingRate: ptr(0.5)}},
		{"Preview", p.Preview, "pr-1"},
		{"Warnings", len(p.Warnings), 0},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	dir := project(t, map[string]string{
		"partykit.json": `{"main": "server.ts"}`,
	})
	p := mustLoad(t, LoadOptions{Cwd: dir})
	if p.Port != DefaultPort || p.PortExplicit {
		t.Errorf("port = %d explicit=%v, want %d not explicit", p.Port, p.PortExplicit, DefaultPort)
	}
	if want := (Persist{Enabled: true, Path: filepath.Join(dir, ".partykit", "state")}); p.Persist != want {
		t.Errorf("persist = %+v, want %+v", p.Persist, want)
	}
	if p.Serve != nil || p.Build != nil || p.AI != nil || p.Minify {
		t.Errorf("unset keys should stay empty: serve=%v build=%v ai=%v minify=%v", p.Serve, p.Build, p.AI, p.Minify)
	}
	if want := map[string]string{"main": filepath.Join(dir, "server.ts")}; !reflect.DeepEqual(p.Parties, want) {
		t.Errorf("parties = %v, want %v", p.Parties, want)
	}
}

func TestJSON5Syntax(t *testing.T) {
	for _, name := range []string{"partykit.json", "partykit.json5", "partykit.jsonc"} {
		t.Run(name, func(t *testing.T) {
			dir := project(t, map[string]string{
				"party/a.ts": entry,
				name: "\ufeff" + `// comments are fine
				{
					/* block comment */
					main: 'party/index.ts',          // unquoted key, single quotes
					parties: { a: "party/a.ts", },   // trailing comma
					port: 0x7D0,                      // hex
					vars: { inf: +Infinity, half: .5, str: 'it\'s', multi: "a\
b", },
				}`,
			})
			p := mustLoad(t, LoadOptions{Cwd: dir})
			if p.Port != 2000 {
				t.Errorf("port = %d, want 2000 from 0x7D0", p.Port)
			}
			if p.Parties["a"] != filepath.Join(dir, "party/a.ts") {
				t.Errorf("parties = %v", p.Parties)
			}
			want := map[string]any{"inf": math.Inf(1), "half": 0.5, "str": "it's", "multi": "ab"}
			if !reflect.DeepEqual(p.Vars, want) {
				t.Errorf("vars = %#v, want %#v", p.Vars, want)
			}
		})
	}
}

func TestParseErrorsGiveLineAndColumn(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"double comma", "{\n  \"main\": \"a.ts\",,\n}", `partykit.json:2:18: invalid character ','`},
		{"missing comma", "{\n  main: 'a.ts'\n  port: 1\n}", `partykit.json:3:3: invalid character 'p' after object key:value pair`},
		{"unterminated", "{\n  main: 'a.ts", `partykit.json:2:`},
		{"column counts characters", "{\"név\": 'é', x x}", `partykit.json:1:16:`},
		{"huge number", "{\n port: 1e999}", `partykit.json:2:`},
		{"empty file", "", `partykit.json:1:1: unexpected end of JSON input`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, map[string]string{"partykit.json": c.src})
			got := loadErr(t, LoadOptions{Cwd: dir})
			if !strings.HasPrefix(got, c.want) {
				t.Errorf("error = %q, want prefix %q", got, c.want)
			}
		})
	}
}

// The JSON5 library lacks a few rarely used escapes; they must fail loudly
// with a position rather than load a different value.
func TestJSON5KnownGapsFailClearly(t *testing.T) {
	for _, src := range []string{`{main: "\x41"}`, `{main: "\0"}`, `{main: "\v"}`, `{ünicode: 1}`} {
		dir := project(t, map[string]string{"partykit.json": src})
		got := loadErr(t, LoadOptions{Cwd: dir})
		if !strings.HasPrefix(got, "partykit.json:1:") {
			t.Errorf("%s: error = %q, want a located syntax error", src, got)
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	cases := []struct {
		name, config string
		want         []string // each must appear in the error
	}{
		{"unknown top-level key", `{"main": "a.ts", "mian": "a.ts"}`,
			[]string{`partykit.json: unknown key "mian" (did you mean "main"?)`}},
		{"unknown key without hint", `{"main": "a.ts", "zzzzzz": 1}`,
			[]string{`partykit.json: unknown key "zzzzzz"`}},
		{"unknown build key (strict)", `{"main": "a.ts", "build": {"comand": "x"}}`,
			[]string{`partykit.json: unknown key "build.comand" (did you mean "command"?)`}},
		{"party path not a string", `{"main": "a.ts", "parties": {"chat": 1}}`,
			[]string{`partykit.json: "parties.chat": expected a string, got number`}},
		{"main not a string", `{"main": ["a.ts"]}`,
			[]string{`partykit.json: "main": expected a string, got array`}},
		{"name null", `{"main": "a.ts", "name": null}`,
			[]string{`partykit.json: "name": expected a string, got null`}},
		{"port string", `{"main": "a.ts", "port": "1999"}`,
			[]string{`"port": expected a number, got string`}},
		{"port NaN", `{"main": "a.ts", "port": NaN}`,
			[]string{`"port": expected a number, got NaN`}},
		{"port fraction", `{"main": "a.ts", "port": 1.5}`,
			[]string{`"port": expected a port number from 1 to 65535, got 1.5`}},
		{"persist number", `{"main": "a.ts", "persist": 1}`,
			[]string{`"persist": expected a boolean or a string, got number`}},
		{"vars array", `{"main": "a.ts", "vars": []}`,
			[]string{`"vars": expected an object, got array`}},
		{"define value", `{"main": "a.ts", "define": {"X": 1}}`,
			[]string{`"define.X": expected a string, got number`}},
		{"serve number", `{"main": "a.ts", "serve": 1}`,
			[]string{`"serve": expected a string or an object, got number`}},
		{"serve.path number", `{"main": "a.ts", "serve": {"path": 1}}`,
			[]string{`"serve.path": expected a string, got number`}},
		{"serve.build.entry", `{"main": "a.ts", "serve": {"build": {"entry": [1]}}}`,
			[]string{`"serve.build.entry[0]": expected a string, got number`}},
		{"serve.build.format", `{"main": "a.ts", "serve": {"build": {"format": "umd"}}}`,
			[]string{`"serve.build.format": expected "esm", "cjs" or "iife", got "umd"`}},
		{"serve.build.loader", `{"main": "a.ts", "serve": {"build": {"loader": {".x": "wat"}}}}`,
			[]string{`"serve.build.loader..x": unknown esbuild loader "wat"`}},
		{"serve TTL string", `{"main": "a.ts", "serve": {"edgeTTL": "1"}}`,
			[]string{`"serve.edgeTTL": expected a number, got string`}},
		{"build.watch", `{"main": "a.ts", "build": {"watch": 1}}`,
			[]string{`"build.watch": expected a string or an array of strings, got number`}},
		{"build not object", `{"main": "a.ts", "build": "npm run build"}`,
			[]string{`"build": expected an object, got string`}},
		{"compatibilityDate", `{"main": "a.ts", "compatibilityDate": "June 1st"}`,
			[]string{`"compatibilityDate": expected a date like 2024-06-01, got "June 1st"`}},
		{"compatibilityFlags", `{"main": "a.ts", "compatibilityFlags": "nodejs_compat"}`,
			[]string{`"compatibilityFlags": expected an array of strings, got string`}},
		{"minify", `{"main": "a.ts", "minify": "yes"}`,
			[]string{`"minify": expected a boolean, got string`}},
		{"crons", `{"main": "a.ts", "crons": {"x": 5}}`,
			[]string{`"crons.x": expected a string, got number`}},
		{"ai", `{"main": "a.ts", "ai": "on"}`,
			[]string{`"ai": expected a boolean or an object, got string`}},
		{"vectorize", `{"main": "a.ts", "vectorize": {"v": {}}}`,
			[]string{`"vectorize.v.index_name": required`}},
		{"bindings", `{"main": "a.ts", "bindings": {"r2": {"B": 1}}}`,
			[]string{`"bindings.r2.B": expected a string, got number`}},
		{"placement", `{"main": "a.ts", "placement": {"mode": "dumb"}}`,
			[]string{`"placement.mode": expected "smart", got "dumb"`}},
		{"observability", `{"main": "a.ts", "observability": {"enabled": 1}}`,
			[]string{`"observability.enabled": expected a boolean, got number`}},
		{"tailConsumers", `{"main": "a.ts", "tailConsumers": [1]}`,
			[]string{`"tailConsumers[0]": expected a string, got number`}},
		{"logpush", `{"main": "a.ts", "logpush": "x"}`,
			[]string{`"logpush": expected a boolean, got string`}},
		{"top level array", `[1]`,
			[]string{`partykit.json: expected an object, got array`}},
		{"every problem at once", `{"main": 1, "port": "x", "nope": 1, "parties": {"chat": 2, "Lobby": "x.ts"}}`,
			[]string{`"main": expected a string`, `"port": expected a number`, `unknown key "nope"`,
				`"parties.chat": expected a string`, `"parties.Lobby": Party names must be lowercase`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, map[string]string{"partykit.json": c.config})
			got := loadErr(t, LoadOptions{Cwd: dir})
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("error = %q\nwant it to contain %q", got, w)
				}
			}
			var list ErrorList
			if !errors.As(err2(LoadOptions{Cwd: dir}), &list) || len(list) < len(c.want) {
				t.Errorf("want an ErrorList with at least %d entries, got %v", len(c.want), list)
			}
		})
	}
}

func err2(o LoadOptions) error {
	_, err := Load(o)
	return err
}

// PartyKit lets zod strip unknown keys inside serve, ai, bindings, ...; gopk
// loads such a config but says what it ignored.
func TestUnknownNestedKeysWarn(t *testing.T) {
	dir := project(t, map[string]string{
		"partykit.json": `{"main": "a.ts", "serve": {"path": "public", "singlePageAPP": true}, "observability": {"x": 1}}`,
	})
	p := mustLoad(t, LoadOptions{Cwd: dir})
	want := []string{
		`partykit.json: unknown key "serve.singlePageAPP" is ignored (did you mean "singlePageApp"?)`,
		`partykit.json: unknown key "observability.x" is ignored`,
	}
	if !reflect.DeepEqual(p.Warnings, want) {
		t.Errorf("warnings = %q\nwant %q", p.Warnings, want)
	}
	if p.Serve.SinglePageApp {
		t.Error("a misspelt key must not set the real one")
	}
}

func TestMissingMain(t *testing.T) {
	dir := project(t, map[string]string{"partykit.json": `{"name": "x"}`})
	got := loadErr(t, LoadOptions{Cwd: dir})
	if want := `partykit.json: Missing entry point, please specify "main" in your config`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	// With no config at all, the message is PartyKit's alone.
	empty := t.TempDir()
	if got := loadErr(t, LoadOptions{Cwd: empty}); got != MissingMain {
		t.Errorf("error = %q, want %q", got, MissingMain)
	}
	// ... and the command line can supply the entry.
	p := mustLoad(t, LoadOptions{Cwd: empty, Main: "server.ts"})
	if p.Main != filepath.Join(empty, "server.ts") || p.ConfigPath != "" {
		t.Errorf("main = %q config = %q", p.Main, p.ConfigPath)
	}
}

func TestPartyRules(t *testing.T) {
	cases := []struct {
		name, parties, want string
	}{
		{"uppercase", `{"Chat": "party/chat.ts"}`, `"parties.Chat": Party names must be lowercase`},
		{"bad characters", `{"chat.room": "party/chat.ts"}`, `"parties.chat.room": party names must satisfy /^[a-z0-9_-]+$/`},
		{"main", `{"main": "party/chat.ts"}`, `"parties.main": Cannot have a party named "main"`},
		{"missing file", `{"chat": "party/nope.ts"}`, `partykit.json: "parties.chat": file party/nope.ts does not exist`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, map[string]string{
				"party/chat.ts": entry,
				"partykit.json": `{"main": "party/chat.ts", "parties": ` + c.parties + `}`,
			})
			if got := loadErr(t, LoadOptions{Cwd: dir}); !strings.Contains(got, c.want) {
				t.Errorf("error = %q, want %q", got, c.want)
			}
		})
	}
	dir := project(t, map[string]string{
		"party/a-b_c1.ts": entry,
		"partykit.json":   `{"main": "party/a-b_c1.ts", "parties": {"a-b_c1": "party/a-b_c1.ts"}}`,
	})
	if p := mustLoad(t, LoadOptions{Cwd: dir}); p.Parties["a-b_c1"] == "" {
		t.Errorf("valid party name rejected: %v", p.Parties)
	}
}

func TestNameRules(t *testing.T) {
	cases := []struct {
		name, want string
	}{
		{"my-app-2", ""},
		{"My-App", `"name": must satisfy /^[a-z0-9_-]+$/, got "My-App"`},
		{"my app", `"name": must satisfy /^[a-z0-9_-]+$/`},
		{"my_app", `"name": Project name must be a valid url path`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := project(t, map[string]string{"partykit.json": `{"main": "a.ts", "name": "` + c.name + `"}`})
			p, err := Load(LoadOptions{Cwd: dir})
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case c.want == "" && p.Name != c.name:
				t.Errorf("name = %q", p.Name)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error = %v, want %q", err, c.want)
			}
		})
	}
	dir := project(t, map[string]string{"partykit.json": `{"main": "a.ts"}`})
	if got := loadErr(t, LoadOptions{Cwd: dir, Name: "Bad_Name"}); !strings.Contains(got, `-n Bad_Name: must satisfy`) {
		t.Errorf("-n error = %q", got)
	}
}

// Expected values come from running dotenv 16.4.5 (the version bundled in
// partykit 0.0.115) on the same input with node.
func TestDotenvMatchesNpmDotenv(t *testing.T) {
	cases := []struct {
		src  string
		want map[string]string
	}{
		{"A=1\nB = two \nC='single # not comment'\nD=\"double\\nline\"\nE=`back`\n",
			map[string]string{"A": "1", "B": "two", "C": "single # not comment", "D": "double\nline", "E": "back"}},
		{"export F=exported\nG: colon\nH:nospace\n# comment\nI=value # trailing comment\nJ=\nK\n",
			map[string]string{"F": "exported", "G": "colon", "I": "value", "J": ""}},
		{"L=\"multi\nline\"\nM='it\\'s'\nN=\"unterminated\nO=after\n",
			map[string]string{"L": "multi\nline", "M": "it\\'s", "N": "\"unterminated", "O": "after"}},
		{"P=pa$$word\nQ=${P}\r\nR=crlf\rS=cr\n",
			map[string]string{"P": "pa$$word", "Q": "${P}", "R": "crlf", "S": "cr"}},
		{"T=  spaced value  \nU=\"  keep  \"\nV='a' b 'c'\nW.x-y=dots\n",
			map[string]string{"T": "spaced value", "U": "  keep  ", "V": "a' b 'c", "W.x-y": "dots"}},
		{"X=\"quote \\\"inside\\\"\"\nY=a=b=c\n  Z  =  indented\n",
			map[string]string{"X": "quote \\\"inside\\\"", "Y": "a=b=c", "Z": "indented"}},
		{"DUP=1\nDUP=2\n", map[string]string{"DUP": "2"}},
	}
	for _, c := range cases {
		if got := parseDotenv(c.src); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseDotenv(%q)\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}

func TestVarsEnvAndDefinesMergeOrder(t *testing.T) {
	files := map[string]string{
		"partykit.json": `{"main": "a.ts",
			"vars": {"ONLY_CONFIG": 1, "IN_ENV": "config", "IN_LOCAL": "config", "IN_FLAG": "config"},
			"define": {"D_CONFIG": "1", "D_FLAG": "config", "IN_ENV": "'from define'"}}`,
		".env":       "IN_ENV=env\nIN_LOCAL=env\nIN_FLAG=env\nQUOTE=say \"hi\"\n",
		".env.local": "IN_LOCAL=local\n",
	}
	dir := project(t, files)
	flags := LoadOptions{Cwd: dir, Vars: []string{"IN_FLAG=flag=with=equals", "EMPTY"}, Defines: []string{"D_FLAG=2"}}

	t.Run("dev", func(t *testing.T) {
		o := flags
		o.Dev = true
		p := mustLoad(t, o)
		wantVars := map[string]any{
			"ONLY_CONFIG": 1.0, "IN_ENV": "env", "IN_LOCAL": "local", "IN_FLAG": "flag=with=equals",
			"QUOTE": `say "hi"`, "EMPTY": "",
		}
		if !reflect.DeepEqual(p.Vars, wantVars) {
			t.Errorf("vars = %#v\nwant %#v", p.Vars, wantVars)
		}
		wantEnv := map[string]string{"IN_ENV": "env", "IN_LOCAL": "local", "IN_FLAG": "env", "QUOTE": `say "hi"`}
		if !reflect.DeepEqual(p.ProcessEnv, wantEnv) {
			t.Errorf("process env = %#v\nwant %#v", p.ProcessEnv, wantEnv)
		}
		wantDefine := map[string]string{
			"PARTYKIT_PROCESS_ENV": `"{\"IN_ENV\":\"env\",\"IN_FLAG\":\"env\",\"IN_LOCAL\":\"local\",\"QUOTE\":\"say \\\"hi\\\"\"}"`,
			"D_CONFIG":             "1", "D_FLAG": "2", "IN_ENV": "'from define'",
		}
		if !reflect.DeepEqual(p.Define, wantDefine) {
			t.Errorf("define = %#v\nwant %#v", p.Define, wantDefine)
		}
		if want := []string{filepath.Join(dir, ".env"), filepath.Join(dir, ".env.local")}; !reflect.DeepEqual(p.EnvFiles, want) {
			t.Errorf("env files = %q, want %q", p.EnvFiles, want)
		}
	})
	t.Run("not dev: no .env.local", func(t *testing.T) {
		p := mustLoad(t, flags)
		if p.Vars["IN_LOCAL"] != "env" || p.ProcessEnv["IN_LOCAL"] != "env" {
			t.Errorf("IN_LOCAL = %v / %v, want env", p.Vars["IN_LOCAL"], p.ProcessEnv["IN_LOCAL"])
		}
	})
	t.Run("with-env", func(t *testing.T) {
		o := flags
		o.WithEnv = true
		p := mustLoad(t, o)
		// .env keys become quoted defines, but config define still wins.
		if p.Define["QUOTE"] != `"say \"hi\""` || p.Define["IN_ENV"] != "'from define'" || p.Define["IN_FLAG"] != `"env"` {
			t.Errorf("define = %#v", p.Define)
		}
	})
	t.Run("no .env: no PARTYKIT_PROCESS_ENV", func(t *testing.T) {
		dir := project(t, map[string]string{"partykit.json": `{"main": "a.ts"}`})
		p := mustLoad(t, LoadOptions{Cwd: dir})
		if _, ok := p.Define["PARTYKIT_PROCESS_ENV"]; ok || len(p.ProcessEnv) != 0 {
			t.Errorf("define = %v env = %v", p.Define, p.ProcessEnv)
		}
	})
	t.Run("flag without key", func(t *testing.T) {
		o := flags
		o.Vars = []string{"=x"}
		if got := loadErr(t, o); !strings.Contains(got, `--var =x: expected KEY=VALUE`) {
			t.Errorf("error = %q", got)
		}
	})
}

// .env is searched upward from the working directory, not from the config.
func TestEnvFoundFromCwd(t *testing.T) {
	dir := project(t, map[string]string{
		"cfg/partykit.json": `{"main": "a.ts"}`,
		"cfg/.env":          "WHERE=config dir\n",
		".env":              "WHERE=root\n",
		"sub/deeper/x":      "",
	})
	p := mustLoad(t, LoadOptions{Cwd: filepath.Join(dir, "sub", "deeper"), ConfigPath: "../../cfg/partykit.json"})
	if p.ProcessEnv["WHERE"] != "root" {
		t.Errorf("WHERE = %q, want root", p.ProcessEnv["WHERE"])
	}
}

func TestUpwardSearch(t *testing.T) {
	t.Run("parent directory", func(t *testing.T) {
		dir := project(t, map[string]string{
			"partykit.json": `{"main": "party/index.ts", "serve": "public"}`,
			"sub/dir/x":     "",
		})
		p := mustLoad(t, LoadOptions{Cwd: filepath.Join(dir, "sub", "dir")})
		if p.ConfigPath != filepath.Join(dir, "partykit.json") || p.Main != filepath.Join(dir, "party/index.ts") {
			t.Errorf("config = %q main = %q", p.ConfigPath, p.Main)
		}
		// Paths in the file are relative to the file, wherever gopk runs.
		if p.Serve.Path != filepath.Join(dir, "public") {
			t.Errorf("serve = %q", p.Serve.Path)
		}
		// The default state directory follows the working directory, as PartyKit's does.
		if want := filepath.Join(dir, "sub", "dir", ".partykit", "state"); p.Persist.Path != want {
			t.Errorf("persist = %q, want %q", p.Persist.Path, want)
		}
	})
	t.Run("partykit.json anywhere up beats a nearer partykit.json5", func(t *testing.T) {
		dir := project(t, map[string]string{
			"partykit.json":      `{"main": "top.ts"}`,
			"sub/partykit.json5": `{main: 'near.ts'}`,
		})
		p := mustLoad(t, LoadOptions{Cwd: filepath.Join(dir, "sub")})
		if p.Main != filepath.Join(dir, "top.ts") {
			t.Errorf("main = %q, want top.ts (PartyKit searches each name all the way up in turn)", p.Main)
		}
	})
	t.Run("json5 then jsonc", func(t *testing.T) {
		dir := project(t, map[string]string{
			"partykit.jsonc": `{main: 'c.ts'}`,
			"partykit.json5": `{main: '5.ts'}`,
		})
		if p := mustLoad(t, LoadOptions{Cwd: dir}); filepath.Base(p.Main) != "5.ts" {
			t.Errorf("main = %q, want 5.ts", p.Main)
		}
	})
	t.Run("a directory named partykit.json is not a config", func(t *testing.T) {
		dir := project(t, map[string]string{
			"partykit.json/x": "",
			"partykit.jsonc":  `{main: 'c.ts'}`,
		})
		if p := mustLoad(t, LoadOptions{Cwd: dir}); filepath.Base(p.Main) != "c.ts" {
			t.Errorf("main = %q, want c.ts", p.Main)
		}
	})
	t.Run("-c not found", func(t *testing.T) {
		dir := t.TempDir()
		if got := loadErr(t, LoadOptions{Cwd: dir, ConfigPath: "nope.json"}); got != "-c nope.json: config file not found" {
			t.Errorf("error = %q", got)
		}
	})
}

func TestPackageJSONFallback(t *testing.T) {
	dir := project(t, map[string]string{
		"package.json":  `{"name": "pkg", "partykit": {"main": "src/server.ts", "parties": {"b": "src/b.ts"}, "vars": {"V": 1}}}`,
		"src/b.ts":      entry,
		"src/nested/x":  "",
		"other/ignored": "",
	})
	p := mustLoad(t, LoadOptions{Cwd: filepath.Join(dir, "src", "nested")})
	if p.ConfigPath != filepath.Join(dir, "package.json") || p.Main != filepath.Join(dir, "src/server.ts") ||
		p.Parties["b"] != filepath.Join(dir, "src/b.ts") || p.Vars["V"] != 1.0 {
		t.Errorf("project = %+v", p)
	}

	bad := project(t, map[string]string{"package.json": `{"partykit": {"main": 3, "mian": 1}}`})
	got := loadErr(t, LoadOptions{Cwd: bad})
	for _, want := range []string{`package.json: "partykit.main": expected a string, got number`, `package.json: unknown key "partykit.mian"`} {
		if !strings.Contains(got, want) {
			t.Errorf("error = %q, want %q", got, want)
		}
	}

	// A package.json without a "partykit" field is no config.
	none := project(t, map[string]string{"package.json": `{"name": "x"}`})
	if got := loadErr(t, LoadOptions{Cwd: none}); got != MissingMain {
		t.Errorf("error = %q", got)
	}
	// partykit.json, even further up, wins over package.json.
	both := project(t, map[string]string{
		"partykit.json":    `{"main": "from-config.ts"}`,
		"app/package.json": `{"partykit": {"main": "from-package.ts"}}`,
	})
	if p := mustLoad(t, LoadOptions{Cwd: filepath.Join(both, "app")}); filepath.Base(p.Main) != "from-config.ts" {
		t.Errorf("main = %q", p.Main)
	}
}

func TestPersist(t *testing.T) {
	cases := []struct {
		name    string
		config  string // value of "persist", or "" for none
		flag    *string
		cfgFlag bool // pass -c
		want    func(dir string) Persist
	}{
		{"default", "", nil, false, func(d string) Persist { return Persist{true, filepath.Join(d, "run", ".partykit", "state")} }},
		{"default with -c is next to the config", "", nil, true, func(d string) Persist { return Persist{true, filepath.Join(d, "cfg", ".partykit", "state")} }},
		{"config false", "false", nil, false, func(string) Persist { return Persist{} }},
		{"config true", "true", nil, false, func(d string) Persist { return Persist{true, filepath.Join(d, "run", ".partykit", "state")} }},
		{"config string is relative to cwd", `"state"`, nil, false, func(d string) Persist { return Persist{true, filepath.Join(d, "run", "state")} }},
		{"config string \"false\"", `"false"`, nil, false, func(string) Persist { return Persist{} }},
		{"flag false beats config", `"state"`, ptr("false"), false, func(string) Persist { return Persist{} }},
		{"flag path", "false", ptr("/abs/state"), false, func(string) Persist { return Persist{true, "/abs/state"} }},
		{"flag true", "false", ptr("true"), false, func(d string) Persist { return Persist{true, filepath.Join(d, "run", ".partykit", "state")} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := `{"main": "a.ts"}`
			if c.config != "" {
				cfg = `{"main": "a.ts", "persist": ` + c.config + `}`
			}
			dir := project(t, map[string]string{"cfg/partykit.json": cfg, "run/x": ""})
			o := LoadOptions{Cwd: filepath.Join(dir, "run"), Persist: c.flag}
			if c.cfgFlag {
				o.ConfigPath = "../cfg/partykit.json"
			} else {
				// found by the upward search from run/ is not possible, so
				// put a copy where the search finds it.
				if err := os.WriteFile(filepath.Join(dir, "partykit.json"), []byte(cfg), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p := mustLoad(t, o)
			if want := c.want(dir); p.Persist != want {
				t.Errorf("persist = %+v, want %+v", p.Persist, want)
			}
		})
	}
}

func TestCommandLineOverrides(t *testing.T) {
	dir := project(t, map[string]string{
		"partykit.json": `{"main": "party/index.ts", "port": 3000, "serve": {"path": "public", "singlePageApp": true},
			"compatibilityDate": "2024-01-01", "compatibilityFlags": ["a"]}`,
		"sub/x": "",
	})
	p := mustLoad(t, LoadOptions{
		Cwd: filepath.Join(dir, "sub"), Main: "other.ts", Serve: "assets", Port: 4000, Minify: true,
		CompatibilityDate: "2024-06-01", CompatibilityFlags: []string{"b"},
	})
	// CLI paths are relative to the working directory.
	if p.Main != filepath.Join(dir, "sub", "other.ts") || p.Parties["main"] != p.Main {
		t.Errorf("main = %q parties = %v", p.Main, p.Parties)
	}
	if p.Serve == nil || p.Serve.Path != filepath.Join(dir, "sub", "assets") || p.Serve.SinglePageApp {
		t.Errorf("--serve replaces the serve object: %+v", p.Serve)
	}
	if p.Port != 4000 || !p.PortExplicit || !p.Minify || p.CompatibilityDate != "2024-06-01" || !reflect.DeepEqual(p.CompatibilityFlags, []string{"b"}) {
		t.Errorf("port=%d minify=%v date=%q flags=%v", p.Port, p.Minify, p.CompatibilityDate, p.CompatibilityFlags)
	}
	for _, c := range []struct {
		o    LoadOptions
		want string
	}{
		{LoadOptions{Cwd: dir, Port: 70000}, "--port: expected a port number from 1 to 65535, got 70000"},
		{LoadOptions{Cwd: dir, CompatibilityDate: "soon"}, `--compatibility-date: expected a date like 2024-06-01, got "soon"`},
	} {
		if got := loadErr(t, c.o); got != c.want {
			t.Errorf("error = %q, want %q", got, c.want)
		}
	}
}

func TestEditDistanceHints(t *testing.T) {
	for _, c := range []struct{ key, want string }{
		{"mian", "main"}, {"partys", "parties"}, {"defines", "define"}, {"var", "vars"}, {"completely-off", ""},
	} {
		if got := suggest(c.key, topLevelKeys); got != c.want {
			t.Errorf("suggest(%q) = %q, want %q", c.key, got, c.want)
		}
	}
}

// FuzzLoad feeds arbitrary bytes as partykit.json: Load may fail, but must
// never panic, and a failure must say which file it is about.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		`{"main": "a.ts"}`,
		`{main: 'a.ts', parties: {b: 'b.ts'}, vars: {x: [1, {y: null}]}, serve: {build: {entry: ['x']}}}`,
		`{"serve": {"build": "x", "edgeTTL": null}, "ai": true, "vectorize": {"a": {"index_name": "b"}}}`,
		`{"build": {"watch": ["a"]}, "persist": "false", "port": 1e3}`,
		`[`, `{"a": 1e999}`, "\ufeff{}", `{"main": "a.ts", "port": -Infinity}`,
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "partykit.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(LoadOptions{Cwd: dir})
		if err != nil {
			if !strings.Contains(err.Error(), "partykit.json") && err.Error() != MissingMain {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if p.Main == "" || p.Parties["main"] != p.Main {
			t.Fatalf("loaded project without a main party: %+v", p)
		}
	})
}
