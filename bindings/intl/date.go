package intl

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones for timeZone options, whatever the host has
)

// dateOptions are Intl.DateTimeFormat's resolved options.
type dateOptions struct {
	DateStyle, TimeStyle           string
	Weekday, Era, Year, Month, Day string
	Hour, Minute, Second           string
	FractionalSecondDigits         int
	TimeZoneName                   string
	HourCycle                      string // h11, h12, h23, h24 or ""
	TimeZone                       string
	loc                            *time.Location
}

type dateFormatter struct {
	loc     *locale
	opts    dateOptions
	pattern string
	digits  []rune
}

// preferredHour is the locale's 'j' hour letter (h or H) from CLDR timeData.
func preferredHour(cldr *cldrData, l *locale) string {
	for _, key := range []string{l.lang + "_" + l.region, l.region, "001"} {
		if td, ok := cldr.Supplemental.TimeData[key]; ok {
			p := td["_preferred"]
			if p == "h" || p == "K" {
				return "h"
			}
			return "H"
		}
	}
	return "H"
}

func (f *dateFormatter) hourLetter(cldr *cldrData) string {
	switch f.opts.HourCycle {
	case "h11", "h12":
		return "h"
	case "h23", "h24":
		return "H"
	}
	return preferredHour(cldr, f.loc)
}

// resolvePattern turns the options into a CLDR pattern, the way ICU's
// DateTimePatternGenerator does for the common skeletons.
func (f *dateFormatter) resolvePattern(cldr *cldrData) error {
	g := &f.loc.data.greg
	o := &f.opts
	if o.DateStyle != "" || o.TimeStyle != "" {
		var date, tm string
		if o.DateStyle != "" {
			date = g.DateFormats[o.DateStyle]
		}
		if o.TimeStyle != "" {
			tm = g.TimeFormats[o.TimeStyle+"-alt-ascii"]
			if tm == "" {
				tm = g.TimeFormats[o.TimeStyle]
			}
			tm = f.applyHourCycle(tm, cldr)
		}
		switch {
		case date != "" && tm != "":
			glue := g.AtTime.Standard[o.DateStyle]
			if glue == "" {
				glue = dateTimeGlue(g, o.DateStyle)
			}
			f.pattern = strings.NewReplacer("{1}", date, "{0}", tm).Replace(glue)
		case date != "":
			f.pattern = date
		default:
			f.pattern = tm
		}
		// V8 formats dates with a plain space where CLDR has U+202F (before
		// AM/PM); see the -alt-ascii variants.
		f.pattern = strings.ReplaceAll(f.pattern, "\u202f", " ")
		return nil
	}
	var dateSkel, timeSkel string
	switch o.Era {
	case "short":
		dateSkel += "G"
	case "long":
		dateSkel += "GGGG"
	case "narrow":
		dateSkel += "GGGGG"
	}
	if o.Year != "" {
		dateSkel += "y"
	}
	switch o.Month {
	case "numeric", "2-digit":
		dateSkel += "M"
	case "short":
		dateSkel += "MMM"
	case "long":
		dateSkel += "MMMM"
	case "narrow":
		dateSkel += "MMMMM"
	}
	switch o.Weekday {
	case "short":
		dateSkel += "E"
	case "long":
		dateSkel += "EEEE"
	case "narrow":
		dateSkel += "EEEEE"
	}
	if o.Day != "" {
		dateSkel += "d"
	}
	h := f.hourLetter(cldr)
	if o.Hour != "" {
		timeSkel += h
	}
	if o.Minute != "" {
		timeSkel += "m"
	}
	if o.Second != "" {
		timeSkel += "s"
	}
	datePattern, err := f.lookupSkeleton(canonicalDateSkeleton(dateSkel))
	if err != nil {
		return err
	}
	timePattern, err := f.lookupSkeleton(timeSkel)
	if err != nil {
		return err
	}
	if o.FractionalSecondDigits > 0 && timePattern != "" {
		timePattern = strings.Replace(timePattern, "ss", "ss"+f.symbolDecimal()+strings.Repeat("S", o.FractionalSecondDigits), 1)
	}
	if o.TimeZoneName != "" && timePattern != "" {
		timePattern += " z"
	}
	switch {
	case datePattern != "" && timePattern != "":
		width := "short"
		switch {
		case o.Month == "long" && o.Weekday != "":
			width = "full"
		case o.Month == "long":
			width = "long"
		case o.Month == "short" || o.Month == "narrow":
			width = "medium"
		}
		f.pattern = strings.NewReplacer("{1}", datePattern, "{0}", timePattern).Replace(dateTimeGlue(g, width))
	case datePattern != "":
		f.pattern = datePattern
	default:
		f.pattern = timePattern
	}
	f.pattern = f.applyWidths(f.pattern)
	f.pattern = strings.ReplaceAll(f.pattern, "\u202f", " ")
	return nil
}

