package web

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// The HTMLRewriter engine: it reads a document with x/net/html's tokenizer,
// matches start tags against cascadia selectors, and asks for handler calls
// one at a time (next), so a handler may be async. Its rules are lol-html's,
// the engine workerd runs, measured against `partykit dev`:
//
//   - Output is the input byte for byte except where a handler changed
//     something; a changed tag is written back from its parts, keeping the
//     unchanged attributes as they were written.
//   - Open elements are a plain stack: a start tag pushes (unless void, or
//     self-closing in SVG/MathML), an end tag pops up to the nearest open
//     element of its name; nothing is closed implicitly. Selector handlers
//     for comments and text apply while their element is open.
//   - Selector handlers run before document handlers, each group in the
//     order it was registered.
//   - Text reaches handlers in chunks cut where lol-html cuts it (see
//     textLexemes), and every text node ends with an empty chunk whose
//     lastInTextNode is true.
//
// The engine streams: it rewrites each token as soon as the input holds all
// of it, and asks for more input (next reports hrNeedInput) when the rest
// of what it has could still be part of a longer token. Text is cut at the
// ends of the chunks it arrived in, as workerd cuts it.

// hrKind is the kind of handler a call is for.
type hrKind uint8

const (
	hrCallElement hrKind = iota
	hrCallComments
	hrCallText
	hrCallDoctype
	hrCallEnd
	hrCallEndTag
)

// hrNone marks a handler slot with no handler.
const hrNone = -1

// hrSpec is one on(selector, handlers): handler ids, or hrNone.
type hrSpec struct {
	sel                     hrMatcher
	element, comments, text int
}

// hrMatcher is a compiled selector (a cascadia.SelectorGroup).
type hrMatcher interface {
	Match(n *html.Node) bool
}

// hrDocSpec is one onDocument(handlers).
type hrDocSpec struct {
	doctype, comments, text, end int
}

// hrCall asks for handler Handler to be called on Unit.
type hrCall struct {
	Handler int
	Kind    hrKind
	Unit    any
}

// hrError is a content-handler API misuse that workerd reports as a
// "Parser error".
type hrError string

func (e hrError) Error() string { return string(e) }

// hrEngine rewrites one document. Only one goroutine may use it.
type hrEngine struct {
	specs []hrSpec
	docs  []hrDocSpec

	input  []byte // what has arrived and is not yet rewritten, from off on
	breaks []int  // offsets where one written chunk ended and the next began
	ended  bool   // all input has arrived

	// z reads input from off; it is dropped when it reaches the end of what
	// has arrived, and made again over the rest once more arrives.
	z        *html.Tokenizer
	off      int    // input offset of the next token
	rawTag   string // the element whose raw text the next token may be
	finished bool
	err      error // why rewriting stopped, if it failed

	calls []hrCall // handler calls next still has to hand out
	then  func()   // runs once calls are made

	out      bytes.Buffer
	emitting bool // false while inside an element whose content was removed

	textOpen bool // a captured text node is under way: its last chunk is owed
	codec    *hrCodec
	decoder  hrTextDecoder
	textType hrTextType
	tree     hrTreeBuilder
	guard    hrAmbiguityGuard

	root        *html.Node // parent of top-level elements, for sibling counts
	stack       []*hrOpenElement
	textUsers   []int // per spec: open elements it matched
	removing    int   // open elements whose content is removed
	endTagQueue []*hrEndTagHandler
}

type hrOpenElement struct {
	name           string
	node           *html.Node
	specs          []int
	endHandler     *hrEndTagHandler
	removesContent bool
}

// hrEndTagHandler is what an element's handlers left for its end tag.
type hrEndTagHandler struct {
	name      []byte       // new end tag name, or nil
	mutations *hrMutations // replaces the end tag's own, or nil
	handler   int          // onEndTag handler id, or hrNone
	active    bool         // the element has been closed
}

func newHREngine(specs []hrSpec, docs []hrDocSpec, codec *hrCodec) *hrEngine {
	return &hrEngine{
		specs:     specs,
		docs:      docs,
		codec:     codec,
		decoder:   hrTextDecoder{codec: codec},
		textUsers: make([]int, len(specs)),
		root:      &html.Node{Type: html.DocumentNode},
		tree:      hrTreeBuilder{ns: []string{nsHTML}},
		emitting:  true,
	}
}

// hrStatus is what next found.
type hrStatus uint8

