package es

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
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
	pattern string
	unicode bool
}

const rewriteCacheMax = 4096

var rewriteCacheLen struct {
	sync.Mutex
	n int
}

// rewritePattern returns the pattern goja must compile to match as V8 does
// with these flags: under /u, property escapes expanded. Any other pattern
// is returned as it is.
func rewritePattern(pattern, flags string) (string, error) {
	key := rewriteKey{pattern, strings.ContainsRune(flags, 'u')}
	if !key.unicode {
		return pattern, nil
	}
	if v, ok := rewriteCache.Load(key); ok {
		return v.(string), nil
	}
	out, err := expandPropertyEscapes(pattern, flags)
	if err != nil {
		return "", err
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
