// Package intl installs ECMA-402 Intl on a goja runtime: NumberFormat,
// DateTimeFormat, Collator, PluralRules, RelativeTimeFormat, ListFormat,
// Segmenter and the toLocaleString family, formatting with Unicode CLDR 48
// data (the version Node 20's ICU carries) so output equals V8's.
//
// The data is decoded once per process. Per room, Install only adds a lazy
// global and six small stubs; the JS classes are built on first use.
package intl

import (
	_ "embed"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/dop251/goja"
	"github.com/rivo/uniseg"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

//go:embed intl.js
var intlSource string

var intlProgram = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("gopk:intl/intl.js", intlSource, true)
})

// Install defines globalThis.Intl (built on first access) and replaces
// Number/BigInt/Date.prototype.toLocale*String and String.prototype.localeCompare
// with locale-aware versions.
func Install(vm *goja.Runtime) error {
	if _, err := intlProgram(); err != nil {
		return fmt.Errorf("intl: compiling intl.js: %w", err)
	}
	var built *goja.Object
	build := func() *goja.Object {
		if built != nil {
			return built
		}
		prog, _ := intlProgram()
		fnv, err := vm.RunProgram(prog)
		if err != nil {
			panic(err)
		}
		fn, _ := goja.AssertFunction(fnv)
		res, err := fn(goja.Undefined(), vm.GlobalObject(), newHost(vm))
		if err != nil {
			panic(err)
		}
		built = res.ToObject(vm)
		patch, _ := goja.AssertFunction(built.Get("patch"))
		if _, err := patch(goja.Undefined()); err != nil {
			panic(err)
		}
		if err := vm.GlobalObject().DefineDataProperty("Intl", built.Get("Intl"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			panic(err)
		}
		return built
	}
	global := vm.GlobalObject()
	getter := vm.ToValue(func(goja.FunctionCall) goja.Value { return build().Get("Intl") })
	setter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		build()
		_ = vm.GlobalObject().DefineDataProperty("Intl", call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		return goja.Undefined()
	})
	if err := global.DefineAccessorProperty("Intl", getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("intl: defining Intl: %w", err)
	}
	// Stubs that build Intl (which replaces them) and then call the real method.
	stub := func(holder, name string) error {
		proto := global.Get(holder).ToObject(vm).Get("prototype").ToObject(vm)
		f := func(call goja.FunctionCall) goja.Value {
			build()
			real, _ := goja.AssertFunction(proto.Get(name))
			v, err := real(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return v
		}
		return proto.DefineDataProperty(name, vm.ToValue(f), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	for _, s := range [][2]string{{"Number", "toLocaleString"}, {"BigInt", "toLocaleString"}, {"Date", "toLocaleString"}, {"Date", "toLocaleDateString"}, {"Date", "toLocaleTimeString"}, {"String", "localeCompare"}} {
		if err := stub(s[0], s[1]); err != nil {
			return fmt.Errorf("intl: %s.prototype.%s: %w", s[0], s[1], err)
		}
	}
	return nil
}

// jsError turns our error types into the JS errors V8 throws.
func jsError(vm *goja.Runtime, err error) goja.Value {
	var re *rangeError
	if errors.As(err, &re) {
		ctor, _ := goja.AssertConstructor(vm.Get("RangeError"))
		obj, _ := ctor(nil, vm.ToValue(re.msg))
		return obj
	}
	return vm.NewTypeError(err.Error())
}

// newHost makes the Go functions intl.js calls.
func newHost(vm *goja.Runtime) *goja.Object {
	host := vm.NewObject()
	cldr, err := loadCLDR()
	if err != nil {
		panic(vm.NewGoError(err))
	}
	locales := func(v goja.Value) []string {
		var out []string
		_ = vm.ExportTo(v, &out)
		return out
	}
	resolve := func(v goja.Value) *locale {
		l, err := resolveLocale(cldr, locales(v))
		if err != nil {
			panic(jsError(vm, err))
		}
		return l
	}
	// Errors raised while reading options are GoErrors wrapping rangeError;
	// rethrow them as RangeError.
	guard := func(f func(goja.FunctionCall) goja.Value) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) (ret goja.Value) {
			defer func() {
				if r := recover(); r != nil {
					if ex, ok := r.(*goja.Object); ok {
						if ge, ok := ex.Export().(map[string]any); ok {
							if e, ok := ge["value"].(error); ok {
								panic(jsError(vm, e))
							}
						}
					}
					panic(r)
				}
			}()
			return f(call)
		}
	}
	set := func(name string, f func(goja.FunctionCall) goja.Value) { _ = host.Set(name, guard(f)) }
	obj := func(fields ...any) *goja.Object {
		o := vm.NewObject()
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i+1] != nil {
				_ = o.Set(fields[i].(string), fields[i+1])
			}
		}
		return o
	}

	set("supportedLocalesOf", func(call goja.FunctionCall) goja.Value {
		var out []string
		for _, r := range locales(call.Argument(0)) {
			tag, err := language.Parse(r)
			if err != nil {
				panic(jsError(vm, &rangeError{"Incorrect locale information provided"}))
			}
			if lookupLocale(cldr, tag) != nil {
				out = append(out, tag.String())
			}
		}
		return vm.ToValue(out)
	})
	set("canonicalLocales", func(call goja.FunctionCall) goja.Value {
		var out []string
		for _, r := range locales(call.Argument(0)) {
			tag, err := language.Parse(r)
			if err != nil {
				panic(jsError(vm, &rangeError{"Incorrect locale information provided"}))
			}
			out = append(out, tag.String())
		}
		return vm.ToValue(out)
	})

	set("numberFormat", func(call goja.FunctionCall) goja.Value {
		l := resolve(call.Argument(0))
		f := resolveNumberOptions(vm, cldr, l, call.Argument(1))
		return obj(
			"format", func(c goja.FunctionCall) goja.Value {
				v := c.Argument(0)
				if b, ok := v.Export().(*big.Int); ok {
					return vm.ToValue(f.formatDecimal(bigDecimal(b), b.Sign() < 0))
				}
				return vm.ToValue(f.formatFloat(v.ToFloat()))
			},
			"resolvedOptions", func(goja.FunctionCall) goja.Value { return f.resolvedOptions(vm) },
		)
	})
	set("dateTimeFormat", func(call goja.FunctionCall) goja.Value {
		l := resolve(call.Argument(0))
		f := resolveDateOptions(vm, cldr, l, call.Argument(1), call.Argument(2).String(), call.Argument(3).String())
		return obj(
			"format", func(c goja.FunctionCall) goja.Value {
				ms := c.Argument(0).ToFloat()
				if d, ok := c.Argument(0).Export().(time.Time); ok {
					ms = float64(d.UnixMilli())
				}
				if ms != ms || ms > 8.64e15 || ms < -8.64e15 {
					panic(jsError(vm, &rangeError{"Invalid time value"}))
				}
				return vm.ToValue(f.format(time.UnixMilli(int64(ms)).UTC()))
			},
			"resolvedOptions", func(goja.FunctionCall) goja.Value { return f.resolvedOptions(vm) },
		)
	})
	set("collator", func(call goja.FunctionCall) goja.Value {
		l := resolve(call.Argument(0))
		r := newOptionReader(vm, call.Argument(1))
		usage := r.str("usage", []string{"sort", "search"}, "sort")
		sensitivity := r.str("sensitivity", []string{"base", "accent", "case", "variant"}, "variant")
		numeric, _ := r.boolean("numeric")
		ignorePunct, _ := r.boolean("ignorePunctuation")
		caseFirst := r.str("caseFirst", []string{"upper", "lower", "false"}, "false")
		var opts []collate.Option
		switch sensitivity {
		case "base":
			opts = append(opts, collate.IgnoreCase, collate.IgnoreDiacritics)
		case "accent":
			opts = append(opts, collate.IgnoreCase)
		case "case":
			opts = append(opts, collate.IgnoreDiacritics)
		}
		if numeric {
			opts = append(opts, collate.Numeric)
		}
		if ignorePunct {
			opts = append(opts, collate.IgnoreWidth)
		}
		c := collate.New(l.tag, opts...)
		var mu sync.Mutex // a Collator keeps buffers; rooms never share one, but be safe
		return obj(
			"compare", func(cc goja.FunctionCall) goja.Value {
				mu.Lock()
				defer mu.Unlock()
				return vm.ToValue(c.CompareString(cc.Argument(0).String(), cc.Argument(1).String()))
			},
			"resolvedOptions", func(goja.FunctionCall) goja.Value {
				return obj("locale", l.name, "usage", usage, "sensitivity", sensitivity, "ignorePunctuation", ignorePunct, "collation", "default", "numeric", numeric, "caseFirst", caseFirst)
			},
		)
	})
	set("pluralRules", func(call goja.FunctionCall) goja.Value {
		l := resolve(call.Argument(0))
		r := newOptionReader(vm, call.Argument(1))
		typ := r.str("type", []string{"cardinal", "ordinal"}, "cardinal")
		nf := resolveNumberOptions(vm, cldr, l, call.Argument(1))
		return obj(
			"select", func(c goja.FunctionCall) goja.Value {
				x := c.Argument(0).ToFloat()
				if x != x || x > 1e300 || x < -1e300 {
					return vm.ToValue("other")
				}
				return vm.ToValue(pluralForm(l, nf.round(exactDecimal(x)), typ == "ordinal"))
			},
			"resolvedOptions", func(goja.FunctionCall) goja.Value {
				// CLDR lists the categories; V8 reports them sorted, "other" last.
				kind := "cardinal"
				if typ == "ordinal" {
					kind = "ordinal"
				}
				var cats []string
				for _, c := range []string{"few", "many", "one", "two", "zero"} {
					if cldr.Supplemental.PluralCategories[kind][l.lang][c] {
						cats = append(cats, c)
					}
				}
				cats = append(cats, "other")
				return obj("locale", l.name, "type", typ, "minimumIntegerDigits", nf.opts.MinInt, "minimumFractionDigits", nf.opts.MinFrac, "maximumFractionDigits", nf.opts.MaxFrac, "pluralCategories", cats)
			},
		)
	})
	set("relativeTimeFormat", func(call goja.FunctionCall) goja.Value {
		l := resolve(call.Argument(0))
		r := newOptionReader(vm, call.Argument(1))
		style := r.str("style", []string{"long", "short", "narrow"}, "long")
		numeric := r.str("numeric", []string{"always", "auto"}, "always")
		nf := resolveNumberOptions(vm, cldr, l, goja.Undefined())
		return obj(
			"format", func(c goja.FunctionCall) goja.Value {
				s, err := formatRelative(l, nf, style, numeric, c.Argument(0).ToFloat(), c.Argument(1).String())
				if err != nil {
					panic(jsError(vm, err))
				}
				return vm.ToValue(s)
			},
			"resolvedOptions", func(goja.FunctionCall) goja.Value {
				return obj("locale", l.name, "style", style, "numeric", numeric, "numberingSystem", nf.opts.NumberingSystem)
			},
		)
	})
	set("listFormat", func(call goja.FunctionCall) goja.Value {
		l := resolve(call.Argument(0))
		r := newOptionReader(vm, call.Argument(1))
		typ := r.str("type", []string{"conjunction", "disjunction", "unit"}, "conjunction")
		style := r.str("style", []string{"long", "short", "narrow"}, "long")
		return obj(
			"format", func(c goja.FunctionCall) goja.Value {
				var items []string
				_ = vm.ExportTo(c.Argument(0), &items)
				return vm.ToValue(formatList(l, typ, style, items))
			},
			"resolvedOptions", func(goja.FunctionCall) goja.Value {
				return obj("locale", l.name, "type", typ, "style", style)
			},
		)
	})
	set("segmenter", func(call goja.FunctionCall) goja.Value {
		l := resolve(call.Argument(0))
		r := newOptionReader(vm, call.Argument(1))
		granularity := r.str("granularity", []string{"grapheme", "word", "sentence"}, "grapheme")
		return obj(
			"segment", func(c goja.FunctionCall) goja.Value {
				input := c.Argument(0).String()
				var parts []any
				for _, s := range segment(input, granularity) {
					p := obj("segment", s.text, "index", s.index, "input", input)
					if granularity == "word" {
						_ = p.Set("isWordLike", s.wordLike)
					}
					parts = append(parts, p)
				}
				return vm.ToValue(parts)
			},
			"resolvedOptions", func(goja.FunctionCall) goja.Value {
				return obj("locale", l.name, "granularity", granularity)
			},
		)
	})
	return host
}

