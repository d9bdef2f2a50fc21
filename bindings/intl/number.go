package intl

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/feature/plural"
)

// numberOptions are Intl.NumberFormat's resolved options.
type numberOptions struct {
	Style            string // decimal, percent, currency, unit
	Currency         string
	CurrencyDisplay  string // symbol, narrowSymbol, code, name
	CurrencySign     string // standard, accounting
	Unit             string
	UnitDisplay      string // short, long, narrow
	Notation         string // standard, compact
	CompactDisplay   string // short, long
	UseGrouping      string // auto, always, min2, false
	SignDisplay      string // auto, always, never, exceptZero, negative
	MinInt           int
	MinFrac, MaxFrac int
	MinSig, MaxSig   int // 0 when fraction digits rule
	NumberingSystem  string
}

// decimalDigits is a non-negative decimal: digits of the integer part and
// of the fraction part, as ASCII.
type decimalDigits struct {
	intPart, fracPart string
}

// exactDecimal gives the shortest decimal that round-trips x (what V8/ICU
// start from), e.g. 1.005 → "1" "005".
func exactDecimal(x float64) decimalDigits {
	s := strconv.FormatFloat(math.Abs(x), 'f', -1, 64)
	i, f, _ := strings.Cut(s, ".")
	return decimalDigits{i, f}
}

// bigDecimal converts a BigInt's digits.
func bigDecimal(b *big.Int) decimalDigits {
	return decimalDigits{new(big.Int).Abs(b).String(), ""}
}

// roundFrac rounds half away from zero (ICU's halfExpand) to at most max
// fraction digits, then pads to min.
func (d decimalDigits) roundFrac(min, max int) decimalDigits {
	if len(d.fracPart) > max {
		up := d.fracPart[max] >= '5'
		all := d.intPart + d.fracPart[:max]
		if up {
			all = incrementDigits(all)
		}
		cut := len(all) - max
		d = decimalDigits{all[:cut], all[cut:]}
	}
	d.fracPart = strings.TrimRight(d.fracPart, "0")
	for len(d.fracPart) < min {
		d.fracPart += "0"
	}
	d.intPart = strings.TrimLeft(d.intPart, "0")
	if d.intPart == "" {
		d.intPart = "0"
	}
	return d
}

