package compat

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopk/e2e/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.Run(m)) }

// corpus is every fixture under testdata, in the order the issue lists the
// packages. A known difference is a gap in gopk that the corpus found and
// that is not fixed yet: skip names why the whole package cannot run, known
// maps an observation that still differs to why. Both apply to gopk only,
// are reported as skipped subtests, and a known difference that stops
// differing fails the test, so the table (and docs/compatibility.md) stays
// honest.
var corpus = []struct {
	name  string
	skip  string
	known map[string]string
}{
	{name: "zod"},
	{name: "valibot"},
	{name: "nanoid"},
	{name: "date-fns"},
	{name: "lodash-es", known: map[string]string{
		"words on the Unicode path": "goja's regexp engine (dlclark/regexp2 v2) files character classes under a key " +
			"in which every surrogate reads as U+FFFD; bindings/es rewrites such classes into forms with distinct keys, " +
			"but lodash's reUnicodeWord has four classes of surrogates only ([\\ud800-\\udbff], [\\udc00-\\udfff], " +
			"[\\udde6-\\uddff], [\\udffb-\\udfff]) and two forms are not enough to keep them apart, so " +
			"camelCase/kebabCase/words drop emoji and astral letters; see docs/compatibility.md",
	}},
	{name: "immer"},
	{name: "superjson"},
	{name: "msgpack"},
	{name: "jose"},
	{name: "hono"},
	{name: "yjs"},
}

// TestCorpus runs each fixture's probe against the server and against Node 20
// and fails on any observation that differs.
func TestCorpus(t *testing.T) {
	for _, c := range corpus {
		t.Run(c.name, func(t *testing.T) {
			gopk := testkit.CurrentTarget(t) == testkit.TargetGopk
			if c.skip != "" && gopk {
				t.Skip(c.skip)
			}
			server, node := runProbe(t, c.name)
			if len(node) == 0 {
				t.Fatalf("the probe observed nothing under Node; the comparison would prove nothing")
			}
			differs := map[string]bool{}
			for _, d := range diff(server, node) {
				d.target = string(testkit.CurrentTarget(t))
				differs[d.key] = true
				if why, ok := c.known[d.key]; ok && gopk {
					t.Run(d.key, func(t *testing.T) { t.Skipf("known difference: %s\n%s", why, d) })
					continue
				}
				t.Errorf("%s", d)
			}
			for key := range c.known {
				if gopk && !differs[key] {
					t.Errorf("%q no longer differs from Node: remove it from the known differences and docs/compatibility.md", key)
				}
			}
		})
	}
}

// TestCorpusListsEveryFixture keeps the table above and testdata in step, so
// a fixture cannot be added and then never run.
func TestCorpusListsEveryFixture(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var dirs, listed []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != canaryFixture {
			dirs = append(dirs, e.Name())
		}
	}
	for _, c := range corpus {
		listed = append(listed, c.name)
	}
	sort.Strings(listed)
	if !slices.Equal(dirs, listed) {
		t.Errorf("testdata has fixtures %q, the corpus table lists %q", dirs, listed)
	}
}

// canaryFixture is not part of the corpus: it makes gopk and Node differ on
// purpose, the way a runtime gap would.
const canaryFixture = "canary"

// TestComparisonCatchesASilentDifference proves the pipeline can fail: the
// canary fixture runs a \p{…}/u regexp that goja compiles itself (through
// new Function, which the bundler cannot lower), the documented case where
// gopk silently never matches. The comparison must report exactly that
// observation and nothing else.
func TestComparisonCatchesASilentDifference(t *testing.T) {
	testkit.SkipOnPartyKit(t, "the canary relies on a gap that only gopk has")
	server, node := runProbe(t, canaryFixture)
	var keys []string
	for _, d := range diff(server, node) {
		keys = append(keys, d.key)
	}
	if want := []string{"month in de-AT"}; !slices.Equal(keys, want) {
		t.Fatalf("differences reported for %q, want exactly %q\nserver: %s\nnode:   %s", keys, want, server, node)
	}
}