func (f *numberFormatter) resolvedOptions(vm *goja.Runtime) goja.Value {
	o := vm.NewObject()
	put := func(k string, v any) { _ = o.Set(k, v) }
	put("locale", f.loc.name)
	put("numberingSystem", f.opts.NumberingSystem)
	put("style", f.opts.Style)
	if f.opts.Style == "currency" {
		put("currency", f.opts.Currency)
		put("currencyDisplay", f.opts.CurrencyDisplay)
		put("currencySign", f.opts.CurrencySign)
	}
	if f.opts.Style == "unit" {
		put("unit", f.opts.Unit)
		put("unitDisplay", f.opts.UnitDisplay)
	}
	put("minimumIntegerDigits", f.opts.MinInt)
	if f.opts.MaxSig > 0 {
		put("minimumSignificantDigits", f.opts.MinSig)
		put("maximumSignificantDigits", f.opts.MaxSig)
	} else {
		put("minimumFractionDigits", f.opts.MinFrac)
		put("maximumFractionDigits", f.opts.MaxFrac)
	}
	switch f.opts.UseGrouping {
	case "false":
		put("useGrouping", false)
	default:
		put("useGrouping", f.opts.UseGrouping)
	}
	put("notation", f.opts.Notation)
	if f.opts.Notation == "compact" {
		put("compactDisplay", f.opts.CompactDisplay)
	}
	put("signDisplay", f.opts.SignDisplay)
	return o
}

