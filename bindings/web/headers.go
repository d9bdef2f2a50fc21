package web

import (
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// headerList is the Go storage behind a JS Headers object. Names are kept
// lower-cased (as workerd reports them); order is insertion order, and the
// sorted, combined view the spec iterates is built on demand.
type headerList struct {
	entries   []headerEntry
	immutable bool
}

type headerEntry struct{ name, value string }

// newHeaderList copies h. Keys of h may be in any case.
func newHeaderList(h http.Header) *headerList {
	l := &headerList{entries: make([]headerEntry, 0, len(h))}
	for k, vs := range h {
		lk := strings.ToLower(k)
		for _, v := range vs {
			l.entries = append(l.entries, headerEntry{lk, v})
		}
	}
	return l
}

// httpHeader converts to net/http's form (canonical keys, values in order).
func (l *headerList) httpHeader() http.Header {
	h := make(http.Header, len(l.entries))
	for _, e := range l.entries {
		k := textproto.CanonicalMIMEHeaderKey(e.name)
		h[k] = append(h[k], e.value)
	}
	return h
}

func (l *headerList) get(name string) (string, bool) {
	var vals []string
	for _, e := range l.entries {
		if e.name == name {
			vals = append(vals, e.value)
		}
	}
	if vals == nil {
		return "", false
	}
	return strings.Join(vals, ", "), true
}

func (l *headerList) del(name string) {
	l.entries = slices.DeleteFunc(l.entries, func(e headerEntry) bool { return e.name == name })
}

// set replaces the first entry of name and drops the rest, keeping position.
func (l *headerList) set(name, value string) {
	found := false
	out := l.entries[:0]
	for _, e := range l.entries {
		if e.name == name {
			if found {
				continue
			}
			found = true
			e.value = value
		}
		out = append(out, e)
	}
	l.entries = out
	if !found {
		l.entries = append(l.entries, headerEntry{name, value})
	}
}

// sorted is the list the spec iterates: names sorted, values of one name
// combined with ", " except set-cookie, which stays one entry per cookie.
func (l *headerList) sorted() []headerEntry {
	names := make([]string, 0, len(l.entries))
	for _, e := range l.entries {
		if !slices.Contains(names, e.name) {
			names = append(names, e.name)
		}
	}
	slices.Sort(names)
	out := make([]headerEntry, 0, len(names))
	for _, n := range names {
		if n == "set-cookie" {
			for _, e := range l.entries {
				if e.name == n {
					out = append(out, e)
				}
			}
			continue
		}
		v, _ := l.get(n)
		out = append(out, headerEntry{n, v})
	}
	return out
}

// isToken reports whether s is an RFC 9110 token (a valid header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// normalizeHeaderValue strips leading and trailing HTTP whitespace and
// rejects values the spec forbids (NUL, CR, LF).
func normalizeHeaderValue(v string) (string, bool) {
	v = strings.Trim(v, " \t\r\n")
	if strings.ContainsAny(v, "\x00\r\n") {
		return "", false
	}
	return v, true
}

// headerNatives are the Go functions fetch.js's Headers class calls.
func (g *Globals) headerNatives(n *goja.Object) {
	list := func(v goja.Value) *headerList {
		l, ok := v.Export().(*headerList)
		if !ok {
			g.throwTypeError("Illegal invocation")
		}
		return l
	}
	name := func(method string, v goja.Value) string {
		s := v.String()
		if !isToken(s) {
			g.throwTypeError("Headers.%s: invalid header name %q", method, s)
		}
		return strings.ToLower(s)
	}
	value := func(method string, v goja.Value) string {
		s, ok := normalizeHeaderValue(v.String())
		if !ok {
			g.throwTypeError("Headers.%s: invalid header value %q", method, v.String())
		}
		return s
	}
	mutable := func(l *headerList) {
		if l.immutable {
			g.throwTypeError("Can't modify immutable headers.")
		}
	}
	set := func(name string, fn func(goja.FunctionCall) goja.Value) { _ = n.Set(name, fn) }

	set("headersNew", func(goja.FunctionCall) goja.Value {
		return g.vm.ToValue(&headerList{})
	})
	set("headersCopy", func(c goja.FunctionCall) goja.Value {
		l := list(c.Argument(0))
		return g.vm.ToValue(&headerList{entries: slices.Clone(l.entries)})
	})
	set("headersAppend", func(c goja.FunctionCall) goja.Value {
		l := list(c.Argument(0))
		mutable(l)
		l.entries = append(l.entries, headerEntry{name("append", c.Argument(1)), value("append", c.Argument(2))})
		return goja.Undefined()
	})
	set("headersSet", func(c goja.FunctionCall) goja.Value {
		l := list(c.Argument(0))
		mutable(l)
		l.set(name("set", c.Argument(1)), value("set", c.Argument(2)))
		return goja.Undefined()
	})
	set("headersDelete", func(c goja.FunctionCall) goja.Value {
		l := list(c.Argument(0))
		mutable(l)
		l.del(name("delete", c.Argument(1)))
		return goja.Undefined()
	})
	set("headersGet", func(c goja.FunctionCall) goja.Value {
		v, ok := list(c.Argument(0)).get(name("get", c.Argument(1)))
		if !ok {
			return goja.Null()
		}
		return g.vm.ToValue(v)
	})
	set("headersHas", func(c goja.FunctionCall) goja.Value {
		_, ok := list(c.Argument(0)).get(name("has", c.Argument(1)))
		return g.vm.ToValue(ok)
	})
	set("headersGetSetCookie", func(c goja.FunctionCall) goja.Value {
		var out []any
		for _, e := range list(c.Argument(0)).entries {
			if e.name == "set-cookie" {
				out = append(out, e.value)
			}
		}
		return g.vm.NewArray(out...)
	})
	set("headersEntries", func(c goja.FunctionCall) goja.Value {
		sorted := list(c.Argument(0)).sorted()
		out := make([]any, len(sorted))
		for i, e := range sorted {
			out[i] = g.vm.NewArray(e.name, e.value)
		}
		return g.vm.NewArray(out...)
	})
	set("headersFreeze", func(c goja.FunctionCall) goja.Value {
		list(c.Argument(0)).immutable = true
		return goja.Undefined()
	})
}
