package web

import (
	"strconv"

	"github.com/dop251/goja"
)

// HTMLRewriter, workerd's streaming HTML rewriter, in four files:
//
//   - js/htmlrewriter.js: the classes a user sees (HTMLRewriter, Element,
//     Text, ...) and the loop that feeds the body in and makes the handler
//     calls one at a time, so handlers may return promises;
//   - htmlrewriter.go (this file): the natives that JS calls;
//   - htmlrewriter_engine.go: tokenizing (x/net/html), matching, mutations
//     and output, by lol-html's rules;
//   - htmlrewriter_lex.go and htmlrewriter_selector.go: the byte-level
//     details of lol-html (text chunking, raw attributes, comments,
//     doctypes) and of its selectors (screened, then compiled by cascadia).

var htmlRewriterModule = &jsModule{file: "htmlrewriter.js"}

func (g *Globals) buildHTMLRewriter() []goja.Value {
	return exports(g.htmlRewriterExports(), "HTMLRewriter")
}

func (g *Globals) htmlRewriterExports() *goja.Object {
	return g.module(htmlRewriterModule, func() *goja.Object {
		n := g.vm.NewObject()
		for _, name := range []string{"Response", "Headers", "ReadableStream"} {
			_ = n.Set(name, g.global(name))
		}
		set := func(name string, fn func(goja.FunctionCall) goja.Value) { _ = n.Set(name, fn) }
		set("compile", g.hrCompile)
		set("newRun", g.hrNewRun)
		set("write", func(c goja.FunctionCall) goja.Value {
			b, ok := g.bufferSource(c.Argument(1))
			if !ok {
				g.throwTypeError("This TransformStream is being used as a byte stream, but received a value that is not a BufferSource.")
			}
			hrArg[*hrEngine](g, c, 0).write(b)
			return goja.Undefined()
		})
		set("end", func(c goja.FunctionCall) goja.Value {
			hrArg[*hrEngine](g, c, 0).end()
			return goja.Undefined()
		})
		// next: [handlerId, kind, unit] for a call to make, false when the
		// engine needs input, null when it is done.
		set("next", func(c goja.FunctionCall) goja.Value {
			call, status, err := hrArg[*hrEngine](g, c, 0).next()
			switch {
			case err != nil:
				g.throwParserError(err)
			case status == hrNeedInput:
				return g.vm.ToValue(false)
			case status == hrDone:
				return goja.Null()
			}
			return g.vm.NewArray(call.Handler, int(call.Kind), call.Unit)
		})
		set("output", func(c goja.FunctionCall) goja.Value {
			b := hrArg[*hrEngine](g, c, 0).takeOutput()
			if b == nil {
				return goja.Null()
			}
			return g.newUint8Array(b)
		})
		g.hrUnitNatives(set)
		return n
	})
}

// hrArg is argument i as the Go value T it wraps.
func hrArg[T any](g *Globals, c goja.FunctionCall, i int) T {
	v, ok := c.Argument(i).Export().(T)
	if !ok {
		g.throwTypeError("Illegal invocation")
	}
	return v
}

// throwParserError throws err as workerd does: TypeError "Parser error: ...".
func (g *Globals) throwParserError(err error) {
	g.throwTypeError("Parser error: %s", err.Error())
}

func (g *Globals) hrCompile(c goja.FunctionCall) goja.Value {
	sel, err := compileSelector(c.Argument(0).String())
	if err != nil {
		g.throwParserError(err)
	}
	return g.vm.ToValue(sel)
}

// hrNewRun(specs, docs, contentType): specs are [selector, elementId,
// commentsId, textId] and docs [doctypeId, commentsId, textId, endId], ids
// being -1 for no handler; contentType's charset is the document's.
func (g *Globals) hrNewRun(c goja.FunctionCall) goja.Value {
	ids := func(v goja.Value, from, n int) []int {
		o := v.ToObject(g.vm)
		out := make([]int, n)
		for i := range out {
			out[i] = int(o.Get(strconv.Itoa(from + i)).ToInteger())
		}
		return out
	}
	var specs []hrSpec
	g.vm.ForOf(c.Argument(0), func(v goja.Value) bool {
		sel, ok := v.ToObject(g.vm).Get("0").Export().(*hrSelector)
		if !ok {
			g.throwTypeError("Illegal invocation")
		}
		h := ids(v, 1, 3)
		specs = append(specs, hrSpec{sel: sel, element: h[0], comments: h[1], text: h[2]})
		return true
	})
	var docs []hrDocSpec
	g.vm.ForOf(c.Argument(1), func(v goja.Value) bool {
		h := ids(v, 0, 4)
		docs = append(docs, hrDocSpec{doctype: h[0], comments: h[1], text: h[2], end: h[3]})
		return true
	})
	codec, err := newHRCodec(c.Argument(2).String())
	if err != nil {
		g.throwParserError(err)
	}
	return g.vm.ToValue(newHREngine(specs, docs, codec))
}

// Mutation operations, as numbered in htmlrewriter.js.
const (
	hrBefore = iota
	hrAfter
	hrPrepend
	hrAppend
	hrReplace
	hrSetInnerContent
)

