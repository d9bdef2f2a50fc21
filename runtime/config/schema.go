package config

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// checker walks the parsed JSON5 value the way PartyKit's zod schema does
// and collects every problem with its key path, instead of stopping at the
// first one.
type checker struct {
	file     string
	prefix   string // "partykit." when the config is the "partykit" field of package.json
	errs     ErrorList
	warnings []string
}

func (c *checker) path(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func (c *checker) fail(key, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.file, Key: c.fullKey(key), Msg: fmt.Sprintf(format, args...)})
}

// fullKey is the key path as the user sees it in the file.
func (c *checker) fullKey(key string) string {
	return strings.TrimSuffix(c.prefix+key, ".")
}

func (c *checker) wrongType(key, want string, got any) {
	c.fail(key, "expected %s, got %s", want, jsType(got))
}

// jsType names a decoded JSON5 value the way a JavaScript user thinks of it.
func jsType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		if math.IsNaN(v) {
			return "NaN"
		}
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// object is one JSON object being checked, with the key path that leads to it.
type object struct {
	c    *checker
	path string
	m    map[string]any
}

// asObject checks that v is an object whose keys are all in known. PartyKit's
// schema is strict at the top level and in "build" (unknown keys are errors)
// but lets zod strip unknown keys elsewhere; there gopk warns instead of
// failing, so that a config PartyKit accepts still loads.
func (c *checker) asObject(path string, v any, strict bool, known ...string) (*object, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.wrongType(path, "an object", v)
		return nil, false
	}
	allowed := make(map[string]bool, len(known))
	for _, k := range known {
		allowed[k] = true
	}
	for _, k := range sortedKeys(m) {
		if allowed[k] {
			continue
		}
		key := c.path(path, k)
		hint := ""
		if s := suggest(k, known); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		if strict {
			c.errs = append(c.errs, &Error{File: c.file, Key: c.fullKey(key), Msg: hint, Unknown: true})
			continue
		}
		w := fmt.Sprintf("%s: unknown key %q is ignored", c.file, c.fullKey(key))
		if hint != "" {
			w += " (" + hint + ")"
		}
		c.warnings = append(c.warnings, w)
	}
	return &object{c: c, path: path, m: m}, true
}

func (o *object) key(name string) string { return o.c.path(o.path, name) }

func (o *object) has(name string) bool {
	_, ok := o.m[name]
	return ok
}

func (o *object) str(name string) (string, bool) {
	v, ok := o.m[name]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		o.c.wrongType(o.key(name), "a string", v)
	}
	return s, ok
}

func (o *object) boolean(name string) (bool, bool) {
	v, ok := o.m[name]
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		o.c.wrongType(o.key(name), "a boolean", v)
	}
	return b, ok
}

// num accepts any JSON5 number except NaN, which zod's z.number() rejects.
func (o *object) num(name string) (float64, bool) {
	v, ok := o.m[name]
	if !ok {
		return 0, false
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) {
		o.c.wrongType(o.key(name), "a number", v)
		return 0, false
	}
	return f, true
}

func (o *object) strList(name string) ([]string, bool) {
	v, ok := o.m[name]
	if !ok {
		return nil, false
	}
	return o.c.stringList(o.key(name), v)
}

func (c *checker) stringList(path string, v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		c.wrongType(path, "an array of strings", v)
		return nil, false
	}
	out := make([]string, 0, len(list))
	good := true
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			c.wrongType(fmt.Sprintf("%s[%d]", path, i), "a string", item)
			good = false
			continue
		}
		out = append(out, s)
	}
	return out, good
}

// strMap is zod's z.record(z.string()).
func (o *object) strMap(name string) (map[string]string, bool) {
	v, ok := o.m[name]
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		o.c.wrongType(o.key(name), "an object of strings", v)
		return nil, false
	}
	out := make(map[string]string, len(m))
	good := true
	for _, k := range sortedKeys(m) {
		s, ok := m[k].(string)
		if !ok {
			o.c.wrongType(o.c.path(o.key(name), k), "a string", m[k])
			good = false
			continue
		}
		out[k] = s
	}
	return out, good
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// suggest returns the known key closest to a misspelt one, if it is close
// enough to be what the user meant.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance (Levenshtein plus
// adjacent transpositions, so "mian" is one edit from "main").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
