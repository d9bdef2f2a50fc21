package web

import (
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// HTMLRewriter selectors are the subset lol-html (workerd's engine) accepts.
// cascadia parses and matches them; this file only screens out what lol-html
// refuses, with its messages, and rewrites the few forms cascadia reads
// differently (namespace prefixes, empty substring values, the HTML
// attributes whose values match case-insensitively).

// selectorError is a selector lol-html would refuse; workerd reports it as
// "Parser error: <msg>".
type selectorError string

func (e selectorError) Error() string { return string(e) }

const (
	errSelectorEmpty       selectorError = "The selector is empty."
	errSelectorDangling    selectorError = "Dangling combinator in selector."
	errSelectorPseudo      selectorError = "Unsupported pseudo-class or pseudo-element in selector."
	errSelectorNamespace   selectorError = "Selectors with explicit namespaces are not supported."
	errSelectorNestedNot   selectorError = "Nested negation in selector."
	errSelectorEmptyNot    selectorError = "Empty negation in selector."
	errSelectorToken       selectorError = "Unexpected token in selector."
	errSelectorEnd         selectorError = "Unexpected end of selector."
	errSelectorAttrToken   selectorError = "Unexpected token in the attribute selector."
	errSelectorMissingAttr selectorError = "Missing attribute name in attribute selector."
)

func errSelectorCombinator(c byte) selectorError {
	return selectorError("Unsupported combinator `" + string(c) + "` in selector.")
}

// caseInsensitiveAttrs are the attributes whose values HTML matches without
// regard to ASCII case (HTML §4.16.2 "case-sensitivity of selectors"), as
// lol-html does through its selectors crate.
var caseInsensitiveAttrs = map[string]bool{
	"accept": true, "accept-charset": true, "align": true, "alink": true, "axis": true, "bgcolor": true,
	"charset": true, "checked": true, "clear": true, "codetype": true, "color": true, "compact": true,
	"declare": true, "defer": true, "dir": true, "direction": true, "disabled": true, "enctype": true,
	"face": true, "frame": true, "hreflang": true, "http-equiv": true, "lang": true, "language": true,
	"link": true, "media": true, "method": true, "multiple": true, "nohref": true, "noresize": true,
	"noshade": true, "nowrap": true, "readonly": true, "rel": true, "rev": true, "rules": true,
	"scope": true, "scrolling": true, "selected": true, "shape": true, "target": true, "text": true,
	"type": true, "valign": true, "valuetype": true, "vlink": true,
}

// neverMatches stands in for a compound lol-html can never match (an
// element with no namespace, an empty prefix/suffix/substring value).
const neverMatches = ":not(*)"

// hrSelector is a compiled HTMLRewriter selector.
type hrSelector struct {
	group cascadia.SelectorGroup
}

func (s *hrSelector) Match(n *html.Node) bool { return s.group.Match(n) }

// compileSelector checks src against lol-html's rules and compiles it.
func compileSelector(src string) (*hrSelector, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errSelectorEmpty
	}
	s := &selectorScanner{src: src}
	norm, err := s.list(false)
	if err != nil {
		return nil, err
	}
	if s.i < len(src) { // an unbalanced ')'
		return nil, errSelectorToken
	}
	group, err := cascadia.ParseGroup(norm)
	if err != nil {
		if strings.Contains(err.Error(), "EOF") {
			return nil, errSelectorEnd
		}
		return nil, errSelectorToken
	}
	return &hrSelector{group}, nil
}

type selectorScanner struct {
	src string
	i   int
}

func (s *selectorScanner) peek(off int) byte {
	if s.i+off < len(s.src) {
		return s.src[s.i+off]
	}
	return 0
}

func isSelectorSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isIdentByte(c byte) bool {
	return c == '-' || c == '_' || c >= 0x80 || c == '\\' ||
		('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// ident reads an identifier (escapes kept as written).
func (s *selectorScanner) ident() string {
	start := s.i
	for s.i < len(s.src) && isIdentByte(s.src[s.i]) {
		if s.src[s.i] == '\\' && s.i+1 < len(s.src) {
			s.i++
		}
		s.i++
	}
	return s.src[start:s.i]
}

// list scans a selector list up to the end, or up to the ')' that closes a
// :not( when inNot, and returns it rewritten for cascadia.
func (s *selectorScanner) list(inNot bool) (string, error) {
	var out strings.Builder
	lastWasCombinator := true // at the start, as after a ','
	compoundEmpty := true
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case isSelectorSpace(c):
			s.i++
			out.WriteByte(' ')
			continue
		case c == ')' && inNot:
			if lastWasCombinator && !compoundEmpty {
				return "", errSelectorDangling
			}
			return out.String(), nil
		case c == ',':
			if inNot {
				return "", errSelectorToken
			}
			if compoundEmpty || lastWasCombinator {
				return "", errSelectorEmpty
			}
			out.WriteByte(',')
			s.i++
			lastWasCombinator, compoundEmpty = true, true
			continue
		case c == '>':
			if inNot {
				return "", errSelectorToken
			}
			if lastWasCombinator {
				return "", errSelectorToken
			}
			out.WriteByte('>')
			s.i++
			lastWasCombinator = true
			continue
		case c == '+' || c == '~':
			if inNot {
				return "", errSelectorToken
			}
			return "", errSelectorCombinator(c)
		}
		if inNot && !lastWasCombinator && out.Len() > 0 && isSelectorSpace(s.src[s.i-1]) {
			// :not() takes one compound: "a b" inside it is a combinator.
			return "", errSelectorToken
		}
		part, err := s.compound(inNot)
		if err != nil {
			return "", err
		}
		out.WriteString(part)
		lastWasCombinator, compoundEmpty = false, false
	}
	if inNot {
		return "", errSelectorEnd
	}
	if lastWasCombinator {
		if compoundEmpty && strings.TrimSpace(out.String()) == "" {
			return "", errSelectorEmpty
		}
		if strings.HasSuffix(strings.TrimSpace(out.String()), ",") {
			return "", errSelectorEmpty
		}
		return "", errSelectorDangling
	}
	return out.String(), nil
}

// compound scans one compound selector (type, #id, .class, [attr], :pseudo).
func (s *selectorScanner) compound(inNot bool) (string, error) {
	var out strings.Builder
	first := true
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case first && (c == '*' || c == '|' || isIdentByte(c) && !('0' <= c && c <= '9')):
			part, err := s.typeSelector()
			if err != nil {
				return "", err
			}
			out.WriteString(part)
		case c == '#' || c == '.':
			s.i++
			name := s.ident()
			if name == "" {
				if c == '.' {
					return "", selectorError("Invalid or unescaped class name in selector.")
				}
				return "", errSelectorToken
			}
			out.WriteByte(c)
			out.WriteString(name)
		case c == '[':
			part, err := s.attribute()
			if err != nil {
				return "", err
			}
			out.WriteString(part)
		case c == ':':
			part, err := s.pseudo(inNot)
			if err != nil {
				return "", err
			}
			out.WriteString(part)
		default:
			if first {
				// Nothing here starts a compound (lol-html: "empty").
				return "", errSelectorEmpty
			}
			return out.String(), nil
		}
		first = false
	}
	return out.String(), nil
}

// typeSelector reads E, *, *|E, |E or ns|E.
func (s *selectorScanner) typeSelector() (string, error) {
	var name string
	hasPrefix := false
	if s.peek(0) == '|' {
		hasPrefix = true
	} else if s.peek(0) == '*' {
		s.i++
		name = "*"
	} else {
		name = s.ident()
	}
	if s.peek(0) != '|' || s.peek(1) == '=' {
		return name, nil
	}
	s.i++ // the '|'
	var local string
	if s.peek(0) == '*' {
		s.i++
		local = "*"
	} else {
		local = s.ident()
	}
	if local == "" {
		return "", errSelectorToken
	}
	switch {
	case name == "*": // any namespace: the plain name
		return local, nil
	case hasPrefix && name == "": // no namespace: every element has one
		return local + neverMatches, nil
	default:
		return "", errSelectorNamespace
	}
}

