package es

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// regexpSyntaxError is thrown to JS as a SyntaxError with V8's wording.
type regexpSyntaxError struct{ pattern, flags, reason string }

func (e *regexpSyntaxError) Error() string {
	return fmt.Sprintf("Invalid regular expression: /%s/%s: %s", e.pattern, e.flags, e.reason)
}

// rewriteCache keeps the rewrite of each pattern seen by this process; a
// bundle builds the same few regexps in every room.
var rewriteCache sync.Map // rewriteKey → string

type rewriteKey struct {
	pattern             string
	unicode, ignoreCase bool
}

const rewriteCacheMax = 4096

var rewriteCacheLen struct {
	sync.Mutex
	n int
}

// rewritePattern returns the pattern goja must compile to match as V8 does
// with these flags: under /u, property escapes expanded; without it,
// classes of surrogates told apart (separateSurrogateClasses). A pattern
// that needs neither is returned as it is.
func rewritePattern(pattern, flags string) (string, error) {
	key := rewriteKey{pattern, strings.ContainsRune(flags, 'u'), strings.ContainsRune(flags, 'i')}
	if v, ok := rewriteCache.Load(key); ok {
		return v.(string), nil
	}
	var out string
	if key.unicode {
		var err error
		if out, err = expandPropertyEscapes(pattern, flags); err != nil {
			return "", err
		}
	} else {
		out = separateSurrogateClasses(pattern, flags)
	}
	rewriteCacheLen.Lock()
	if rewriteCacheLen.n < rewriteCacheMax {
		rewriteCacheLen.n++
		rewriteCache.Store(key, out)
	}
	rewriteCacheLen.Unlock()
	return out, nil
}

// expandPropertyEscapes rewrites every \p{…} and \P{…} of a /u pattern into
// an explicit class of code point ranges that goja compiles natively. All
// other syntax is copied unchanged. Patterns without property escapes are
// returned as they are.
func expandPropertyEscapes(pattern, flags string) (string, error) {
	if !strings.Contains(pattern, `\p`) && !strings.Contains(pattern, `\P`) {
		return pattern, nil
	}
	tables, err := loadPropertyTables()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern) && (pattern[i+1] == 'p' || pattern[i+1] == 'P'):
			negate := pattern[i+1] == 'P'
			if i+2 >= len(pattern) || pattern[i+2] != '{' {
				return "", &regexpSyntaxError{pattern, flags, "Invalid property name"}
			}
			end := strings.IndexByte(pattern[i+3:], '}')
			if end < 0 {
				return "", &regexpSyntaxError{pattern, flags, "Invalid property name"}
			}
			name := pattern[i+3 : i+3+end]
			ranges, ok := tables.lookup(name)
			if !ok {
				if inClass {
					return "", &regexpSyntaxError{pattern, flags, "Invalid property name in character class"}
				}
				return "", &regexpSyntaxError{pattern, flags, "Invalid property name"}
			}
			writeClass(&b, ranges, negate, inClass)
			i += 3 + end
		case c == '\\' && i+1 < len(pattern):
			b.WriteByte(c)
			b.WriteByte(pattern[i+1])
			i++
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// writeClass writes ranges as class members, wrapped in [...] outside a class.
func writeClass(b *strings.Builder, ranges []codeRange, negate, inClass bool) {
	// \P is written as the complement set rather than [^…]: under /iu V8
	// case-folds the complement, while goja would fold before negating.
	if negate {
		ranges = complement(ranges)
	}
	if !inClass {
		b.WriteByte('[')
	}
	for _, r := range ranges {
		writeCodePoint(b, r.lo)
		if r.hi != r.lo {
			b.WriteByte('-')
			writeCodePoint(b, r.hi)
		}
	}
	if !inClass {
		b.WriteByte(']')
	}
}

func writeCodePoint(b *strings.Builder, r rune) {
	b.WriteString(`\u{`)
	b.WriteString(strconv.FormatInt(int64(r), 16))
	b.WriteByte('}')
}