func (f *dateFormatter) symbolDecimal() string {
	if ns := f.loc.data.Numbers.Systems[f.loc.data.Numbers.DefaultNumberingSystem]; ns != nil {
		if d := ns.Symbols["decimal"]; d != "" {
			return d
		}
	}
	return "."
}

// dateTimeGlue joins a date and a time. ICU 78 (Node 20) uses CLDR's
// dateTimeFormats-atTime for both styles and component bags.
func dateTimeGlue(g *gregorianData, width string) string {
	if p := g.AtTime.Standard[width]; p != "" {
		return p
	}
	switch width {
	case "full":
		return g.DateTime.Full
	case "long":
		return g.DateTime.Long
	case "medium":
		return g.DateTime.Medium
	}
	return g.DateTime.Short
}

// canonicalDateSkeleton orders fields as CLDR's availableFormats keys do.
func canonicalDateSkeleton(s string) string {
	order := "GyMEd"
	var b strings.Builder
	for _, c := range order {
		n := strings.Count(s, string(c))
		b.WriteString(strings.Repeat(string(c), n))
	}
	return b.String()
}

// lookupSkeleton finds the pattern for a skeleton, widening month and
// weekday names from a shorter stored skeleton when needed.
func (f *dateFormatter) lookupSkeleton(skel string) (string, error) {
	if skel == "" {
		return "", nil
	}
	af := f.loc.data.greg.DateTime.AvailableFormats
	// V8 asks ICU for the -alt-ascii variants (a plain space before AM/PM).
	if p, ok := af[skel+"-alt-ascii"]; ok {
		return p, nil
	}
	if p, ok := af[skel]; ok {
		return p, nil
	}
	// Long month names: ICU adapts the abbreviated skeleton's pattern.
	for _, try := range []struct{ from, to string }{{"MMMMM", "MMM"}, {"MMMM", "MMM"}, {"EEEEE", "E"}, {"EEEE", "E"}} {
		if strings.Contains(skel, try.from) {
			alt := strings.Replace(skel, try.from, try.to, 1)
			if p, err := f.lookupSkeleton(alt); err == nil && p != "" {
				return widenField(p, try.to, try.from), nil
			}
		}
	}
	// Era with a date: append the era pattern as ICU's fallback does.
	if strings.HasPrefix(skel, "G") {
		rest := strings.TrimLeft(skel, "G")
		if p, err := f.lookupSkeleton(rest); err == nil && p != "" {
			return p + " " + strings.Repeat("G", len(skel)-len(rest)), nil
		}
	}
	return "", &rangeError{fmt.Sprintf("gopk Intl.DateTimeFormat: no %s pattern for the skeleton %q (unsupported option combination)", f.loc.name, skel)}
}