// attribute reads [name], [name op value] and rewrites what cascadia reads
// differently from lol-html.
func (s *selectorScanner) attribute() (string, error) {
	s.i++ // '['
	s.skipSpace()
	if s.peek(0) == '|' && s.peek(1) != '=' { // [|name]: no namespace, as plain
		s.i++
	}
	if s.peek(0) == '*' && s.peek(1) == '|' {
		return "", errSelectorNamespace
	}
	name := s.ident()
	if s.i >= len(s.src) {
		return "", errSelectorEnd
	}
	if name == "" {
		return "", errSelectorMissingAttr
	}
	if s.peek(0) == '|' && s.peek(1) != '=' {
		return "", errSelectorNamespace
	}
	s.skipSpace()
	if s.peek(0) == ']' {
		s.i++
		return "[" + name + "]", nil
	}
	var op string
	switch c := s.peek(0); {
	case c == '=':
		op = "="
	case (c == '~' || c == '|' || c == '^' || c == '$' || c == '*') && s.peek(1) == '=':
		op = s.src[s.i : s.i+2]
	default:
		if s.i >= len(s.src) {
			return "", errSelectorEnd
		}
		return "", errSelectorAttrToken
	}
	s.i += len(op)
	s.skipSpace()
	valStart := s.i
	var value string
	switch q := s.peek(0); q {
	case '"', '\'':
		s.i++
		for s.i < len(s.src) && s.src[s.i] != q {
			if s.src[s.i] == '\\' {
				s.i++
			}
			s.i++
		}
		if s.i >= len(s.src) {
			return "", errSelectorEnd
		}
		s.i++
		value = s.src[valStart+1 : s.i-1]
	default:
		value = s.ident()
		if value == "" {
			if s.i >= len(s.src) {
				return "", errSelectorEnd
			}
			return "", errSelectorAttrToken
		}
	}
	raw := s.src[valStart:s.i]
	s.skipSpace()
	if c := s.peek(0); c != ']' {
		if s.i >= len(s.src) {
			return "", errSelectorEnd
		}
		if c == 'i' || c == 'I' || c == 's' || c == 'S' {
			// lol-html refuses case flags with the namespace message.
			return "", errSelectorNamespace
		}
		return "", errSelectorAttrToken
	}
	s.i++
	if value == "" && (op == "^=" || op == "$=" || op == "*=") {
		return neverMatches, nil
	}
	flag := ""
	if caseInsensitiveAttrs[strings.ToLower(name)] {
		flag = " i"
	}
	return "[" + name + op + raw + flag + "]", nil
}

// pseudo reads the pseudo-classes lol-html has: :first-child, :first-of-type,
// :nth-child(), :nth-of-type() and :not().
func (s *selectorScanner) pseudo(inNot bool) (string, error) {
	s.i++ // ':'
	if s.peek(0) == ':' {
		return "", errSelectorPseudo
	}
	name := strings.ToLower(s.ident())
	switch name {
	case "first-child", "first-of-type":
		if s.peek(0) == '(' {
			return "", errSelectorPseudo
		}
		return ":" + name, nil
	case "nth-child", "nth-of-type":
		if s.peek(0) != '(' {
			return "", errSelectorPseudo
		}
		start := s.i
		for s.i < len(s.src) && s.src[s.i] != ')' {
			s.i++
		}
		if s.i >= len(s.src) {
			return "", errSelectorEnd
		}
		s.i++
		return ":" + name + s.src[start:s.i], nil
	case "not":
		if s.peek(0) != '(' {
			return "", errSelectorPseudo
		}
		if inNot {
			return "", errSelectorNestedNot
		}
		s.i++
		inner, err := s.list(true)
		if err != nil {
			return "", err
		}
		s.i++ // ')'
		if strings.TrimSpace(inner) == "" {
			return "", errSelectorEmptyNot
		}
		return ":not(" + strings.TrimSpace(inner) + ")", nil
	}
	return "", errSelectorPseudo
}

func (s *selectorScanner) skipSpace() {
	for s.i < len(s.src) && isSelectorSpace(s.src[s.i]) {
		s.i++
	}
}