func (f *dateFormatter) resolvedOptions(vm *goja.Runtime) goja.Value {
	o := vm.NewObject()
	put := func(k, v string) {
		if v != "" {
			_ = o.Set(k, v)
		}
	}
	put("locale", f.loc.name)
	put("calendar", "gregory")
	put("numberingSystem", f.loc.data.Numbers.DefaultNumberingSystem)
	put("timeZone", f.opts.TimeZone)
	if f.opts.Hour != "" || f.opts.TimeStyle != "" {
		put("hourCycle", f.opts.HourCycle)
		_ = o.Set("hour12", f.opts.HourCycle == "h11" || f.opts.HourCycle == "h12")
	}
	put("weekday", f.opts.Weekday)
	put("era", f.opts.Era)
	// Numeric widths are reported as the pattern has them (fr pads days).
	put("year", f.patternWidth('y', f.opts.Year))
	put("month", f.patternWidth('M', f.opts.Month))
	put("day", f.patternWidth('d', f.opts.Day))
	put("hour", f.patternWidth('h', f.opts.Hour))
	put("minute", f.patternWidth('m', f.opts.Minute))
	put("second", f.patternWidth('s', f.opts.Second))
	put("timeZoneName", f.opts.TimeZoneName)
	put("dateStyle", f.opts.DateStyle)
	put("timeStyle", f.opts.TimeStyle)
	return o
}

