package intl

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// optionReader implements ECMA-402 GetOption over a JS options object.
type optionReader struct {
	vm  *goja.Runtime
	obj *goja.Object
}

func newOptionReader(vm *goja.Runtime, v goja.Value) optionReader {
	if v == nil || goja.IsUndefined(v) {
		return optionReader{vm: vm}
	}
	if goja.IsNull(v) {
		panic(vm.NewTypeError("Cannot convert undefined or null to object"))
	}
	return optionReader{vm: vm, obj: v.ToObject(vm)}
}

func (r optionReader) raw(name string) goja.Value {
	if r.obj == nil {
		return goja.Undefined()
	}
	v := r.obj.Get(name)
	if v == nil {
		return goja.Undefined()
	}
	return v
}

// str returns the option as a string, checked against allowed (if any).
func (r optionReader) str(name string, allowed []string, fallback string) string {
	v := r.raw(name)
	if goja.IsUndefined(v) {
		return fallback
	}
	s := v.String()
	if allowed != nil {
		for _, a := range allowed {
			if a == s {
				return s
			}
		}
		panic(r.vm.NewGoError(&rangeError{fmt.Sprintf("Value %s out of range for Intl options property %s", s, name)}))
	}
	return s
}

func (r optionReader) boolean(name string) (value, set bool) {
	v := r.raw(name)
	if goja.IsUndefined(v) {
		return false, false
	}
	return v.ToBoolean(), true
}