// hrUnitNatives are the operations of the objects handlers receive.
func (g *Globals) hrUnitNatives(set func(string, func(goja.FunctionCall) goja.Value)) {
	str := func(s string) goja.Value { return g.vm.ToValue(s) }
	element := func(c goja.FunctionCall) *hrElement { return hrArg[*hrElement](g, c, 0) }
	check := func(err error) {
		if err != nil {
			g.throwParserError(err)
		}
	}

	set("tagName", func(c goja.FunctionCall) goja.Value { return str(element(c).tagName()) })
	set("setTagName", func(c goja.FunctionCall) goja.Value {
		check(element(c).setTagName(c.Argument(1).String()))
		return goja.Undefined()
	})
	set("attributes", func(c goja.FunctionCall) goja.Value {
		el := element(c)
		pairs := make([]any, len(el.attrs))
		for i, a := range el.attrs {
			pairs[i] = g.vm.NewArray(toLowerASCII(el.codec.decode(a.name)), el.codec.decode(a.value))
		}
		return g.vm.NewArray(pairs...)
	})
	set("getAttribute", func(c goja.FunctionCall) goja.Value {
		v, ok := element(c).getAttribute(c.Argument(1).String())
		if !ok {
			return goja.Null()
		}
		return str(v)
	})
	set("hasAttribute", func(c goja.FunctionCall) goja.Value {
		_, ok := element(c).getAttribute(c.Argument(1).String())
		return g.vm.ToValue(ok)
	})
	set("setAttribute", func(c goja.FunctionCall) goja.Value {
		check(element(c).setAttribute(c.Argument(1).String(), c.Argument(2).String()))
		return goja.Undefined()
	})
	set("removeAttribute", func(c goja.FunctionCall) goja.Value {
		element(c).removeAttribute(c.Argument(1).String())
		return goja.Undefined()
	})
	set("elementInfo", func(c goja.FunctionCall) goja.Value {
		el := element(c)
		return g.vm.NewArray(el.ns, el.selfClosing, el.canHaveContent)
	})
	set("onEndTag", func(c goja.FunctionCall) goja.Value {
		check(element(c).onEndTag(int(c.Argument(1).ToInteger())))
		return goja.Undefined()
	})
	set("mutate", func(c goja.FunctionCall) goja.Value {
		op, s, isHTML := int(c.Argument(1).ToInteger()), c.Argument(2).String(), c.Argument(3).ToBoolean()
		switch u := c.Argument(0).Export().(type) {
		case *hrElement:
			switch op {
			case hrBefore:
				u.before(s, isHTML)
			case hrAfter:
				u.after(s, isHTML)
			case hrPrepend:
				u.prepend(s, isHTML)
			case hrAppend:
				u.append(s, isHTML)
			case hrReplace:
				u.replace(s, isHTML)
			case hrSetInnerContent:
				u.setInnerContent(s, isHTML)
			}
		case *hrDocumentEnd:
			u.append(s, isHTML)
		default:
			m := g.hrMutations(c.Argument(0))
			switch op {
			case hrBefore:
				m.addBefore(s, isHTML)
			case hrAfter:
				m.addAfter(s, isHTML)
			case hrReplace:
				m.replace(s, isHTML)
			}
		}
		return goja.Undefined()
	})
	set("remove", func(c goja.FunctionCall) goja.Value {
		if el, ok := c.Argument(0).Export().(*hrElement); ok {
			el.remove(c.Argument(1).ToBoolean())
		} else {
			g.hrMutations(c.Argument(0)).removed = true
		}
		return goja.Undefined()
	})
	set("removed", func(c goja.FunctionCall) goja.Value {
		if el, ok := c.Argument(0).Export().(*hrElement); ok {
			return g.vm.ToValue(el.start.removed)
		}
		return g.vm.ToValue(g.hrMutations(c.Argument(0)).removed)
	})
	set("endTagName", func(c goja.FunctionCall) goja.Value {
		t := hrArg[*hrEndTag](g, c, 0)
		return str(toLowerASCII(t.mut.codec.decode(t.name)))
	})
	set("setEndTagName", func(c goja.FunctionCall) goja.Value {
		t := hrArg[*hrEndTag](g, c, 0)
		t.name, t.raw = t.mut.codec.encode(c.Argument(1).String()), nil
		return goja.Undefined()
	})
	set("text", func(c goja.FunctionCall) goja.Value {
		switch u := c.Argument(0).Export().(type) {
		case *hrText:
			return str(u.text)
		case *hrComment:
			return str(u.mut.codec.decode(u.text))
		}
		g.throwTypeError("Illegal invocation")
		return nil
	})
	set("lastInTextNode", func(c goja.FunctionCall) goja.Value {
		return g.vm.ToValue(hrArg[*hrText](g, c, 0).last)
	})
	set("setCommentText", func(c goja.FunctionCall) goja.Value {
		check(hrArg[*hrComment](g, c, 0).setText(c.Argument(1).String()))
		return goja.Undefined()
	})
	set("doctype", func(c goja.FunctionCall) goja.Value {
		d := hrArg[*hrDoctype](g, c, 0)
		opt := func(s string, ok bool) goja.Value {
			if !ok {
				return goja.Null()
			}
			return str(s)
		}
		return g.vm.NewArray(opt(d.name, d.hasName), opt(d.publicID, d.hasPublicID), opt(d.systemID, d.hasSystemID))
	})
}

// hrMutations is the mutation set of a text chunk, comment or end tag.
func (g *Globals) hrMutations(v goja.Value) *hrMutations {
	switch u := v.Export().(type) {
	case *hrText:
		return &u.mut
	case *hrComment:
		return &u.mut
	case *hrEndTag:
		return &u.mut
	}
	g.throwTypeError("Illegal invocation")
	return nil
}

func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