// roundSig rounds to at most max significant digits, keeping at least min.
func (d decimalDigits) roundSig(min, max int) decimalDigits {
	intDigits := strings.TrimLeft(d.intPart, "0")
	all := intDigits + d.fracPart
	lead := 0 // zeros after the point before the first significant digit
	if intDigits == "" {
		lead = len(d.fracPart) - len(strings.TrimLeft(d.fracPart, "0"))
		all = d.fracPart[lead:]
	}
	if all == "" {
		return decimalDigits{"0", strings.Repeat("0", max0(min-1))}
	}
	intLen := len(intDigits)
	frac := max - intLen // fraction digits that max significant digits allow
	if intLen == 0 {
		frac = lead + max
	}
	minFrac := min - intLen
	if intLen == 0 {
		minFrac = lead + min
	}
	if frac < 0 {
		// Round inside the integer part.
		keep := intLen + frac
		digits := intDigits[:keep]
		if intDigits[keep] >= '5' {
			digits = incrementDigits(digits)
		}
		return decimalDigits{digits + strings.Repeat("0", -frac), ""}
	}
	return d.roundFrac(max0(minFrac), frac)
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

func incrementDigits(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

func (d decimalDigits) isZero() bool {
	return strings.Trim(d.intPart, "0") == "" && strings.Trim(d.fracPart, "0") == ""
}

// pluralForm is the CLDR plural category of the number as displayed.
func pluralForm(l *locale, d decimalDigits, ordinal bool) string {
	digits := make([]byte, 0, len(d.intPart)+len(d.fracPart))
	intPart := strings.TrimLeft(d.intPart, "0")
	for _, c := range intPart + d.fracPart {
		digits = append(digits, byte(c-'0'))
	}
	rules := plural.Cardinal
	if ordinal {
		rules = plural.Ordinal
	}
	switch rules.MatchDigits(l.tag, digits, len(intPart), len(d.fracPart)) {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// numberPattern is a parsed CLDR decimal pattern such as "#,##0.00 ¤".
type numberPattern struct {
	prefix, suffix     string
	primary, secondary int // grouping sizes; 0 = no grouping
	minInt             int
	minFrac, maxFrac   int
}

func parseNumberPattern(p string) numberPattern {
	if pos, _, found := strings.Cut(p, ";"); found {
		p = pos
	}
	start := strings.IndexAny(p, "#0,.")
	end := strings.LastIndexAny(p, "#0,.")
	if start < 0 {
		return numberPattern{prefix: p}
	}
	np := numberPattern{prefix: p[:start], suffix: p[end+1:]}
	body := p[start : end+1]
	intPart, frac, _ := strings.Cut(body, ".")
	np.minFrac = strings.Count(frac, "0")
	np.maxFrac = np.minFrac + strings.Count(frac, "#")
	np.minInt = strings.Count(intPart, "0")
	if i := strings.LastIndexByte(intPart, ','); i >= 0 {
		np.primary = len(intPart) - i - 1
		if j := strings.LastIndexByte(intPart[:i], ','); j >= 0 {
			np.secondary = i - j - 1
		} else {
			np.secondary = np.primary
		}
	}
	return np
}

// numberFormatter formats numbers for one locale and option set.
type numberFormatter struct {
	loc  *locale
	opts numberOptions
	sys  *numberSystemData
	dig  []rune // the numbering system's digits 0-9
	pat  numberPattern
}

func (f *numberFormatter) symbol(name string) string {
	if s, ok := f.sys.Symbols[name]; ok {
		return s
	}
	return map[string]string{"decimal": ".", "group": ",", "minusSign": "-", "plusSign": "+", "percentSign": "%"}[name]
}

// groupInt inserts group separators into ASCII integer digits.
func (f *numberFormatter) groupInt(digits string) string {
	p := f.pat
	if f.opts.UseGrouping == "false" || p.primary == 0 || len(digits) <= p.primary {
		return digits
	}
	minGroup := 1
	if g, err := strconv.Atoi(f.loc.data.Numbers.MinimumGroupingDigits); err == nil {
		minGroup = g
	}
	switch f.opts.UseGrouping {
	case "always":
		minGroup = 1
	case "min2":
		if minGroup < 2 {
			minGroup = 2
		}
	}
	if len(digits)-p.primary < minGroup {
		return digits
	}
	var groups []string
	rest := digits
	groups = append(groups, rest[len(rest)-p.primary:])
	rest = rest[:len(rest)-p.primary]
	for len(rest) > p.secondary {
		groups = append(groups, rest[len(rest)-p.secondary:])
		rest = rest[:len(rest)-p.secondary]
	}
	if rest != "" {
		groups = append(groups, rest)
	}
	var b strings.Builder
	for i := len(groups) - 1; i >= 0; i-- {
		b.WriteString(groups[i])
		if i > 0 {
			b.WriteString("\x00") // placeholder for the group symbol
		}
	}
	return b.String()
}

// localiseDigits maps ASCII digits and placeholders to the locale's symbols.
func (f *numberFormatter) localiseDigits(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(f.dig[c-'0'])
		case c == '\x00':
			b.WriteString(f.symbol("group"))
		case c == '.':
			b.WriteString(f.symbol("decimal"))
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// digitsString renders d with grouping and the decimal point, in ASCII.
func (f *numberFormatter) digitsString(d decimalDigits) string {
	intPart := d.intPart
	for len(intPart) < f.opts.MinInt {
		intPart = "0" + intPart
	}
	s := f.groupInt(intPart)
	if d.fracPart != "" {
		s += "." + d.fracPart
	}
	return s
}

func (f *numberFormatter) round(d decimalDigits) decimalDigits {
	if f.opts.MaxSig > 0 {
		return d.roundSig(f.opts.MinSig, f.opts.MaxSig)
	}
	return d.roundFrac(f.opts.MinFrac, f.opts.MaxFrac)
}

// formatFloat is Intl.NumberFormat.prototype.format for a Number.
func (f *numberFormatter) formatFloat(x float64) string {
	if math.IsNaN(x) {
		return f.affix(f.symbol("nan"), false, false)
	}
	neg := math.Signbit(x)
	if math.IsInf(x, 0) {
		return f.affix(f.symbol("infinity"), neg, false)
	}
	if f.opts.Style == "percent" {
		x *= 100
	}
	return f.formatDecimal(exactDecimal(x), neg)
}

func (f *numberFormatter) formatDecimal(d decimalDigits, neg bool) string {
	suffix := ""
	var count decimalDigits
	if f.opts.Notation == "compact" {
		d, suffix, count = f.compact(d)
	} else {
		d = f.round(d)
		count = d
	}
	zero := d.isZero()
	body := f.localiseDigits(f.digitsString(d))
	if suffix != "" {
		body = strings.Replace(suffix, "0", body, 1)
	}
	s := f.affix(body, neg && !(zero && f.opts.SignDisplay == "auto" && false), zero)
	if f.opts.Style == "unit" {
		s = f.unitPattern(s, count)
	}
	if f.opts.Style == "currency" && f.opts.CurrencyDisplay == "name" {
		s = f.currencyName(s, count)
	}
	return s
}

// affix wraps the number body in the pattern's prefix and suffix and the sign.
func (f *numberFormatter) affix(body string, neg, zero bool) string {
	p := f.pat
	prefix, suffix := p.prefix, p.suffix
	if f.opts.Style == "currency" && f.opts.CurrencyDisplay != "name" {
		prefix, suffix = f.currencyAffixes(prefix, suffix)
	}
	if f.opts.Style == "currency" && f.opts.CurrencyDisplay == "name" {
		// The name goes through the unit pattern; the currency pattern's
		// affixes (symbol, bidi marks) do not apply.
		prefix, suffix = "", ""
	}
	prefix = strings.ReplaceAll(prefix, "%", f.symbol("percentSign"))
	suffix = strings.ReplaceAll(suffix, "%", f.symbol("percentSign"))
	sign := ""
	switch f.opts.SignDisplay {
	case "never":
	case "always":
		if neg {
			sign = f.symbol("minusSign")
		} else {
			sign = f.symbol("plusSign")
		}
	case "exceptZero":
		if zero {
		} else if neg {
			sign = f.symbol("minusSign")
		} else {
			sign = f.symbol("plusSign")
		}
	case "negative":
		if neg && !zero {
			sign = f.symbol("minusSign")
		}
	default:
		if neg {
			sign = f.symbol("minusSign")
		}
	}
	// CLDR's implicit negative pattern puts the sign where the number's
	// pattern starts, after any bidi mark; ICU keeps it before the prefix.
	return sign + prefix + body + suffix
}

func (f *numberFormatter) currencyAffixes(prefix, suffix string) (string, string) {
	sym := f.currencySymbol()
	// CLDR currencyMatch [[:^S:]&[:^Z:]]: anything but symbols and spaces.
	isLetter := func(r rune) bool { return !unicode.IsSymbol(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Zs, r) }
	// Currency spacing (CLDR currencySpacing): a letter-ended symbol next to
	// digits gets a no-break space.
	if strings.HasSuffix(prefix, "¤") && sym != "" {
		r := []rune(sym)
		if isLetter(r[len(r)-1]) {
			prefix = strings.TrimSuffix(prefix, "¤") + "¤\u00a0"
		}
	}
	if strings.HasPrefix(suffix, "¤") && sym != "" {
		r := []rune(sym)
		if isLetter(r[0]) {
			suffix = "\u00a0" + suffix
		}
	}
	return strings.ReplaceAll(prefix, "¤", sym), strings.ReplaceAll(suffix, "¤", sym)
}

func (f *numberFormatter) currencySymbol() string {
	c := f.loc.data.Currencies[f.opts.Currency]
	switch f.opts.CurrencyDisplay {
	case "code":
		return f.opts.Currency
	case "narrowSymbol":
		if s := c["symbol-alt-narrow"]; s != "" {
			return s
		}
	}
	if s := c["symbol"]; s != "" {
		return s
	}
	return f.opts.Currency
}

func (f *numberFormatter) currencyName(number string, count decimalDigits) string {
	c := f.loc.data.Currencies[f.opts.Currency]
	form := pluralForm(f.loc, count, false)
	name := c["displayName-count-"+form]
	if name == "" {
		name = c["displayName-count-other"]
	}
	if name == "" {
		name = f.opts.Currency
	}
	pattern := str(f.sys.Currency, "unitPattern-count-"+form)
	if pattern == "" {
		pattern = str(f.sys.Currency, "unitPattern-count-other")
	}
	if pattern == "" {
		pattern = "{0} {1}"
	}
	return strings.NewReplacer("{0}", number, "{1}", name).Replace(pattern)
}

func (f *numberFormatter) unitPattern(number string, count decimalDigits) string {
	u := f.loc.data.Units[f.opts.UnitDisplay][unitKey(f.opts.Unit)]
	form := pluralForm(f.loc, count, false)
	p := u["unitPattern-count-"+form]
	if p == "" {
		p = u["unitPattern-count-other"]
	}
	return strings.Replace(p, "{0}", number, 1)
}

// unitKey maps an ECMA-402 sanctioned unit to its CLDR key.
func unitKey(unit string) string {
	for _, category := range []string{"length", "mass", "duration", "temperature", "concentration", "digital", "volume", "speed"} {
		key := category + "-" + unit
		if _, ok := unitCategories[key]; ok {
			return key
		}
	}
	return ""
}

var unitCategories = map[string]bool{}

func init() {
	for _, k := range []string{"length-kilometer", "length-meter", "length-centimeter", "length-mile", "length-foot", "length-inch",
		"mass-kilogram", "mass-gram", "mass-pound", "duration-second", "duration-minute", "duration-hour", "duration-day",
		"duration-week", "duration-month", "duration-year", "duration-millisecond", "temperature-celsius",
		"temperature-fahrenheit", "concentration-percent", "digital-byte", "digital-kilobyte", "digital-megabyte",
		"digital-gigabyte", "volume-liter", "speed-kilometer-per-hour", "speed-mile-per-hour"} {
		unitCategories[k] = true
	}
}

// compact scales d by the CLDR compact pattern for its magnitude. It
// returns the rounded scaled digits, the pattern ("0K") and the digits that
// pick the plural form.
func (f *numberFormatter) compact(d decimalDigits) (decimalDigits, string, decimalDigits) {
	width := "short"
	if f.opts.CompactDisplay == "long" {
		width = "long"
	}
	formats, _ := f.sys.Decimal[width].(map[string]any)
	formats, _ = formats["decimalFormat"].(map[string]any)
	round := func(d decimalDigits) decimalDigits {
		if f.opts.MaxSig > 0 || f.opts.MaxFrac != 0 {
			return f.round(d)
		}
		// ECMA-402 compact default: two significant digits below 100, else integers.
		if len(strings.TrimLeft(d.intPart, "0")) < 2 {
			return d.roundSig(1, 2)
		}
		return d.roundFrac(0, 0)
	}
	intPart := strings.TrimLeft(d.intPart, "0")
	magnitude := len(intPart) - 1
	for pass := 0; pass < 2; pass++ {
		if magnitude < 3 || formats == nil {
			r := round(d)
			return r, "", r
		}
		if magnitude > 14 {
			magnitude = 14
		}
		key := "1" + strings.Repeat("0", magnitude)
		pattern := str(formats, key+"-count-other")
		if pattern == "" || pattern == "0" {
			r := round(d)
			return r, "", r
		}
		zeros := strings.Count(pattern, "0")
		shift := magnitude - zeros + 1
		scaled := shiftDecimal(d, shift)
		r := round(scaled)
		if len(strings.TrimLeft(r.intPart, "0")) > zeros && magnitude < 14 {
			magnitude++ // 999999 rounds to 1000K: use the next pattern
			continue
		}
		form := pluralForm(f.loc, r, false)
		if p := str(formats, key+"-count-"+form); p != "" {
			pattern = p
		}
		// The pattern's zeros stand for the number; keep its literal text.
		literal := strings.Replace(pattern, strings.Repeat("0", zeros), "0", 1)
		literal = strings.ReplaceAll(literal, "'", "") // CLDR quoting, as in "0 Mio'.'"
		return r, literal, r
	}
	r := round(d)
	return r, "", r
}

// shiftDecimal divides d by 10^n.
func shiftDecimal(d decimalDigits, n int) decimalDigits {
	intPart := strings.TrimLeft(d.intPart, "0")
	for len(intPart) < n {
		intPart = "0" + intPart
	}
	cut := len(intPart) - n
	return decimalDigits{intPart[:cut], intPart[cut:] + d.fracPart}
}
