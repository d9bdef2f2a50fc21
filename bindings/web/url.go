package web

import (
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	whatwg "github.com/nlnwa/whatwg-url/url"

	"github.com/dop251/goja"
)

var urlModule = &jsModule{file: "url.js"}

// urlParser is the WHATWG parser with its default (spec) options. It holds
// no state between calls, so one serves every runtime.
var urlParser = whatwg.NewParser()

// urlHandle is the Go side of one JS URL. Setting href swaps u; a
// searchParams object, once made, is re-read whenever the query changes.
type urlHandle struct {
	u      *whatwg.Url
	params *paramsHandle
}

// paramsHandle backs a URLSearchParams: an ordered list of pairs, written
// back to the owning URL's query after every change. (whatwg-url's own
// SearchParams serialises with the query percent-encode set, not the
// application/x-www-form-urlencoded one the spec requires, so it is not used.)
type paramsHandle struct {
	owner *urlHandle // nil for a standalone URLSearchParams
	pairs []nameValue
}

type nameValue struct{ name, value string }

// update writes the pairs back to the owner's query.
func (p *paramsHandle) update() {
	if p.owner == nil {
		return
	}
	p.owner.u.SetSearch(formEncode(p.pairs))
}

// queryChanged re-reads the pairs after the URL's query was set directly.
func (h *urlHandle) queryChanged() {
	if h.params != nil {
		h.params.pairs = formDecode(h.u.Query())
	}
}

// URL field numbers, shared with url.js.
const (
	urlHref = iota
	urlOrigin
	urlProtocol
	urlUsername
	urlPassword
	urlHost
	urlHostname
	urlPort
	urlPathname
	urlSearch
	urlHash
)

func parseURL(input string, base *string) (*whatwg.Url, error) {
	if base == nil {
		return urlParser.Parse(input)
	}
	b, err := urlParser.Parse(*base)
	if err != nil {
		return nil, err
	}
	return b.Parse(input)
}

// urlOrigin serialises the origin: scheme://host[:port] for the special
// network schemes, the inner URL's origin for blob:, else "null".
func urlOriginOf(u *whatwg.Url) string {
	switch u.Scheme() {
	case "http", "https", "ws", "wss", "ftp":
		return u.Protocol() + "//" + u.Host()
	case "blob":
		if inner, err := urlParser.Parse(u.Pathname()); err == nil && (inner.Scheme() == "http" || inner.Scheme() == "https") {
			return urlOriginOf(inner)
		}
	}
	return "null"
}

func (g *Globals) buildURL() []goja.Value {
	exp := g.module(urlModule, g.urlNatives)
	return exports(exp, "URL", "URLSearchParams")
}

func (g *Globals) urlNatives() *goja.Object {
	n := g.vm.NewObject()
	handle := func(v goja.Value) *urlHandle {
		h, ok := v.Export().(*urlHandle)
		if !ok {
			g.throwTypeError("Illegal invocation")
		}
		return h
	}
	_ = n.Set("urlParse", func(c goja.FunctionCall) goja.Value {
		input := c.Argument(0).String()
		var base *string
		if b := c.Argument(1); !goja.IsUndefined(b) {
			s := b.String()
			base = &s
		}
		u, err := parseURL(input, base)
		if err != nil {
			if !c.Argument(2).ToBoolean() {
				return goja.Null()
			}
			if base != nil {
				g.throwTypeError("Invalid URL: %q with base %q", input, *base)
			}
			g.throwTypeError("Invalid URL: %q", input)
		}
		return g.vm.ToValue(&urlHandle{u: u})
	})
	_ = n.Set("urlGet", func(c goja.FunctionCall) goja.Value {
		u := handle(c.Argument(0)).u
		var s string
		switch c.Argument(1).ToInteger() {
		case urlHref:
			s = u.Href(false)
		case urlOrigin:
			s = urlOriginOf(u)
		case urlProtocol:
			s = u.Protocol()
		case urlUsername:
			s = u.Username()
		case urlPassword:
			s = u.Password()
		case urlHost:
			s = u.Host()
		case urlHostname:
			s = u.Hostname()
		case urlPort:
			s = u.Port()
		case urlPathname:
			s = u.Pathname()
		case urlSearch:
			s = u.Search()
		case urlHash:
			s = u.Hash()
		}
		return g.vm.ToValue(s)
	})
	_ = n.Set("urlSet", func(c goja.FunctionCall) goja.Value {
		h := handle(c.Argument(0))
		v := c.Argument(2).String()
		switch c.Argument(1).ToInteger() {
		case urlHref:
			u, err := urlParser.Parse(v)
			if err != nil {
				g.throwTypeError("Invalid URL: %q", v)
			}
			h.u = u
			h.queryChanged()
		case urlProtocol:
			h.u.SetProtocol(v)
		case urlUsername:
			h.u.SetUsername(v)
		case urlPassword:
			h.u.SetPassword(v)
		case urlHost:
			h.u.SetHost(v)
		case urlHostname:
			h.u.SetHostname(v)
		case urlPort:
			h.u.SetPort(v)
		case urlPathname:
			h.u.SetPathname(v)
		case urlSearch:
			h.u.SetSearch(v)
			h.queryChanged()
		case urlHash:
			h.u.SetHash(v)
		}
		return goja.Undefined()
	})
	_ = n.Set("urlParams", func(c goja.FunctionCall) goja.Value {
		h := handle(c.Argument(0))
		if h.params == nil {
			h.params = &paramsHandle{owner: h, pairs: formDecode(h.u.Query())}
		}
		return g.vm.ToValue(h.params)
	})
	_ = n.Set("paramsNew", func(goja.FunctionCall) goja.Value {
		return g.vm.ToValue(&paramsHandle{})
	})
	_ = n.Set("paramsOp", g.paramsOp)
	return n
}