const (
	hrCallReady hrStatus = iota // a handler call to make
	hrNeedInput                 // write more input, or end it
	hrDone                      // the document is rewritten
)

// write adds a chunk of the document.
func (e *hrEngine) write(chunk []byte) {
	if len(chunk) == 0 {
		return
	}
	// What was rewritten is no longer needed; offsets stay absolute.
	if e.z == nil && e.off > 0 {
		e.input = e.input[e.off:]
		kept := e.breaks[:0]
		for _, b := range e.breaks {
			if b > e.off {
				kept = append(kept, b-e.off)
			}
		}
		e.breaks, e.off = kept, 0
	}
	if len(e.input) > 0 || e.off > 0 {
		e.breaks = append(e.breaks, len(e.input))
	}
	e.input = append(e.input, chunk...)
	e.z = nil
}

// end says that all input has arrived.
func (e *hrEngine) end() {
	e.ended = true
	e.z = nil
}

// tokenizer is z, made over the input from off if it was dropped. The
// tokenizer starts in the state of the token boundary at off: reading the
// raw text of rawTag, with CDATA allowed in SVG and MathML.
func (e *hrEngine) tokenizer() *html.Tokenizer {
	if e.z != nil {
		return e.z
	}
	rest := e.input[e.off:]
	var prime string
	if e.rawTag != "" {
		prime = "<" + e.rawTag + ">"
		rest = append([]byte(prime), rest...)
	}
	e.z = html.NewTokenizer(bytes.NewReader(rest))
	if prime != "" {
		e.z.Next() // the start tag that puts it in raw text mode
	}
	e.z.AllowCDATA(e.tree.cdataAllowed())
	return e.z
}

// next runs the engine up to the next handler call and returns it, or
// says that it needs input or is done (err says why it failed). The caller
// makes the call (and waits for it) before asking again.
func (e *hrEngine) next() (hrCall, hrStatus, error) {
	for {
		if e.err != nil {
			return hrCall{}, hrDone, e.err
		}
		if len(e.calls) > 0 {
			c := e.calls[0]
			e.calls = e.calls[1:]
			return c, hrCallReady, nil
		}
		if e.then != nil {
			f := e.then
			e.then = nil
			f()
			continue
		}
		if e.finished {
			return hrCall{}, hrDone, nil
		}
		if !e.advance() {
			return hrCall{}, hrNeedInput, nil
		}
	}
}

// takeOutput returns the output produced since the last call.
func (e *hrEngine) takeOutput() []byte {
	if e.out.Len() == 0 {
		return nil
	}
	b := bytes.Clone(e.out.Bytes())
	e.out.Reset()
	return b
}

// schedule makes next hand out calls and then run after. It is called only
// when nothing is pending.
func (e *hrEngine) schedule(calls []hrCall, after func()) {
	e.calls = calls
	e.then = after
}

func (e *hrEngine) emit(b []byte) {
	if e.emitting {
		e.out.Write(b)
	}
}

// advance reads one token and sets up its handler calls, or reports false
// when the input so far ends before the next token surely does.
func (e *hrEngine) advance() bool {
	if !e.ended && e.off == len(e.input) {
		return false
	}
	z := e.tokenizer()
	tt := z.Next()
	n := len(z.Raw())
	if !e.ended && (tt == html.ErrorToken || e.off+n >= len(e.input)) {
		// A token that reaches the end of the input so far may go on in
		// the next chunk: read it again from its start then. Text up to a
		// point where reading can resume goes now (so a long text arriving
		// in many chunks is not read again and again).
		e.z = nil
		if tt == html.TextToken && !(e.tree.cdataAllowed() && bytes.HasPrefix(e.input[e.off:], []byte("<!["))) {
			if cut := textResumePoint(e.input[e.off:e.off+n], e.textType); cut > 0 {
				start := e.off
				e.off += cut
				e.textRun(e.input[start:e.off], start, e.textType, nil)
				return true
			}
		}
		return false
	}
	if tt == html.ErrorToken {
		// An unfinished tag at the end is passed through as it was.
		e.flushText(func() {
			if e.off < len(e.input) {
				e.emit(e.input[e.off:])
				e.off = len(e.input)
			}
			e.endDocument()
		})
		return true
	}
	start := e.off
	e.off += n
	raw := e.input[start:e.off]
	e.rawTag = ""
	switch tt {
	case html.TextToken:
		e.onText(raw, start)
	case html.CommentToken:
		e.onComment(raw)
	case html.DoctypeToken:
		e.onDoctype(raw)
	case html.StartTagToken, html.SelfClosingTagToken:
		e.onStartTag(raw)
	case html.EndTagToken:
		e.onEndTag(raw)
	}
	return true
}

