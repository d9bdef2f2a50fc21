package web

import (
	"bytes"
	"unicode/utf8"
)

// Byte-level pieces of HTMLRewriter that x/net/html's tokenizer does not
// expose: where lol-html (workerd's engine) cuts text into chunks, the raw
// spans of a start tag's attributes (unmodified attributes are written back
// byte for byte), comment text and doctype fields. Each follows lol-html's
// state machine for the same input, so handlers see what they see in workerd.

// hrTextType is the tokenizer state a run of text is read in.
type hrTextType uint8

const (
	textData hrTextType = iota
	textRCData
	textRawText
	textScript
	textPlain
	textCDATA
)

// textChunkMax is the most UTF-8 bytes one text chunk holds (lol-html
// decodes text through a buffer of this size).
const textChunkMax = 1024

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func isASCIIAlpha(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// hasPrefixFold reports whether b[i:] starts with the lower-case word w,
// ignoring ASCII case.
func hasPrefixFold(b []byte, i int, w string) bool {
	if len(b)-i < len(w) {
		return false
	}
	for k := 0; k < len(w); k++ {
		c := b[i+k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[k] {
			return false
		}
	}
	return true
}

// prefixMatch reports whether b matches the start of the lower-case word w
// (all of b, or all of w if b is longer).
func prefixMatch(b []byte, w string, fold bool) bool {
	for k := 0; k < len(b) && k < len(w); k++ {
		c := b[k]
		if fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[k] {
			return false
		}
	}
	return true
}

// lexer states for text, named after lol-html's.
const (
	lxData = iota
	lxTagOpen
	lxEndTagOpen
	lxRaw // rcdata and rawtext
	lxRawLt
	lxRawEndOpen
	lxRawEndName
	lxScript
	lxScriptLt
	lxScriptEndOpen
	lxScriptEndName
	lxEscStart
	lxEscDashDash
	lxEsc
	lxEscLt
	lxEscEndOpen
	lxEscEndName
	lxDblStart
	lxDbl
	lxDblDashDash
	lxDblLt
	lxDblEndName
	lxDblEnd
	lxPlain
	lxCDATA
	lxCDATABracket
)

// emitsAtChunkEnd are the states in which lol-html hands over the text read
// so far when an input chunk ends.
func emitsAtChunkEnd(st int) bool {
	switch st {
	case lxData, lxRaw, lxScript, lxPlain, lxCDATA:
		return true
	}
	return false
}

// textLexemes splits one run of text (a text token of x/net/html) into the
// spans lol-html emits as separate lexemes: it cuts before every '<' and
// around a '<' that starts no tag, at the end of each input chunk (breaks,
// offsets into raw) while in plain text, and so on for each text type.
func textLexemes(raw []byte, tt hrTextType, breaks []int) [][2]int {
	spans, _ := lexText(raw, tt, breaks)
	return spans
}

// textResumePoint is the last offset in raw (a run of text that may go on
// in the next chunk) where the text can be cut and read on from the text
// type's first state with the same outcome: the end if the lexer is back in
// that state there, else the last '<' met in it. 0 means nowhere.
func textResumePoint(raw []byte, tt hrTextType) int {
	_, resume := lexText(raw, tt, nil)
	return resume
}

func lexText(raw []byte, tt hrTextType, breaks []int) (spans [][2]int, resume int) {
	var out [][2]int
	ls := 0
	emit := func(pos int) {
		if pos > ls {
			out = append(out, [2]int{ls, pos})
			ls = pos
		}
	}
	var st int
	switch tt {
	case textRCData, textRawText:
		st = lxRaw
	case textScript:
		st = lxScript
	case textPlain:
		st = lxPlain
	case textCDATA:
		st = lxCDATA
	default:
		st = lxData
	}
	bi := 0
	// seq reports whether raw[i:] starts with the word w (lower case; fold:
	// ignoring ASCII case). When a chunk ends inside a partial match,
	// lol-html stops there and waits for more input, so that chunk end
	// passes without handing any text over.
	cutShort := false // a partial match ran into the end of raw
	seq := func(i int, w string, fold bool) bool {
		if bi < len(breaks) {
			if b := breaks[bi]; b > i && b < i+len(w) && prefixMatch(raw[i:b], w, fold) {
				bi++
			}
		}
		if !prefixMatch(raw[i:], w, fold) {
			return false
		}
		if len(raw)-i < len(w) {
			cutShort = true
			return false
		}
		return true
	}
	for i := 0; i < len(raw); {
		for bi < len(breaks) && breaks[bi] <= i {
			if breaks[bi] == i && emitsAtChunkEnd(st) {
				emit(i)
			}
			bi++
		}
		c := raw[i]
		switch st {
		case lxData:
			if c == '<' {
				emit(i)
				st = lxTagOpen
				resume = i
			}
			i++
		case lxTagOpen: // inside a text token no tag can start here
			if c == '/' { // "</" at the end of the input
				st = lxEndTagOpen
				i++
				continue
			}
			emit(i)
			st = lxData
		case lxEndTagOpen:
			emit(i)
			st = lxData
		case lxRaw:
			if c == '<' {
				emit(i)
				st = lxRawLt
				resume = i
			}
			i++
		case lxRawLt:
			if c == '/' {
				st = lxRawEndOpen
				i++
			} else {
				emit(i)
				st = lxRaw
			}
		case lxRawEndOpen, lxRawEndName:
			if isASCIIAlpha(c) {
				st = lxRawEndName
				i++
			} else { // not the element's end tag: it was text
				emit(i)
				st = lxRaw
			}
		case lxScript:
			if c == '<' {
				emit(i)
				st = lxScriptLt
				resume = i
			}
			i++
		case lxScriptLt:
			switch c {
			case '/':
				st = lxScriptEndOpen
				i++
			case '!':
				st = lxEscStart
				i++
			default:
				emit(i)
				st = lxScript
			}
		case lxScriptEndOpen, lxScriptEndName:
			if isASCIIAlpha(c) {
				st = lxScriptEndName
				i++
			} else {
				emit(i)
				st = lxScript
			}
		case lxEscStart:
			if seq(i, "--", false) {
				st = lxEscDashDash
				i += 2
			} else {
				emit(i)
				st = lxScript
			}
		case lxEscDashDash:
			switch c {
			case '-':
				i++
			case '<':
				emit(i)
				st = lxEscLt
				i++
			case '>':
				emit(i)
				st = lxScript
			default:
				st = lxEsc
				i++
			}
		case lxEsc:
			switch {
			case seq(i, "--", false):
				st = lxEscDashDash
				i += 2
			case c == '<':
				emit(i)
				st = lxEscLt
				i++
			default:
				i++
			}
		case lxEscLt:
			switch {
			case seq(i, "script", true):
				st = lxDblStart
				i += 6
			case c == '/':
				st = lxEscEndOpen
				i++
			default:
				emit(i)
				st = lxEsc
			}
		case lxEscEndOpen, lxEscEndName:
			if isASCIIAlpha(c) {
				st = lxEscEndName
				i++
			} else {
				emit(i)
				st = lxEsc
			}
		case lxDblStart:
			if isHTMLSpace(c) || c == '/' || c == '>' {
				st = lxDbl
				i++
			} else {
				st = lxEsc
			}
		case lxDbl:
			switch {
			case seq(i, "--", false):
				st = lxDblDashDash
				i += 2
			case c == '<':
				emit(i)
				st = lxDblLt
				i++
			default:
				i++
			}
		case lxDblDashDash:
			switch c {
			case '-':
				i++
			case '<':
				st = lxDblLt
				i++
			case '>':
				emit(i)
				st = lxScript
			default:
				st = lxDbl
				i++
			}
		case lxDblLt:
			if c == '/' {
				st = lxDblEndName
				i++
			} else {
				st = lxDbl
			}
		case lxDblEndName:
			if seq(i, "script", true) {
				st = lxDblEnd
				i += 6
			} else {
				st = lxDbl
			}
		case lxDblEnd:
			if isHTMLSpace(c) || c == '/' || c == '>' {
				st = lxEsc
				i++
			} else {
				st = lxDbl
			}
		case lxPlain:
			i++
		case lxCDATA:
			if c == ']' {
				emit(i)
				st = lxCDATABracket
			}
			i++
		case lxCDATABracket:
			emit(i)
			st = lxCDATA
		}
	}
	emit(len(raw))
	switch st {
	case lxData, lxRaw, lxScript, lxPlain:
		if !cutShort {
			resume = len(raw) // nothing at the end waits for what follows
		}
	}
	return out, resume
}

// incompleteTail is how many bytes at the end of b begin a UTF-8 sequence
// that more input could complete.
func incompleteTail(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}

// splitChunks cuts s into strings of at most textChunkMax bytes, never
// inside a character.
func splitChunks(s string) []string {
	var out []string
	for len(s) > textChunkMax {
		cut := textChunkMax
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// hrAttr is one attribute of a start tag. raw is its source text (name
// through closing quote); it is nil once the value changes, and the
// attribute is then written as name="value".
type hrAttr struct {
	name, value, raw []byte
}

// parseStartTag reads a complete start tag the way lol-html does: the
// name, the attributes with their raw spans, and whether it ends in "/>"
// (a '/' inside an unquoted value does not count).
func parseStartTag(raw []byte) (name []byte, attrs []hrAttr, selfClosing bool) {
	i := 1
	for i < len(raw) && !isHTMLSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	name = raw[1:i]
	const (
		beforeName = iota
		attrName
		afterName
		beforeValue
		quotedValue
		afterQuoted
		unquotedValue
		selfClosingStart
	)
	st := beforeName
	var cur *hrAttr
	var nameStart, valueStart int
	var quote byte
	finish := func() {
		if cur != nil {
			attrs = append(attrs, *cur)
			cur = nil
		}
	}
	for ; i < len(raw); i++ {
		c := raw[i]
		switch st {
		case beforeName:
			switch {
			case isHTMLSpace(c):
			case c == '/':
				st = selfClosingStart
			case c == '>':
				return
			default:
				cur = &hrAttr{}
				nameStart = i
				st = attrName
			}
		case attrName:
			switch {
			case isHTMLSpace(c):
				cur.name, cur.raw = raw[nameStart:i], raw[nameStart:i]
				st = afterName
			case c == '/':
				cur.name, cur.raw = raw[nameStart:i], raw[nameStart:i]
				finish()
				st = selfClosingStart
			case c == '>':
				cur.name, cur.raw = raw[nameStart:i], raw[nameStart:i]
				finish()
				return
			case c == '=':
				cur.name, cur.raw = raw[nameStart:i], raw[nameStart:i]
				st = beforeValue
			}
		case afterName:
			switch {
			case isHTMLSpace(c):
			case c == '/':
				finish()
				st = selfClosingStart
			case c == '=':
				st = beforeValue
			case c == '>':
				finish()
				return
			default:
				finish()
				cur = &hrAttr{}
				nameStart = i
				st = attrName
			}
		case beforeValue:
			switch {
			case isHTMLSpace(c):
			case c == '"' || c == '\'':
				quote = c
				valueStart = i + 1
				st = quotedValue
			case c == '>':
				finish()
				return
			default:
				valueStart = i
				st = unquotedValue
			}
		case quotedValue:
			if c == quote {
				cur.value, cur.raw = raw[valueStart:i], raw[nameStart:i+1]
				finish()
				st = afterQuoted
			}
		case afterQuoted:
			switch {
			case isHTMLSpace(c):
				st = beforeName
			case c == '/':
				st = selfClosingStart
			case c == '>':
				return
			default:
				st = beforeName
				i--
			}
		case unquotedValue:
			switch {
			case isHTMLSpace(c):
				cur.value, cur.raw = raw[valueStart:i], raw[nameStart:i]
				finish()
				st = beforeName
			case c == '>':
				cur.value, cur.raw = raw[valueStart:i], raw[nameStart:i]
				finish()
				return
			}
		case selfClosingStart:
			if c == '>' {
				selfClosing = true
				return
			}
			st = beforeName
			i--
		}
	}
	return
}

// endTagName is the name of an end tag as written.
func endTagName(raw []byte) []byte {
	i := 2
	for i < len(raw) && !isHTMLSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	return raw[2:i]
}

// commentText is a comment's text: what is between "<!--" and "-->" (or
// "--!>", or the end of input), or a bogus comment's text ("<!x>", "<?x>",
// "</ x>").
func commentText(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("<!--")) {
		body := raw[4:]
		switch {
		case bytes.HasSuffix(raw, []byte("-->")):
			if len(raw) < 7 { // "<!-->", "<!--->"
				return nil
			}
			return body[:len(body)-3]
		case bytes.HasSuffix(raw, []byte("--!>")) && len(raw) >= 8:
			return body[:len(body)-4]
		}
		// Unterminated at the end of input.
		for _, end := range []string{"--!", "--", "-"} {
			if bytes.HasSuffix(body, []byte(end)) {
				return body[:len(body)-len(end)]
			}
		}
		return body
	}
	start := 2 // "<!x>", "</x>"
	if bytes.HasPrefix(raw, []byte("<?")) {
		start = 1
	}
	body := raw[start:]
	return bytes.TrimSuffix(body, []byte(">"))
}

// parseDoctype reads a doctype's name, public and system identifiers (nil
// when absent) as lol-html's doctype states do.
func parseDoctype(raw []byte) (name, publicID, systemID []byte, hasName, hasPublic, hasSystem bool) {
	const (
		beforeName = iota
		inName
		afterName
		afterKeyword
		beforeID
		inID
		afterPublicID
		afterSystemID
		between
		bogus
	)
	i := len("<!DOCTYPE")
	st := beforeName
	var start int
	var quote byte
	public := false // which identifier the keyword or quote is for
	for ; i < len(raw); i++ {
		c := raw[i]
		switch st {
		case beforeName:
			switch {
			case isHTMLSpace(c):
			case c == '>':
				return
			default:
				start, st = i, inName
			}
		case inName:
			switch {
			case isHTMLSpace(c):
				name, hasName, st = raw[start:i], true, afterName
			case c == '>':
				name, hasName = raw[start:i], true
				return
			}
		case afterName:
			switch {
			case isHTMLSpace(c):
			case c == '>':
				return
			case hasPrefixFold(raw, i, "public"):
				public, st = true, afterKeyword
				i += 5
			case hasPrefixFold(raw, i, "system"):
				public, st = false, afterKeyword
				i += 5
			default:
				st = bogus
			}
		case afterKeyword, beforeID, afterPublicID, between:
			switch {
			case isHTMLSpace(c):
				switch st {
				case afterKeyword:
					st = beforeID
				case afterPublicID:
					st = between
				}
			case c == '"' || c == '\'':
				if st == afterPublicID || st == between {
					public = false
				}
				quote, start, st = c, i+1, inID
			case c == '>':
				return
			default:
				st = bogus
			}
		case inID:
			if c == quote || c == '>' {
				if public {
					publicID, hasPublic = raw[start:i], true
				} else {
					systemID, hasSystem = raw[start:i], true
				}
				if c == '>' {
					return
				}
				st = afterSystemID
				if public {
					st = afterPublicID
				}
			}
		case afterSystemID:
			switch {
			case isHTMLSpace(c):
			case c == '>':
				return
			default:
				st = bogus
			}
		case bogus:
			if c == '>' {
				return
			}
		}
	}
	// The end of input inside a name or identifier keeps what was read.
	switch st {
	case inName:
		name, hasName = raw[start:], true
	case inID:
		if public {
			publicID, hasPublic = raw[start:], true
		} else {
			systemID, hasSystem = raw[start:], true
		}
	}
	return
}