func (g *Globals) paramsOp(c goja.FunctionCall) goja.Value {
	p, ok := c.Argument(0).Export().(*paramsHandle)
	if !ok {
		g.throwTypeError("Illegal invocation")
	}
	name := c.Argument(2).String()
	value := c.Argument(3)
	switch c.Argument(1).String() {
	case "init":
		p.pairs = formDecode(name)
	case "size":
		return g.vm.ToValue(len(p.pairs))
	case "append":
		p.pairs = append(p.pairs, nameValue{name, value.String()})
		p.update()
	case "set":
		v := value.String()
		found := false
		out := p.pairs[:0]
		for _, nv := range p.pairs {
			if nv.name == name {
				if found {
					continue
				}
				found = true
				nv.value = v
			}
			out = append(out, nv)
		}
		p.pairs = out
		if !found {
			p.pairs = append(p.pairs, nameValue{name, v})
		}
		p.update()
	case "get":
		for _, nv := range p.pairs {
			if nv.name == name {
				return g.vm.ToValue(nv.value)
			}
		}
		return goja.Null()
	case "getAll":
		out := []any{}
		for _, nv := range p.pairs {
			if nv.name == name {
				out = append(out, nv.value)
			}
		}
		return g.vm.NewArray(out...)
	case "has":
		for _, nv := range p.pairs {
			if nv.name == name && (goja.IsUndefined(value) || nv.value == value.String()) {
				return g.vm.ToValue(true)
			}
		}
		return g.vm.ToValue(false)
	case "delete":
		p.pairs = slices.DeleteFunc(p.pairs, func(nv nameValue) bool {
			return nv.name == name && (goja.IsUndefined(value) || nv.value == value.String())
		})
		p.update()
	case "sort":
		// Stable, by UTF-16 code units of the name, as the spec says.
		slices.SortStableFunc(p.pairs, func(a, b nameValue) int {
			return slices.Compare(utf16.Encode([]rune(a.name)), utf16.Encode([]rune(b.name)))
		})
		p.update()
	case "entries":
		out := make([]any, len(p.pairs))
		for i, nv := range p.pairs {
			out[i] = g.vm.NewArray(nv.name, nv.value)
		}
		return g.vm.NewArray(out...)
	case "toString":
		return g.vm.ToValue(formEncode(p.pairs))
	}
	return goja.Undefined()
}

// formDecode is the application/x-www-form-urlencoded parser.
func formDecode(s string) []nameValue {
	var out []nameValue
	for _, part := range strings.Split(s, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, nameValue{formUnescape(name), formUnescape(value)})
	}
	return out
}

func formUnescape(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return decodeUTF8NoBOM(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// formEncode is the application/x-www-form-urlencoded serializer.
func formEncode(pairs []nameValue) string {
	var b strings.Builder
	for i, nv := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		formEscape(&b, nv.name)
		b.WriteByte('=')
		formEscape(&b, nv.value)
	}
	return b.String()
}

func formEscape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	// Ranging over runes turns lone surrogates into U+FFFD, the UTF-8
	// encoder's behaviour.
	var buf [4]byte
	for _, r := range s {
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			switch {
			case c == ' ':
				b.WriteByte('+')
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
				c == '*', c == '-', c == '.', c == '_':
				b.WriteByte(c)
			default:
				b.WriteByte('%')
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			}
		}
	}
}