// number returns an integer option in [lo, hi] or fallback when absent.
func (r optionReader) number(name string, lo, hi, fallback int) (int, bool) {
	v := r.raw(name)
	if goja.IsUndefined(v) {
		return fallback, false
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f < float64(lo) || f > float64(hi) {
		panic(r.vm.NewGoError(&rangeError{fmt.Sprintf("%s value is out of range.", name)}))
	}
	return int(math.Floor(f)), true
}

func throwIf(vm *goja.Runtime, err error) {
	if err != nil {
		panic(vm.NewGoError(err))
	}
}

// resolveNumberOptions reads Intl.NumberFormat options (ECMA-402 15.1.2).
func resolveNumberOptions(vm *goja.Runtime, cldr *cldrData, l *locale, opts goja.Value) *numberFormatter {
	r := newOptionReader(vm, opts)
	o := numberOptions{}
	o.NumberingSystem = l.data.Numbers.DefaultNumberingSystem
	o.Style = r.str("style", []string{"decimal", "percent", "currency", "unit"}, "decimal")
	o.Currency = strings.ToUpper(r.str("currency", nil, ""))
	o.CurrencyDisplay = r.str("currencyDisplay", []string{"code", "symbol", "narrowSymbol", "name"}, "symbol")
	o.CurrencySign = r.str("currencySign", []string{"standard", "accounting"}, "standard")
	o.Unit = r.str("unit", nil, "")
	o.UnitDisplay = r.str("unitDisplay", []string{"short", "narrow", "long"}, "short")
	if o.Style == "currency" && o.Currency == "" {
		panic(vm.NewTypeError("Currency code is required with currency style."))
	}
	if o.Style == "unit" {
		if o.Unit == "" {
			panic(vm.NewTypeError("Unit is required with unit style."))
		}
		if unitKey(o.Unit) == "" {
			panic(vm.NewGoError(&rangeError{"Invalid unit argument for Intl.NumberFormat() '" + o.Unit + "'"}))
		}
	}
	o.Notation = r.str("notation", []string{"standard", "scientific", "engineering", "compact"}, "standard")
	if o.Notation == "scientific" || o.Notation == "engineering" {
		panic(vm.NewGoError(&rangeError{"gopk Intl.NumberFormat: notation " + o.Notation + " is not supported yet"}))
	}
	minFracDefault, maxFracDefault := 0, 3
	switch o.Style {
	case "currency":
		digits := 2
		if fr, ok := cldr.Supplemental.CurrencyFractions[o.Currency]; ok {
			fmt.Sscan(fr["_digits"], &digits)
		}
		minFracDefault, maxFracDefault = digits, digits
	case "percent":
		minFracDefault, maxFracDefault = 0, 0
	}
	if o.Notation == "compact" {
		minFracDefault, maxFracDefault = 0, 0
	}
	o.MinInt, _ = r.number("minimumIntegerDigits", 1, 21, 1)
	minFrac, hasMin := r.number("minimumFractionDigits", 0, 100, -1)
	maxFrac, hasMax := r.number("maximumFractionDigits", 0, 100, -1)
	minSig, hasMinSig := r.number("minimumSignificantDigits", 1, 21, 1)
	maxSig, hasMaxSig := r.number("maximumSignificantDigits", 1, 21, 21)
	switch {
	case hasMinSig || hasMaxSig:
		if minSig > maxSig {
			panic(vm.NewGoError(&rangeError{"maximumSignificantDigits value is out of range."}))
		}
		o.MinSig, o.MaxSig = minSig, maxSig
	case hasMin || hasMax:
		if !hasMin {
			minFrac = min(minFracDefault, maxFrac)
		} else if !hasMax {
			maxFrac = max(maxFracDefault, minFrac)
		} else if minFrac > maxFrac {
			panic(vm.NewGoError(&rangeError{"maximumFractionDigits value is out of range."}))
		}
		o.MinFrac, o.MaxFrac = minFrac, maxFrac
		if o.Notation == "compact" {
			o.MaxFrac = max(maxFrac, 0)
			if o.MaxFrac == 0 {
				o.MaxFrac = -1 // explicit, not the compact default
			}
		}
	default:
		o.MinFrac, o.MaxFrac = minFracDefault, maxFracDefault
	}
	if o.MaxFrac == -1 {
		o.MaxFrac = 0
		o.MaxSig = 0
	}
	o.CompactDisplay = r.str("compactDisplay", []string{"short", "long"}, "short")
	grouping := r.raw("useGrouping")
	switch {
	case goja.IsUndefined(grouping):
		o.UseGrouping = "auto"
		if o.Notation == "compact" {
			o.UseGrouping = "min2"
		}
	case grouping.ExportType() != nil && grouping.ExportType().Kind().String() == "bool":
		if grouping.ToBoolean() {
			o.UseGrouping = "always"
		} else {
			o.UseGrouping = "false"
		}
	default:
		o.UseGrouping = r.str("useGrouping", []string{"min2", "auto", "always", "true", "false"}, "auto")
		if o.UseGrouping == "true" {
			o.UseGrouping = "always"
		}
	}
	o.SignDisplay = r.str("signDisplay", []string{"auto", "never", "always", "exceptZero", "negative"}, "auto")

	sys := l.data.Numbers.Systems[o.NumberingSystem]
	f := &numberFormatter{loc: l, opts: o, sys: sys, dig: []rune(cldr.Supplemental.Digits[o.NumberingSystem])}
	var pattern string
	switch o.Style {
	case "percent":
		pattern = str(sys.Percent, "standard")
	case "currency":
		pattern = str(sys.Currency, "standard")
		if o.CurrencySign == "accounting" {
			pattern = str(sys.Currency, "accounting")
		}
		if o.CurrencyDisplay == "code" || isAlphaSymbol(f.currencySymbol()) {
			if p := str(sys.Currency, "standard-alphaNextToNumber"); p != "" && o.CurrencySign == "standard" {
				pattern = p
			}
		}
	default:
		pattern = str(sys.Decimal, "standard")
	}
	f.pat = parseNumberPattern(pattern)
	if o.UseGrouping == "false" {
		f.pat.primary = 0
	}
	return f
}

func isAlphaSymbol(s string) bool {
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return true
		}
	}
	return false
}