// runProbe starts the server on a copy of testdata/<name>, runs js/run.mjs
// on it and returns the two sets of observations.
func runProbe(t *testing.T, name string) (server, node observations) {
	t.Helper()
	requireNode20(t)
	dir := testkit.CopyProject(t, filepath.Join("testdata", name))
	s := testkit.Start(t, dir)
	// testkit.Node runs scripts from e2e/js; ours lives beside this test.
	out := testkit.Node(t, "../compat/js/run.mjs", map[string]string{
		"COMPAT_DIR":  dir,
		"COMPAT_HOST": s.Host(),
		// gopk rooms run in UTC with en-US as the default locale.
		"TZ":     "UTC",
		"LC_ALL": "en_US.UTF-8",
	})
	var both struct{ Server, Node observations }
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber() // compare numbers digit for digit, not as float64
	if err := dec.Decode(&both); err != nil {
		t.Fatalf("run.mjs printed %q: %v", out, err)
	}
	for side, obs := range map[string]observations{"server": both.Server, "node": both.Node} {
		if failed, ok := obs["probeFailed"]; ok {
			t.Fatalf("the probe failed against %s: %v", side, failed)
		}
	}
	return both.Server, both.Node
}

var nodeVersion struct {
	checked bool
	major   string
}

// requireNode20 skips unless `node` is Node 20, the reference of the corpus.
func requireNode20(t *testing.T) {
	t.Helper()
	testkit.NodeModules(t)
	if !nodeVersion.checked {
		nodeVersion.checked = true
		if out, err := exec.Command("node", "--version").Output(); err == nil {
			nodeVersion.major, _, _ = strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
		}
	}
	if nodeVersion.major != "20" {
		t.Skipf("the corpus compares against Node 20; `node --version` gives major %q", nodeVersion.major)
	}
}

// observations are a probe's named results, decoded from JSON.
type observations map[string]any

func (o observations) String() string {
	data, _ := json.Marshal(o)
	return string(data)
}

// difference is one observation that is not the same on both sides.
type difference struct {
	target       string // the server's name in messages; "gopk" when empty
	key          string
	path         string // where inside the observation the first difference is
	server, node any
}

func (d difference) String() string {
	target := cmp.Or(d.target, "gopk")
	return fmt.Sprintf("%q differs at %s:\n  %s: %s\n  %*s: %s", d.key, d.path, target, show(d.server), len(target), "node", show(d.node))
}

// diff compares two sets of observations key by key and reports, for each
// key that differs, the first place inside it where the values part.
func diff(server, node observations) []difference {
	keys := map[string]bool{}
	for k := range server {
		keys[k] = true
	}
	for k := range node {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []difference
	for _, k := range sorted {
		sv, sok := server[k]
		nv, nok := node[k]
		switch {
		case !sok:
			out = append(out, difference{key: k, path: "(missing on the server)", node: nv})
		case !nok:
			out = append(out, difference{key: k, path: "(missing on node)", server: sv})
		default:
			if path, a, b, differs := firstDifference("$", sv, nv); differs {
				out = append(out, difference{key: k, path: path, server: a, node: b})
			}
		}
	}
	return out
}

// firstDifference walks two decoded JSON values in step and returns the path
// of the first place they differ and the values found there.
func firstDifference(path string, a, b any) (string, any, any, bool) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return path, a, b, true
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			x, xok := av[k]
			y, yok := bv[k]
			if xok != yok {
				return path + "." + k, x, y, true
			}
			if p, x, y, d := firstDifference(path+"."+k, x, y); d {
				return p, x, y, true
			}
		}
		return "", nil, nil, false
	case []any:
		bv, ok := b.([]any)
		if !ok {
			return path, a, b, true
		}
		for i := 0; i < len(av) && i < len(bv); i++ {
			if p, x, y, d := firstDifference(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i]); d {
				return p, x, y, true
			}
		}
		if len(av) != len(bv) {
			return path + ".length", len(av), len(bv), true
		}
		return "", nil, nil, false
	default:
		if reflect.DeepEqual(a, b) {
			return "", nil, nil, false
		}
		return path, a, b, true
	}
}

// show prints a value as compact JSON, cut short when it is long.
func show(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