// widenField replaces the abbreviated field in a pattern by the wider one
// (MMM → MMMM, LLL → LLLL, E/EEE/ccc → EEEE).
func widenField(p, from, to string) string {
	letter := from[:1]
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			inQuote = !inQuote
			b.WriteByte(c)
			i++
			continue
		}
		alt := map[byte]byte{'M': 'L', 'E': 'c'}[letter[0]]
		if !inQuote && (c == letter[0] || c == alt) {
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			if j-i >= 3 || letter == "E" { // numeric month fields stay numeric
				b.WriteString(strings.Repeat(string(c), len(to)))
			} else {
				b.WriteString(p[i:j])
			}
			i = j
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// applyWidths makes numeric fields two digits where the options ask for it.
func (f *dateFormatter) applyWidths(p string) string {
	o := f.opts
	set := func(letter byte, twoDigit bool) {
		if !twoDigit {
			return
		}
		var b strings.Builder
		inQuote := false
		for i := 0; i < len(p); {
			c := p[i]
			if c == '\'' {
				inQuote = !inQuote
			}
			if !inQuote && c == letter {
				j := i
				for j < len(p) && p[j] == c {
					j++
				}
				if j-i <= 2 {
					b.WriteString(string([]byte{c, c}))
				} else {
					b.WriteString(p[i:j])
				}
				i = j
				continue
			}
			b.WriteByte(c)
			i++
		}
		p = b.String()
	}
	set('y', o.Year == "2-digit")
	set('M', o.Month == "2-digit")
	set('d', o.Day == "2-digit")
	set('h', o.Hour == "2-digit")
	set('H', o.Hour == "2-digit")
	return p
}

func (f *dateFormatter) applyHourCycle(p string, cldr *cldrData) string {
	want := f.hourLetter(cldr)
	if want == "H" && strings.Contains(p, "h") {
		p = strings.ReplaceAll(strings.ReplaceAll(p, "h", "H"), " a", "")
		p = strings.ReplaceAll(p, "\u202fa", "")
		p = strings.ReplaceAll(strings.ReplaceAll(p, "a ", ""), "a\u202f", "")
	}
	return p
}

// format renders t with the resolved pattern.
func (f *dateFormatter) format(t time.Time) string {
	t = t.In(f.opts.loc)
	g := &f.loc.data.greg
	var b strings.Builder
	p := f.pattern
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j == 0 {
				b.WriteByte('\'')
				i += 2
				continue
			}
			if j < 0 {
				b.WriteString(p[i+1:])
				break
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == c {
			j++
		}
		n := j - i
		b.WriteString(f.field(g, c, n, t))
		i = j
	}
	return b.String()
}

func (f *dateFormatter) num(v, width int) string {
	s := strconv.Itoa(v)
	for len(s) < width {
		s = "0" + s
	}
	var b strings.Builder
	for _, c := range s {
		b.WriteRune(f.digits[c-'0'])
	}
	return b.String()
}

func widthName(n int) string {
	switch {
	case n == 4:
		return "wide"
	case n >= 5:
		return "narrow"
	}
	return "abbreviated"
}

var dayKeys = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func (f *dateFormatter) field(g *gregorianData, c byte, n int, t time.Time) string {
	switch c {
	case 'G':
		key := "eraAbbr"
		if n == 4 {
			key = "eraNames"
		} else if n >= 5 {
			key = "eraNarrow"
		}
		era := "1"
		if t.Year() <= 0 {
			era = "0"
		}
		return g.Eras[key][era]
	case 'y':
		y := t.Year()
		if y <= 0 {
			y = 1 - y
		}
		if n == 2 {
			return f.num(y%100, 2)
		}
		return f.num(y, n)
	case 'M', 'L':
		if n <= 2 {
			return f.num(int(t.Month()), n)
		}
		ctx := "format"
		if c == 'L' {
			ctx = "stand-alone"
		}
		return g.Months[ctx][widthName(n)][strconv.Itoa(int(t.Month()))]
	case 'd':
		return f.num(t.Day(), n)
	case 'E', 'c':
		ctx := "format"
		if c == 'c' {
			ctx = "stand-alone"
		}
		w := widthName(n)
		if n == 6 {
			w = "short"
		}
		return g.Days[ctx][w][dayKeys[t.Weekday()]]
	case 'a', 'b', 'B':
		period := "am"
		if t.Hour() >= 12 {
			period = "pm"
		}
		return g.DayPeriods["format"][widthName(n)][period]
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		if f.opts.HourCycle == "h11" {
			h = t.Hour() % 12
		}
		return f.num(h, n)
	case 'H':
		h := t.Hour()
		if f.opts.HourCycle == "h24" && h == 0 {
			h = 24
		}
		return f.num(h, n)
	case 'K':
		return f.num(t.Hour()%12, n)
	case 'k':
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		return f.num(h, n)
	case 'm':
		return f.num(t.Minute(), n)
	case 's':
		return f.num(t.Second(), n)
	case 'S':
		ms := t.Nanosecond() / 1e6
		s := fmt.Sprintf("%03d", ms)[:min(n, 3)]
		v, _ := strconv.Atoi(s)
		return f.num(v, len(s))
	case 'z', 'v', 'O', 'V':
		_, off := t.Zone()
		if off == 0 && f.opts.TimeZone == "UTC" {
			return "UTC"
		}
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		if off == 0 {
			return "GMT"
		}
		s := "GMT" + sign + strconv.Itoa(off/3600)
		if m := off % 3600 / 60; m != 0 {
			s += fmt.Sprintf(":%02d", m)
		}
		return s
	}
	return strings.Repeat(string(c), n)
}