// passThrough ends any text node and copies raw to the output.
func (e *hrEngine) passThrough(raw []byte, k func()) {
	e.flushText(func() {
		e.emit(raw)
		if k != nil {
			k()
		}
	})
}

func (e *hrEngine) endDocument() {
	unit := &hrDocumentEnd{out: &e.out, codec: e.codec}
	var calls []hrCall
	for _, d := range e.docs {
		if d.end != hrNone {
			calls = append(calls, hrCall{d.end, hrCallEnd, unit})
		}
	}
	e.schedule(calls, func() { e.finished = true })
}

// ---- text ----------------------------------------------------------------

func (e *hrEngine) textCalls(unit *hrText) []hrCall {
	var calls []hrCall
	for i, sp := range e.specs {
		if sp.text != hrNone && e.textUsers[i] > 0 {
			calls = append(calls, hrCall{sp.text, hrCallText, unit})
		}
	}
	for _, d := range e.docs {
		if d.text != hrNone {
			calls = append(calls, hrCall{d.text, hrCallText, unit})
		}
	}
	return calls
}

func (e *hrEngine) capturingText() bool {
	for i, sp := range e.specs {
		if sp.text != hrNone && e.textUsers[i] > 0 {
			return true
		}
	}
	for _, d := range e.docs {
		if d.text != hrNone {
			return true
		}
	}
	return false
}

func (e *hrEngine) onText(raw []byte, start int) {
	if e.tree.cdataAllowed() && bytes.HasPrefix(raw, []byte("<![CDATA[")) {
		// The markers are not text; what is between them is.
		body := raw[len("<![CDATA["):]
		end := []byte(nil)
		if bytes.HasSuffix(body, []byte("]]>")) {
			body, end = body[:len(body)-3], body[len(body)-3:]
		}
		e.passThrough(raw[:len("<![CDATA[")], func() {
			e.textRun(body, start+len("<![CDATA["), textCDATA, func() {
				if end != nil {
					e.passThrough(end, nil)
				}
			})
		})
		return
	}
	e.textRun(raw, start, e.textType, nil)
}

// textRun hands one run of text to the active text handlers, chunk by chunk.
func (e *hrEngine) textRun(raw []byte, start int, tt hrTextType, k func()) {
	if !e.capturingText() {
		e.emit(raw)
		if k != nil {
			k()
		}
		return
	}
	var breaks []int
	for _, b := range e.breaks {
		if b > start && b < start+len(raw) {
			breaks = append(breaks, b-start)
		}
	}
	var chunks []string
	for _, span := range textLexemes(raw, tt, breaks) {
		chunks = append(chunks, e.decoder.decode(raw[span[0]:span[1]])...)
		e.textOpen = true
	}
	e.textChunks(chunks, k)
}

func (e *hrEngine) textChunks(chunks []string, k func()) {
	if len(chunks) == 0 {
		if k != nil {
			k()
		}
		return
	}
	unit := &hrText{text: chunks[0], mut: hrMutations{codec: e.codec}}
	e.schedule(e.textCalls(unit), func() {
		e.writeText(unit)
		e.textChunks(chunks[1:], k)
	})
}

// flushText ends the text node under way with its empty last chunk, then
// runs k.
func (e *hrEngine) flushText(k func()) {
	if !e.textOpen {
		k()
		return
	}
	e.textOpen = false
	unit := &hrText{text: e.decoder.finish(), last: true, mut: hrMutations{codec: e.codec}}
	e.schedule(e.textCalls(unit), func() {
		e.writeText(unit)
		k()
	})
}

func (e *hrEngine) writeText(t *hrText) {
	if e.emitting {
		t.mut.write(&e.out, func() { e.out.Write(e.codec.encode(t.text)) })
	}
}

// ---- comments and doctypes ------------------------------------------------