// patternWidth reports "2-digit" when the pattern writes a numeric field
// with two letters.
func (f *dateFormatter) patternWidth(letter byte, opt string) string {
	if opt != "numeric" && opt != "2-digit" {
		return opt
	}
	letters := string(letter)
	if letter == 'h' {
		letters = "hHkK"
	}
	for i := 0; i < len(f.pattern); i++ {
		if strings.IndexByte(letters, f.pattern[i]) >= 0 {
			j := i
			for j < len(f.pattern) && f.pattern[j] == f.pattern[i] {
				j++
			}
			if j-i == 2 {
				return "2-digit"
			}
			return "numeric"
		}
	}
	return opt
}

// pluralCategoryUsed probes whether the locale ever selects category c.
func pluralCategoryUsed(l *locale, c string, ordinal bool) bool {
	for i := 0; i <= 200; i++ {
		for _, frac := range []string{"", "1", "5", "25"} {
			if pluralForm(l, decimalDigits{fmt.Sprint(i), frac}, ordinal) == c {
				return true
			}
		}
	}
	for _, big := range []string{"1000000", "1000", "10000"} {
		if pluralForm(l, decimalDigits{big, ""}, ordinal) == c {
			return true
		}
	}
	return false
}

// formatRelative is Intl.RelativeTimeFormat.prototype.format.
func formatRelative(l *locale, nf *numberFormatter, style, numeric string, value float64, unit string) (string, error) {
	unit = strings.TrimSuffix(unit, "s")
	valid := map[string]bool{"year": true, "quarter": true, "month": true, "week": true, "day": true, "hour": true, "minute": true, "second": true}
	if !valid[unit] {
		return "", &rangeError{"Invalid unit argument for format() '" + unit + "'"}
	}
	if value != value || value > 1e308 || value < -1e308 {
		return "", &rangeError{"Invalid number value"}
	}
	key := unit
	if style != "long" {
		key += "-" + style
	}
	fields := l.data.Relative[key]
	if numeric == "auto" {
		if rel, ok := fields[fmt.Sprintf("relative-type-%d", int(value))]; ok && float64(int(value)) == value && !(value == 0 && 1/value < 0) {
			var s string
			if jsonUnquote(rel, &s) == nil {
				return s, nil
			}
		}
	}
	neg := value < 0 || (value == 0 && 1/value < 0)
	dir := "relativeTime-type-future"
	if neg {
		dir = "relativeTime-type-past"
	}
	var patterns map[string]string
	if raw, ok := fields[dir]; ok {
		_ = jsonUnmarshal(raw, &patterns)
	}
	d := nf.round(exactDecimal(value))
	form := pluralForm(l, d, false)
	p := patterns["relativeTimePattern-count-"+form]
	if p == "" {
		p = patterns["relativeTimePattern-count-other"]
	}
	abs := value
	if neg {
		abs = -value
	}
	return strings.Replace(p, "{0}", nf.formatFloat(abs), 1), nil
}