// resolveDateOptions reads Intl.DateTimeFormat options; required/defaults
// say which fields ToDateTimeOptions adds when none is given.
func resolveDateOptions(vm *goja.Runtime, cldr *cldrData, l *locale, opts goja.Value, required, defaults string) *dateFormatter {
	r := newOptionReader(vm, opts)
	o := dateOptions{}
	o.Weekday = r.str("weekday", []string{"narrow", "short", "long"}, "")
	o.Era = r.str("era", []string{"narrow", "short", "long"}, "")
	o.Year = r.str("year", []string{"2-digit", "numeric"}, "")
	o.Month = r.str("month", []string{"2-digit", "numeric", "narrow", "short", "long"}, "")
	o.Day = r.str("day", []string{"2-digit", "numeric"}, "")
	o.Hour = r.str("hour", []string{"2-digit", "numeric"}, "")
	o.Minute = r.str("minute", []string{"2-digit", "numeric"}, "")
	o.Second = r.str("second", []string{"2-digit", "numeric"}, "")
	o.FractionalSecondDigits, _ = r.number("fractionalSecondDigits", 1, 3, 0)
	o.TimeZoneName = r.str("timeZoneName", []string{"short", "long", "shortOffset", "longOffset", "shortGeneric", "longGeneric"}, "")
	o.DateStyle = r.str("dateStyle", []string{"full", "long", "medium", "short"}, "")
	o.TimeStyle = r.str("timeStyle", []string{"full", "long", "medium", "short"}, "")
	o.HourCycle = r.str("hourCycle", []string{"h11", "h12", "h23", "h24"}, "")
	if h12, set := r.boolean("hour12"); set {
		if h12 {
			o.HourCycle = "h12"
		} else {
			o.HourCycle = "h23"
		}
	}
	o.TimeZone = r.str("timeZone", nil, "UTC")
	zone, err := loadZone(o.TimeZone)
	if err != nil {
		panic(vm.NewGoError(&rangeError{"Invalid time zone specified: " + o.TimeZone}))
	}
	o.TimeZone, o.loc = zone.name, zone.loc
	hasDate := o.Weekday != "" || o.Year != "" || o.Month != "" || o.Day != ""
	hasTime := o.Hour != "" || o.Minute != "" || o.Second != "" || o.FractionalSecondDigits > 0
	if (o.DateStyle != "" || o.TimeStyle != "") && (hasDate || hasTime || o.Era != "" || o.TimeZoneName != "") {
		panic(vm.NewTypeError("Can't set option " + firstSet(o) + " when dateStyle is used"))
	}
	if o.DateStyle == "" && o.TimeStyle == "" {
		needDefaults := true
		if (required == "date" || required == "any") && hasDate {
			needDefaults = false
		}
		if (required == "time" || required == "any") && hasTime {
			needDefaults = false
		}
		if needDefaults && (defaults == "date" || defaults == "all") {
			o.Year, o.Month, o.Day = "numeric", "numeric", "numeric"
		}
		if needDefaults && (defaults == "time" || defaults == "all") {
			o.Hour, o.Minute, o.Second = "numeric", "numeric", "numeric"
		}
	}
	f := &dateFormatter{loc: l, opts: o, digits: []rune(cldr.Supplemental.Digits[l.data.Numbers.DefaultNumberingSystem])}
	if o.HourCycle == "" && (o.Hour != "" || o.TimeStyle != "") {
		if preferredHour(cldr, l) == "h" {
			f.opts.HourCycle = "h12"
		} else {
			f.opts.HourCycle = "h23"
		}
	}
	throwIf(vm, f.resolvePattern(cldr))
	return f
}

func firstSet(o dateOptions) string {
	for _, p := range []struct{ name, v string }{{"weekday", o.Weekday}, {"era", o.Era}, {"year", o.Year}, {"month", o.Month}, {"day", o.Day}, {"hour", o.Hour}, {"minute", o.Minute}, {"second", o.Second}, {"timeZoneName", o.TimeZoneName}} {
		if p.v != "" {
			return p.name
		}
	}
	return "fractionalSecondDigits"
}

type zone struct {
	name string
	loc  *time.Location
}

func loadZone(name string) (zone, error) {
	switch strings.ToUpper(name) {
	case "UTC", "ETC/UTC", "GMT", "ETC/GMT":
		return zone{"UTC", time.UTC}, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// IANA names are case-insensitive in ECMA-402; try the usual casing.
		return zone{}, err
	}
	return zone{loc.String(), loc}, nil
}