func (e *hrEngine) onComment(raw []byte) {
	if string(raw) == "</>" { // x/net/html's way of passing this through
		e.passThrough(raw, nil)
		return
	}
	e.flushText(func() {
		var calls []hrCall
		unit := &hrComment{text: commentText(raw), raw: raw, mut: hrMutations{codec: e.codec}}
		for i, sp := range e.specs {
			if sp.comments != hrNone && e.textUsers[i] > 0 {
				calls = append(calls, hrCall{sp.comments, hrCallComments, unit})
			}
		}
		for _, d := range e.docs {
			if d.comments != hrNone {
				calls = append(calls, hrCall{d.comments, hrCallComments, unit})
			}
		}
		if len(calls) == 0 {
			e.emit(raw)
			return
		}
		e.schedule(calls, func() {
			if e.emitting {
				unit.write(&e.out)
			}
		})
	})
}

func (e *hrEngine) onDoctype(raw []byte) {
	e.flushText(func() {
		var calls []hrCall
		var unit *hrDoctype
		for _, d := range e.docs {
			if d.doctype != hrNone {
				if unit == nil {
					unit = newHRDoctype(raw, e.codec)
				}
				calls = append(calls, hrCall{d.doctype, hrCallDoctype, unit})
			}
		}
		e.schedule(calls, func() { e.emit(raw) })
	})
}

// ---- tags ----------------------------------------------------------------

// voidElements never have content (lol-html's list, HTML namespace only).
var voidElements = map[string]bool{
	"area": true, "base": true, "basefont": true, "bgsound": true, "br": true, "col": true,
	"embed": true, "hr": true, "img": true, "input": true, "keygen": true, "link": true,
	"meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// rawTextElements are the start tags after which x/net/html reads raw text.
var rawTextElements = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
}

func (e *hrEngine) onStartTag(raw []byte) {
	name, attrs, selfClosing := parseStartTag(raw)
	lname := strings.ToLower(string(name))
	if err := e.guard.startTag(lname); err != nil {
		e.err = err
		return
	}
	e.flushText(func() {
		e.textType = e.tree.startTag(lname, selfClosing, attrs)
		if rawTextElements[lname] {
			if e.textType == textData {
				e.z.NextIsNotRawText() // in SVG or MathML, <style> holds markup
			} else {
				e.rawTag = lname
			}
		}
		e.z.AllowCDATA(e.tree.cdataAllowed())
		ns := e.tree.current()
		withContent := !(ns == nsHTML && voidElements[lname]) && !(ns != nsHTML && selfClosing)

		var matched []int
		var open *hrOpenElement
		if len(e.specs) > 0 {
			node := &html.Node{Type: html.ElementNode, Data: lname, Attr: matchAttrs(attrs, e.codec)}
			parent := e.root
			if len(e.stack) > 0 {
				parent = e.stack[len(e.stack)-1].node
			}
			parent.AppendChild(node)
			for i, sp := range e.specs {
				if sp.sel.Match(node) {
					matched = append(matched, i)
				}
			}
			if withContent {
				open = &hrOpenElement{name: lname, node: node, specs: matched}
				e.stack = append(e.stack, open)
				for _, i := range matched {
					e.textUsers[i]++
				}
			}
		}
		var calls []hrCall
		var unit *hrElement
		for _, i := range matched {
			if h := e.specs[i].element; h != hrNone {
				if unit == nil {
					unit = &hrElement{raw: raw, name: name, attrs: attrs, ns: ns, codec: e.codec,
						selfClosing: selfClosing, canHaveContent: withContent}
					unit.start.codec = e.codec
					unit.start.removed = e.removing > 0
				}
				calls = append(calls, hrCall{h, hrCallElement, unit})
			}
		}
		if unit == nil {
			e.emit(raw)
			return
		}
		e.schedule(calls, func() {
			if open != nil {
				if unit.removeContent {
					open.removesContent = true
					e.removing++
				}
				if h := unit.endTagHandler(); h != nil {
					open.endHandler = h
					e.endTagQueue = append(e.endTagQueue, h)
				}
			}
			if e.emitting {
				unit.write(&e.out)
			}
			e.emitting = e.removing == 0
		})
	})
}

// matchAttrs are the attributes a selector sees: lower-case names, values
// as written (lol-html matches undecoded values), first of each name.
func matchAttrs(attrs []hrAttr, codec *hrCodec) []html.Attribute {
	out := make([]html.Attribute, 0, len(attrs))
next:
	for _, a := range attrs {
		k := toLowerASCII(codec.decode(a.name))
		for _, seen := range out {
			if seen.Key == k {
				continue next
			}
		}
		out = append(out, html.Attribute{Key: k, Val: codec.decode(a.value)})
	}
	return out
}

