// Package jsonparse gives rooms a faster JSON.parse. goja's own walks
// encoding/json's token stream, which allocates for every token and builds
// an error string to find the end of every value; in a room that parses
// each message (gopk-bench P3) it was 35–40% of the server's CPU. This
// parser reads the text straight into goja values.
//
// It covers JSON.parse(text) without a reviver for every text whose
// strings hold no lone surrogate escape (\ud800 alone). Anything else — a
// reviver, such a string, nesting deeper than encoding/json allows, and
// every syntax error — goes to goja's original JSON.parse, so results and
// error messages there stay exactly as they were.
package jsonparse

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// maxDepth is encoding/json's nesting limit, past which goja's parser
// throws; deeper texts are left to it.
const maxDepth = 10000

// Install replaces JSON.parse on vm, keeping the original for the cases
// above. Call it before user code runs.
func Install(vm *goja.Runtime) error {
	jsonObj, ok := vm.Get("JSON").(*goja.Object)
	if !ok {
		return errNoJSON
	}
	orig, ok := goja.AssertFunction(jsonObj.Get("parse"))
	if !ok {
		return errNoJSON
	}
	p := &parser{vm: vm}
	fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) < 2 || !isCallable(call.Arguments[1]) {
			if v, ok := p.parse(call.Argument(0).String()); ok {
				return v
			}
		}
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return v
	}).(*goja.Object)
	// As the built-in: name and length read-only, JSON.parse writable,
	// configurable and not enumerable.
	_ = fn.DefineDataProperty("name", vm.ToValue("parse"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", vm.ToValue(2), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return jsonObj.DefineDataProperty("parse", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

type installError string

func (e installError) Error() string { return string(e) }

const errNoJSON = installError("jsonparse: the runtime has no JSON.parse to replace")

func isCallable(v goja.Value) bool {
	_, ok := goja.AssertFunction(v)
	return ok
}

// parser is reused by every call on one runtime (one goroutine).
type parser struct {
	vm    *goja.Runtime
	s     string
	i     int
	depth int
	buf   strings.Builder
}

// parse returns the value of text, or false when the original parser must
// decide (a syntax error or a case this parser leaves to it).
func (p *parser) parse(text string) (v goja.Value, ok bool) {
	p.s, p.i, p.depth = text, 0, 0
	defer func() { p.s = "" }()
	v, ok = p.value()
	if !ok {
		return nil, false
	}
	p.space()
	if p.i != len(p.s) {
		return nil, false
	}
	return v, true
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (goja.Value, bool) {
	p.space()
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return p.vm.ToValue(s), true
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return p.vm.ToValue(true), true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return p.vm.ToValue(false), true
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return goja.Null(), true
	}
	return nil, false
}

func (p *parser) object() (goja.Value, bool) {
	if p.depth++; p.depth > maxDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++ // {
	obj := p.vm.NewObject()
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return obj, true
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		key, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		// CreateDataProperty: no setters run, "__proto__" is an own key,
		// and a repeated key takes the later value.
		if err := obj.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return obj, true
		default:
			return nil, false
		}
	}
}

func (p *parser) array() (goja.Value, bool) {
	if p.depth++; p.depth > maxDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++ // [
	var items []any
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return p.vm.NewArray(), true
	}
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		items = append(items, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return p.vm.NewArray(items...), true
		default:
			return nil, false
		}
	}
}

// str reads a string starting at its opening quote.
func (p *parser) str() (string, bool) {
	p.i++ // "
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, true
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// escapedStr finishes a string that has escapes, from its first one.
func (p *parser) escapedStr(start int) (string, bool) {
	b := &p.buf
	b.Reset()
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// Only a proper pair makes a character; a lone half is a
				// JS string a Go string cannot hold: leave it to goja.
				if r >= 0xDC00 || !strings.HasPrefix(p.s[p.i:], `\u`) {
					return "", false
				}
				p.i += 2
				lo, ok := p.hex4()
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return "", false
				}
				r = utf16.DecodeRune(r, lo)
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i : p.i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() (goja.Value, bool) {
	start := p.i
	neg := p.s[p.i] == '-'
	if neg {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	intStart := p.i
	n := digits()
	if n == 0 || (n > 1 && p.s[intStart] == '0') {
		return nil, false
	}
	integral := true
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, false
		}
		integral = false
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, false
		}
		integral = false
	}
	text := p.s[start:p.i]
	if integral && n <= 15 && !(neg && text == "-0") {
		var v int64
		for _, c := range []byte(p.s[intStart:p.i]) {
			v = v*10 + int64(c-'0')
		}
		if neg {
			v = -v
		}
		return p.vm.ToValue(v), true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return nil, false
		}
		// Out of range: ParseFloat gives ±Inf or ±0, as JS does.
	}
	return p.vm.ToValue(f), true
}