// formatList is Intl.ListFormat.prototype.format.
func formatList(l *locale, typ, style string, items []string) string {
	key := "listPattern-type-standard"
	switch typ {
	case "disjunction":
		key = "listPattern-type-or"
	case "unit":
		key = "listPattern-type-unit"
	}
	if style != "long" {
		key += "-" + style
	}
	p := l.data.Lists[key]
	if p == nil {
		p = l.data.Lists["listPattern-type-standard"]
	}
	sub := func(pattern, a, b string) string {
		return strings.NewReplacer("{0}", a, "{1}", b).Replace(pattern)
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return sub(p["2"], items[0], items[1])
	}
	out := sub(p["end"], items[len(items)-2], items[len(items)-1])
	for i := len(items) - 3; i >= 1; i-- {
		out = sub(p["middle"], items[i], out)
	}
	return sub(p["start"], items[0], out)
}

type segmentPart struct {
	text     string
	index    int // UTF-16 offset
	wordLike bool
}

// segment splits input by UAX #29 grapheme clusters or words (uniseg).
func segment(input, granularity string) []segmentPart {
	var parts []segmentPart
	index := 0
	add := func(s string, wordLike bool) {
		parts = append(parts, segmentPart{s, index, wordLike})
		for _, r := range s {
			if r >= 0x10000 {
				index += 2
			} else {
				index++
			}
		}
	}
	switch granularity {
	case "word":
		rest, state := input, -1
		for len(rest) > 0 {
			var w string
			w, rest, state = uniseg.FirstWordInString(rest, state)
			add(w, isWordLike(w))
		}
	case "sentence":
		rest, state := input, -1
		for len(rest) > 0 {
			var s string
			s, rest, state = uniseg.FirstSentenceInString(rest, state)
			add(s, false)
		}
	default:
		g := uniseg.NewGraphemes(input)
		for g.Next() {
			add(g.Str(), false)
		}
	}
	return parts
}

// isWordLike approximates ICU's rule status for a word segment: a segment is
// word-like when it holds a letter or digit (Word_Break ALetter, Numeric,
// Katakana, Hebrew_Letter, or a letter ICU finds with its dictionaries), or
// is a run of two or more connectors such as "__". Emoji, symbols,
// punctuation and spaces are not.
func isWordLike(w string) bool {
	connectors := 0
	for _, r := range w {
		switch {
		case unicode.IsLetter(r), unicode.In(r, unicode.Nd, unicode.Nl),
			unicode.Is(unicode.So, r) && unicode.Is(unicode.Other_Alphabetic, r), // Ⓐ, 🄰
			r == '\u066b': // ARABIC DECIMAL SEPARATOR is Numeric
			return true
		case unicode.Is(unicode.Pc, r):
			connectors++
		}
	}
	return connectors >= 2
}