func (e *hrEngine) onEndTag(raw []byte) {
	name := endTagName(raw)
	lname := strings.ToLower(string(name))
	e.guard.endTag(lname)
	e.flushText(func() {
		e.tree.endTag(lname)
		e.z.AllowCDATA(e.tree.cdataAllowed())
		e.textType = textData
		e.closeUpTo(lname)
		if !e.emitting && e.removing == 0 {
			e.emitting = true // the end tag of the element whose content went
		}
		var active []*hrEndTagHandler
		kept := e.endTagQueue[:0]
		for i := len(e.endTagQueue) - 1; i >= 0; i-- {
			if h := e.endTagQueue[i]; h.active {
				active = append(active, h)
			}
		}
		for _, h := range e.endTagQueue {
			if !h.active {
				kept = append(kept, h)
			}
		}
		e.endTagQueue = kept
		if len(active) == 0 {
			e.emit(raw)
			e.emitting = e.removing == 0
			return
		}
		unit := &hrEndTag{name: name, raw: raw, mut: hrMutations{codec: e.codec}}
		e.runEndTagHandlers(unit, active, func() {
			if e.emitting {
				unit.write(&e.out)
			}
			e.emitting = e.removing == 0
		})
	})
}

// closeUpTo pops the open elements down to the nearest one named name;
// an end tag with no such element closes nothing.
func (e *hrEngine) closeUpTo(name string) {
	idx := -1
	for i := len(e.stack) - 1; i >= 0; i-- {
		if e.stack[i].name == name {
			idx = i
			break
		}
	}
	if idx < 0 {
		return
	}
	for _, el := range e.stack[idx:] {
		for _, i := range el.specs {
			e.textUsers[i]--
		}
		if el.endHandler != nil {
			el.endHandler.active = true
		}
		if el.removesContent {
			e.removing--
		}
		// Its children are no one's siblings any more.
		el.node.FirstChild, el.node.LastChild = nil, nil
	}
	e.stack = e.stack[:idx]
}

// runEndTagHandlers applies each closed element's end tag work, innermost
// first, as lol-html does: a new name, then its mutations (replacing the
// tag's), then its onEndTag handler.
func (e *hrEngine) runEndTagHandlers(unit *hrEndTag, hs []*hrEndTagHandler, k func()) {
	for len(hs) > 0 {
		h := hs[0]
		hs = hs[1:]
		if h.name != nil {
			unit.name, unit.raw = h.name, nil
		}
		if h.mutations != nil {
			unit.mut = *h.mutations
		}
		if h.handler != hrNone {
			rest := hs
			e.schedule([]hrCall{{h.handler, hrCallEndTag, unit}}, func() { e.runEndTagHandlers(unit, rest, k) })
			return
		}
	}
	k()
}

// ---- namespaces and text types ---------------------------------------------

const (
	nsHTML   = "http://www.w3.org/1999/xhtml"
	nsSVG    = "http://www.w3.org/2000/svg"
	nsMathML = "http://www.w3.org/1998/Math/MathML"
)

// hrTreeBuilder is lol-html's tree builder simulator: just enough of the
// HTML tree builder to know each element's namespace and how the text
// after a start tag is read.
type hrTreeBuilder struct {
	ns []string
}

func (t *hrTreeBuilder) current() string { return t.ns[len(t.ns)-1] }

func (t *hrTreeBuilder) cdataAllowed() bool { return t.current() != nsHTML }

func (t *hrTreeBuilder) enter(ns string) { t.ns = append(t.ns, ns) }

func (t *hrTreeBuilder) leave() {
	if len(t.ns) > 1 {
		t.ns = t.ns[:len(t.ns)-1]
	}
}

var foreignContentExits = map[string]bool{
	"b": true, "big": true, "blockquote": true, "body": true, "br": true, "center": true, "code": true,
	"dd": true, "div": true, "dl": true, "dt": true, "em": true, "embed": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "head": true, "hr": true, "i": true, "img": true,
	"li": true, "listing": true, "menu": true, "meta": true, "nobr": true, "ol": true, "p": true,
	"pre": true, "ruby": true, "s": true, "small": true, "span": true, "strong": true, "strike": true,
	"sub": true, "sup": true, "table": true, "tt": true, "u": true, "ul": true, "var": true,
}

func mathMLTextIntegrationPoint(name string) bool {
	return name == "mi" || name == "mo" || name == "mn" || name == "ms" || name == "mtext"
}

func svgHTMLIntegrationPoint(name string) bool {
	return name == "desc" || name == "title" || name == "foreignobject"
}