// escapeLoneSurrogates writes a pattern held as UTF-16 code units as a Go
// string. Go strings cannot hold a surrogate without its pair, so each one
// becomes an escape that means the same in the pattern: \u{D800} with /u,
// \uD800 without.
func escapeLoneSurrogates(units []uint16, unicode bool) string {
	var b strings.Builder
	for i := 0; i < len(units); i++ {
		c := rune(units[i])
		switch {
		case c >= 0xD800 && c <= 0xDBFF && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] <= 0xDFFF:
			b.WriteRune((c-0xD800)<<10 + (rune(units[i+1]) - 0xDC00) + 0x10000)
			i++
		case c >= 0xD800 && c <= 0xDFFF:
			if unicode {
				fmt.Fprintf(&b, `\u{%X}`, c)
			} else {
				fmt.Fprintf(&b, `\u%X`, c)
			}
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// unitRange is an inclusive range of UTF-16 code units.
type unitRange struct{ lo, hi int }

// surrogateClass is one character class of a pattern, parsed.
type surrogateClass struct {
	start, end int // pattern[start] is '[', pattern[end] is ']'
	negated    bool
	set        []unitRange // the code units the class matches, canonical
	surrogates bool        // the class lists a surrogate
}

// separateSurrogateClasses works around a bug in goja's backtracking engine
// (dlclark/regexp2 v2 up to at least v2.13.0): it files each character class
// under a key in which every surrogate code point reads as U+FFFD, so two
// different classes of surrogates in one pattern, such as lodash's
// [\ud800-\udbff][\udc00-\udfff], become one class and the pattern silently
// stops matching.
//
// Without /u a class matches UTF-16 code units, so it can be written either
// as its set of units or as the negation of the other units, and both match
// the same. This writes each class that names a surrogate in whichever of
// the two forms no other class of the pattern has under that key, with
// explicit \uXXXX ranges. Patterns with /i (where the engine adds case
// variants to each class), or whose classes it cannot read, are left alone.
func separateSurrogateClasses(pattern, flags string) string {
	if strings.ContainsRune(flags, 'i') || !strings.Contains(pattern, `\u`) || !strings.Contains(pattern, "[") {
		return pattern
	}
	var classes []surrogateClass
	anySurrogates := false
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case '[':
			c, ok := parseClass(pattern, i)
			if !ok {
				return pattern
			}
			classes = append(classes, c)
			anySurrogates = anySurrogates || c.surrogates
			i = c.end
		}
	}
	if !anySurrogates {
		return pattern
	}
	taken := map[string]int{} // engine key → index of the class's set
	setIndex := func(c surrogateClass) int {
		for j := range classes {
			if slices.Equal(classes[j].set, c.set) {
				return j
			}
		}
		return -1
	}
	for _, c := range classes {
		if !c.surrogates {
			taken[engineKey(c.negated, rangesOf(c.set, c.negated))] = setIndex(c)
		}
	}
	var b strings.Builder
	last := 0
	for _, c := range classes {
		if !c.surrogates {
			continue
		}
		id := setIndex(c)
		chosen := -1
		for form, negated := range []bool{false, true} {
			key := engineKey(negated, rangesOf(c.set, negated))
			if owner, ok := taken[key]; !ok || owner == id {
				taken[key] = id
				chosen = form
				break
			}
		}
		if chosen < 0 {
			return pattern // no free form; leave the pattern as it was
		}
		b.WriteString(pattern[last:c.start])
		writeUnitClass(&b, rangesOf(c.set, chosen == 1), chosen == 1)
		last = c.end + 1
	}
	b.WriteString(pattern[last:])
	return b.String()
}