// startTag updates the namespace for a start tag and returns how the text
// after it is read.
func (t *hrTreeBuilder) startTag(name string, selfClosing bool, attrs []hrAttr) hrTextType {
	switch {
	case name == "svg":
		t.enter(nsSVG)
	case name == "math":
		t.enter(nsMathML)
	case t.current() != nsHTML:
		t.foreignStartTag(name, selfClosing, attrs)
	default:
		switch name {
		case "textarea", "title":
			return textRCData
		case "plaintext":
			return textPlain
		case "script":
			return textScript
		case "style", "iframe", "xmp", "noembed", "noframes", "noscript":
			return textRawText
		}
	}
	return textData
}

func (t *hrTreeBuilder) foreignStartTag(name string, selfClosing bool, attrs []hrAttr) {
	cur := t.current()
	switch {
	case foreignContentExits[name]:
		t.leave()
	case cur == nsSVG && svgHTMLIntegrationPoint(name) || cur == nsMathML && mathMLTextIntegrationPoint(name):
		if !selfClosing {
			t.enter(nsHTML)
		}
	case name == "font":
		for _, a := range attrs {
			switch strings.ToLower(string(a.name)) {
			case "color", "size", "face":
				t.leave()
				return
			}
		}
	case cur == nsMathML && name == "annotation-xml" && !selfClosing:
		for _, a := range attrs {
			if strings.EqualFold(string(a.name), "encoding") &&
				(strings.EqualFold(string(a.value), "text/html") || strings.EqualFold(string(a.value), "application/xhtml+xml")) {
				t.enter(nsHTML)
				return
			}
		}
	}
}

func (t *hrTreeBuilder) endTag(name string) {
	cur := t.current()
	switch {
	case cur == nsHTML:
		if len(t.ns) < 2 {
			return
		}
		prev := t.ns[len(t.ns)-2]
		if prev == nsMathML && (mathMLTextIntegrationPoint(name) || name == "annotation-xml") ||
			prev == nsSVG && svgHTMLIntegrationPoint(name) {
			t.leave()
		}
	case cur == nsSVG && name == "svg", cur == nsMathML && name == "math":
		t.leave()
	}
}

// hrAmbiguityGuard is lol-html's strict mode, which workerd runs: inside
// <select> (or after <frameset>) a browser may or may not honour a tag that
// starts raw text, so a streaming parser cannot know how to read what
// follows; lol-html stops with an error instead of guessing.
type hrAmbiguityGuard struct {
	state         int
	templateDepth int
}

const (
	guardDefault = iota
	guardInSelect
	guardInTemplateInSelect
	guardInOrAfterFrameset
)

var rawTextStarts = map[string]bool{
	"textarea": true, "title": true, "plaintext": true, "script": true, "style": true,
	"iframe": true, "xmp": true, "noembed": true, "noframes": true, "noscript": true,
}

func ambiguityError(name string) error {
	return hrError("The parser has encountered a text content tag (`<" + name + ">`) in the context where it is " +
		"ambiguous whether this tag should be ignored or not. And, thus, is is unclear is " +
		"consequent content should be parsed as raw text or HTML markup.\n\n" +
		"This error occurs due to the limited capabilities of the streaming parsing. However, " +
		"almost all of the cases of this error are caused by a non-conforming markup (e.g. a " +
		"`<script>` element in `<select>` element).")
}

func (g *hrAmbiguityGuard) startTag(name string) error {
	switch g.state {
	case guardDefault:
		switch name {
		case "select":
			g.state = guardInSelect
		case "frameset":
			g.state = guardInOrAfterFrameset
		}
	case guardInSelect:
		switch {
		case name == "select" || name == "textarea" || name == "input" || name == "keygen":
			g.state = guardDefault
		case name == "template":
			g.state, g.templateDepth = guardInTemplateInSelect, 1
		case name != "script" && rawTextStarts[name]:
			return ambiguityError(name)
		}
	case guardInTemplateInSelect:
		if name == "template" {
			g.templateDepth++
		} else if rawTextStarts[name] {
			return ambiguityError(name)
		}
	case guardInOrAfterFrameset:
		if name != "noframes" && rawTextStarts[name] {
			return ambiguityError(name)
		}
	}
	return nil
}

func (g *hrAmbiguityGuard) endTag(name string) {
	switch {
	case g.state == guardInSelect && name == "select":
		g.state = guardDefault
	case g.state == guardInTemplateInSelect && name == "template":
		g.templateDepth--
		if g.templateDepth == 0 {
			g.state = guardInSelect
		}
	}
}