// rangesOf returns the ranges a class must list to match set: set itself,
// or its complement among all code units when the class is negated.
func rangesOf(set []unitRange, negated bool) []unitRange {
	if !negated {
		return set
	}
	var out []unitRange
	next := 0
	for _, r := range set {
		if r.lo > next {
			out = append(out, unitRange{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= 0xFFFF {
		out = append(out, unitRange{next, 0xFFFF})
	}
	return out
}

// engineKey is the key regexp2 files a class under: surrogates read as U+FFFD.
func engineKey(negated bool, ranges []unitRange) string {
	var b strings.Builder
	if negated {
		b.WriteByte('^')
	}
	key := func(u int) int {
		if u >= 0xD800 && u <= 0xDFFF {
			return 0xFFFD
		}
		return u
	}
	for _, r := range ranges {
		fmt.Fprintf(&b, "%x-%x,", key(r.lo), key(r.hi))
	}
	return b.String()
}

func writeUnitClass(b *strings.Builder, ranges []unitRange, negated bool) {
	b.WriteByte('[')
	if negated {
		b.WriteByte('^')
	}
	for _, r := range ranges {
		fmt.Fprintf(b, `\u%04x`, r.lo)
		if r.hi != r.lo {
			fmt.Fprintf(b, `-\u%04x`, r.hi)
		}
	}
	b.WriteByte(']')
}

// Class escapes as sets of code units (ECMAScript without /u).
var (
	digitUnits = []unitRange{{'0', '9'}}
	wordUnits  = []unitRange{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}
	spaceUnits = []unitRange{{0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
		{0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}}
)

// parseClass reads the class that opens at pattern[open] with the syntax of
// a pattern without /u (Annex B included). ok is false where it is unsure.
func parseClass(pattern string, open int) (c surrogateClass, ok bool) {
	c.start = open
	i := open + 1
	if i < len(pattern) && pattern[i] == '^' {
		c.negated = true
		i++
	}
	var units []unitRange
	for {
		if i >= len(pattern) {
			return c, false
		}
		if pattern[i] == ']' {
			break
		}
		lo, loSet, next, ok := parseClassAtom(pattern, i)
		if !ok {
			return c, false
		}
		i = next
		if i+1 < len(pattern) && pattern[i] == '-' && pattern[i+1] != ']' {
			hi, hiSet, after, ok := parseClassAtom(pattern, i+1)
			if !ok {
				return c, false
			}
			if loSet != nil || hiSet != nil || len(lo) != 1 || len(hi) != 1 {
				// Annex B: a range with a class escape is the atoms and a dash.
				if len(lo) != 1 && loSet == nil || len(hi) != 1 && hiSet == nil {
					return c, false
				}
				units = append(units, atomUnits(lo, loSet)...)
				units = append(units, unitRange{'-', '-'})
				units = append(units, atomUnits(hi, hiSet)...)
			} else {
				if lo[0] > hi[0] {
					return c, false // a syntax error: let goja report it
				}
				units = append(units, unitRange{lo[0], hi[0]})
			}
			i = after
			continue
		}
		units = append(units, atomUnits(lo, loSet)...)
	}
	c.end = i
	listed := canonicalUnits(units)
	for _, r := range listed {
		if r.lo <= 0xDFFF && r.hi >= 0xD800 {
			c.surrogates = true
		}
	}
	c.set = rangesOf(listed, c.negated)
	return c, true
}

func atomUnits(units []int, set []unitRange) []unitRange {
	if set != nil {
		return set
	}
	out := make([]unitRange, len(units))
	for i, u := range units {
		out[i] = unitRange{u, u}
	}
	return out
}

// parseClassAtom reads one class atom at pattern[i]: the code units it
// stands for (two for a character outside the BMP), or a set for \d, \w, \s
// and their negations.
func parseClassAtom(pattern string, i int) (units []int, set []unitRange, next int, ok bool) {
	if pattern[i] != '\\' {
		r, size := utf8.DecodeRuneInString(pattern[i:])
		if r == utf8.RuneError && size <= 1 {
			return nil, nil, 0, false
		}
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			return []int{int(hi), int(lo)}, nil, i + size, true
		}
		return []int{int(r)}, nil, i + size, true
	}
	if i+1 >= len(pattern) {
		return nil, nil, 0, false
	}
	c := pattern[i+1]
	switch c {
	case 'd', 'D', 'w', 'W', 's', 'S':
		set = map[byte][]unitRange{'d': digitUnits, 'w': wordUnits, 's': spaceUnits}[c|0x20]
		if c < 'a' {
			set = rangesOf(set, true)
		}
		return nil, set, i + 2, true
	case 'u':
		if i+6 <= len(pattern) {
			if v, err := strconv.ParseUint(pattern[i+2:i+6], 16, 32); err == nil {
				return []int{int(v)}, nil, i + 6, true
			}
		}
		return []int{'u'}, nil, i + 2, true
	case 'x':
		if i+4 <= len(pattern) {
			if v, err := strconv.ParseUint(pattern[i+2:i+4], 16, 32); err == nil {
				return []int{int(v)}, nil, i + 4, true
			}
		}
		return []int{'x'}, nil, i + 2, true
	case 'c':
		if i+2 < len(pattern) && (pattern[i+2]|0x20 >= 'a' && pattern[i+2]|0x20 <= 'z') {
			return []int{int(pattern[i+2] % 32)}, nil, i + 3, true
		}
		return nil, nil, 0, false
	case 'b':
		return []int{8}, nil, i + 2, true
	case 't', 'n', 'v', 'f', 'r':
		return []int{map[byte]int{'t': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13}[c]}, nil, i + 2, true
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v, j := 0, i+1
		for j < len(pattern) && j < i+4 && pattern[j] >= '0' && pattern[j] <= '7' && v*8+int(pattern[j]-'0') <= 0377 {
			v = v*8 + int(pattern[j]-'0')
			j++
		}
		return []int{v}, nil, j, true
	}
	r, size := utf8.DecodeRuneInString(pattern[i+1:])
	if r > 0xFFFF || r == utf8.RuneError {
		return nil, nil, 0, false
	}
	return []int{int(r)}, nil, i + 1 + size, true // identity escape
}

// canonicalUnits sorts ranges and merges those that overlap or touch, as the
// engine does.
func canonicalUnits(units []unitRange) []unitRange {
	slices.SortFunc(units, func(a, b unitRange) int { return a.lo - b.lo })
	var out []unitRange
	for _, r := range units {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}