// ---- rewritable units ---------------------------------------------------------

// hrMutations is the content around (or instead of) one token.
type hrMutations struct {
	before, replacement, after []byte
	removed                    bool
	codec                      *hrCodec
}

func (m *hrMutations) addBefore(s string, isHTML bool) {
	m.before = append(m.before, m.codec.content(s, isHTML)...)
}

// addAfter puts content right after the token, before earlier additions.
func (m *hrMutations) addAfter(s string, isHTML bool) {
	m.after = append(m.codec.content(s, isHTML), m.after...)
}

func (m *hrMutations) replace(s string, isHTML bool) {
	m.replacement = m.codec.content(s, isHTML)
	m.removed = true
}

func (m *hrMutations) write(out *bytes.Buffer, self func()) {
	out.Write(m.before)
	if !m.removed {
		self()
	} else {
		out.Write(m.replacement)
	}
	out.Write(m.after)
}

// hrElement is an element's start tag as its handlers see it.
type hrElement struct {
	raw            []byte // nil once the tag changed
	name           []byte
	attrs          []hrAttr
	ns             string
	codec          *hrCodec
	selfClosing    bool
	canHaveContent bool
	start          hrMutations
	end            *hrMutations // for the end tag, made on first use
	endName        []byte
	endHandler     int
	hasEndHandler  bool
	removeContent  bool
}

func (el *hrElement) tagName() string { return toLowerASCII(el.codec.decode(el.name)) }

func (el *hrElement) setTagName(name string) error {
	if name == "" {
		return hrError("Tag name can't be empty.")
	}
	if !isASCIIAlpha(name[0]) {
		return hrError("The first character of the tag name should be an ASCII alphabetical character.")
	}
	if i := strings.IndexAny(name, " \n\r\t\f/>"); i >= 0 {
		return hrError("`" + name[i:i+1] + "` character is forbidden in the tag name")
	}
	b, ok := el.codec.encodeExact(name)
	if !ok {
		return hrError("The tag name contains a character that can't be represented in the document's character encoding.")
	}
	el.name, el.raw = b, nil
	if el.canHaveContent {
		el.endName = el.name
	}
	return nil
}

func (el *hrElement) attrIndex(name string) int {
	name = toLowerASCII(name)
	for i, a := range el.attrs {
		if toLowerASCII(el.codec.decode(a.name)) == name {
			return i
		}
	}
	return -1
}

func (el *hrElement) getAttribute(name string) (string, bool) {
	if i := el.attrIndex(name); i >= 0 {
		return el.codec.decode(el.attrs[i].value), true
	}
	return "", false
}

func (el *hrElement) setAttribute(name, value string) error {
	if i := el.attrIndex(name); i >= 0 {
		el.attrs[i].value, el.attrs[i].raw = el.codec.encode(value), nil
		el.raw = nil
		return nil
	}
	if name == "" {
		return hrError("Attribute name can't be empty.")
	}
	if i := strings.IndexAny(name, " \n\r\t\f/>="); i >= 0 {
		return hrError("`" + name[i:i+1] + "` character is forbidden in the attribute name")
	}
	b, ok := el.codec.encodeExact(toLowerASCII(name))
	if !ok {
		return hrError("The attribute name contains a character that can't be represented in the document's character encoding.")
	}
	el.attrs = append(el.attrs, hrAttr{name: b, value: el.codec.encode(value)})
	el.raw = nil
	return nil
}

func (el *hrElement) removeAttribute(name string) {
	if i := el.attrIndex(name); i >= 0 {
		el.attrs = append(el.attrs[:i:i], el.attrs[i+1:]...)
		el.raw = nil
	}
}

func (el *hrElement) endMutations() *hrMutations {
	if el.end == nil {
		el.end = &hrMutations{codec: el.codec}
	}
	return el.end
}

func (el *hrElement) dropContent() {
	el.start.after = nil
	el.endMutations().before = nil
	el.removeContent = true
}

func (el *hrElement) before(s string, isHTML bool) { el.start.addBefore(s, isHTML) }

func (el *hrElement) after(s string, isHTML bool) {
	if el.canHaveContent {
		el.endMutations().addAfter(s, isHTML)
	} else {
		el.start.addAfter(s, isHTML)
	}
}

func (el *hrElement) prepend(s string, isHTML bool) {
	if el.canHaveContent {
		el.start.addAfter(s, isHTML)
	}
}

func (el *hrElement) append(s string, isHTML bool) {
	if el.canHaveContent {
		el.endMutations().addBefore(s, isHTML)
	}
}

func (el *hrElement) setInnerContent(s string, isHTML bool) {
	if el.canHaveContent {
		el.dropContent()
		el.start.addAfter(s, isHTML)
	}
}

func (el *hrElement) replace(s string, isHTML bool) {
	el.start.replace(s, isHTML)
	if el.canHaveContent {
		el.dropContent()
		el.endMutations().removed = true
	}
}

func (el *hrElement) remove(keepContent bool) {
	el.start.removed = true
	if el.canHaveContent {
		if !keepContent {
			el.dropContent()
		}
		el.endMutations().removed = true
	}
}

func (el *hrElement) onEndTag(handler int) error {
	if !el.canHaveContent {
		return hrError("No end tag.")
	}
	el.endHandler, el.hasEndHandler = handler, true
	return nil
}

// endTagHandler is what the end tag must do, or nil if nothing.
func (el *hrElement) endTagHandler() *hrEndTagHandler {
	if el.end == nil && el.endName == nil && !el.hasEndHandler {
		return nil
	}
	h := &hrEndTagHandler{name: el.endName, mutations: el.end, handler: hrNone}
	if el.hasEndHandler {
		h.handler = el.endHandler
	}
	return h
}

func (el *hrElement) write(out *bytes.Buffer) {
	el.start.write(out, func() {
		if el.raw != nil {
			out.Write(el.raw)
			return
		}
		out.WriteByte('<')
		out.Write(el.name)
		for _, a := range el.attrs {
			out.WriteByte(' ')
			if a.raw != nil {
				out.Write(a.raw)
				continue
			}
			out.Write(a.name)
			out.WriteString(`="`)
			out.Write(bytes.ReplaceAll(a.value, []byte(`"`), []byte("&quot;")))
			out.WriteByte('"')
		}
		if el.selfClosing {
			if len(el.attrs) > 0 {
				out.WriteByte(' ') // so an unquoted value does not swallow the '/'
			}
			out.WriteString("/>")
		} else {
			out.WriteByte('>')
		}
	})
}

// hrEndTag is an end tag as onEndTag handlers see it.
type hrEndTag struct {
	name []byte
	raw  []byte // nil once renamed
	mut  hrMutations
}

func (t *hrEndTag) write(out *bytes.Buffer) {
	t.mut.write(out, func() {
		if t.raw != nil {
			out.Write(t.raw)
			return
		}
		out.WriteString("</")
		out.Write(t.name)
		out.WriteByte('>')
	})
}

// hrText is one chunk of a text node.
type hrText struct {
	text string
	last bool
	mut  hrMutations
}

// hrComment is a comment.
type hrComment struct {
	text []byte
	raw  []byte // nil once the text changed
	mut  hrMutations
}

func (c *hrComment) setText(s string) error {
	if strings.Contains(s, "-->") {
		return hrError("Comment text shouldn't contain comment closing sequence (`-->`).")
	}
	b, ok := c.mut.codec.encodeExact(s)
	if !ok {
		return hrError("Comment text contains a character that can't be represented in the document's character encoding.")
	}
	c.text, c.raw = b, nil
	return nil
}

func (c *hrComment) write(out *bytes.Buffer) {
	c.mut.write(out, func() {
		if c.raw != nil {
			out.Write(c.raw)
			return
		}
		out.WriteString("<!--")
		out.Write(c.text)
		out.WriteString("-->")
	})
}

// hrDoctype is a doctype; handlers can only read it.
type hrDoctype struct {
	name, publicID, systemID          string
	hasName, hasPublicID, hasSystemID bool
}

func newHRDoctype(raw []byte, codec *hrCodec) *hrDoctype {
	n, p, s, hn, hp, hs := parseDoctype(raw)
	return &hrDoctype{
		name: toLowerASCII(codec.decode(n)), publicID: codec.decode(p), systemID: codec.decode(s),
		hasName: hn, hasPublicID: hp, hasSystemID: hs,
	}
}

// hrDocumentEnd is the end of the document; content appended there is
// written at once.
type hrDocumentEnd struct {
	out   *bytes.Buffer
	codec *hrCodec
}

func (d *hrDocumentEnd) append(s string, isHTML bool) { d.out.Write(d.codec.content(s, isHTML)) }
