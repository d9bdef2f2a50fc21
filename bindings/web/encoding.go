package web

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

var encodingModule = &jsModule{file: "encoding.js"}

func (g *Globals) buildEncoding() []goja.Value {
	exp := g.module(encodingModule, func() *goja.Object {
		n := g.vm.NewObject()
		_ = n.Set("encode", func(c goja.FunctionCall) goja.Value {
			return g.newUint8Array([]byte(c.Argument(0).String()))
		})
		_ = n.Set("encodeInto", func(c goja.FunctionCall) goja.Value {
			dst, _ := g.bufferSource(c.Argument(1))
			read, written := encodeInto(c.Argument(0).String(), dst)
			return g.vm.NewArray(read, written)
		})
		_ = n.Set("decoder", func(c goja.FunctionCall) goja.Value {
			d, err := newTextDecoder(c.Argument(0).String(), c.Argument(1).ToBoolean(), c.Argument(2).ToBoolean())
			if err != nil {
				g.throwError("RangeError", "TextDecoder: the %q encoding is not supported", c.Argument(0).String())
			}
			return g.vm.NewArray(d, d.name)
		})
		_ = n.Set("decode", func(c goja.FunctionCall) goja.Value {
			d, ok := c.Argument(0).Export().(*textDecoder)
			if !ok {
				g.throwTypeError("Illegal invocation")
			}
			var in []byte
			if a := c.Argument(1); !goja.IsUndefined(a) && !goja.IsNull(a) {
				var ok bool
				if in, ok = g.bufferSource(a); !ok {
					g.throwTypeError("TextDecoder.decode: the input must be an ArrayBuffer or ArrayBufferView")
				}
			}
			s, err := d.decode(in, c.Argument(2).ToBoolean())
			if err != nil {
				g.throwTypeError("%s", err.Error())
			}
			return g.vm.ToValue(s)
		})
		return n
	})
	return exports(exp, "TextEncoder", "TextDecoder")
}

// encodeInto writes the UTF-8 form of s into dst as far as whole characters
// fit. read counts UTF-16 code units of s, as the spec requires; lone
// surrogates arrive here already replaced by U+FFFD and count as one unit.
func encodeInto(s string, dst []byte) (read, written int) {
	for _, r := range s {
		n := utf8.RuneLen(r)
		if n < 0 {
			r, n = utf8.RuneError, 3
		}
		if written+n > len(dst) {
			break
		}
		utf8.EncodeRune(dst[written:], r)
		written += n
		read++
		if r >= 0x10000 {
			read++
		}
	}
	return read, written
}

// textDecoder is the Go state behind one TextDecoder.
type textDecoder struct {
	name      string
	fatal     bool
	ignoreBOM bool
	bomDone   bool // the start of the stream has been seen

	utf8 utf8State
	// other encodings go through x/text; pending holds bytes it could not
	// decode yet because they end mid-character.
	other   encoding.Encoding
	xdec    *encoding.Decoder
	pending []byte
}

var errUnknownEncoding = errors.New("unknown encoding")

func newTextDecoder(label string, fatal, ignoreBOM bool) (*textDecoder, error) {
	enc, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil {
		return nil, errUnknownEncoding
	}
	name, _ := htmlindex.Name(enc)
	d := &textDecoder{name: name, fatal: fatal, ignoreBOM: ignoreBOM}
	if name != "utf-8" {
		if name == "replacement" {
			return nil, errUnknownEncoding
		}
		d.other = enc
		d.xdec = enc.NewDecoder()
	}
	return d, nil
}

func (d *textDecoder) decode(in []byte, stream bool) (string, error) {
	var out string
	if d.other != nil {
		out = d.decodeOther(in, stream)
	} else {
		var err error
		out, err = d.utf8.decode(in, !stream, d.fatal)
		if err != nil {
			d.utf8 = utf8State{}
			d.bomDone = false
			return "", err
		}
	}
	if !d.bomDone && out != "" {
		d.bomDone = true
		if !d.ignoreBOM {
			out = strings.TrimPrefix(out, "\uFEFF")
		}
	}
	if !stream {
		d.bomDone = false
	}
	return out, nil
}

func (d *textDecoder) decodeOther(in []byte, stream bool) string {
	src := append(d.pending, in...)
	d.pending = nil
	var b strings.Builder
	dst := make([]byte, 4*len(src)+16)
	for {
		nDst, nSrc, err := d.xdec.Transform(dst, src, !stream)
		b.Write(dst[:nDst])
		src = src[nSrc:]
		if err == transform.ErrShortDst {
			continue
		}
		if err == transform.ErrShortSrc && stream {
			d.pending = append([]byte(nil), src...)
		}
		break
	}
	if !stream {
		d.xdec.Reset()
	}
	return b.String()
}

// utf8State is the WHATWG UTF-8 decoder: each maximal invalid subpart
// becomes one U+FFFD (Go's utf8 package would emit one per byte), and a
// character split across stream chunks is carried over.
type utf8State struct {
	cp           rune
	seen, needed int
	lower, upper byte
}

var errInvalidUTF8 = errors.New("The encoded data was not valid for encoding utf-8")

func (s *utf8State) decode(in []byte, flush, fatal bool) (string, error) {
	if s.needed == 0 && utf8.Valid(in) {
		return string(in), nil
	}
	if s.lower == 0 {
		s.lower, s.upper = 0x80, 0xBF
	}
	out := make([]byte, 0, len(in)+8)
	for i := 0; i < len(in); i++ {
		b := in[i]
		if s.needed == 0 {
			switch {
			case b <= 0x7F:
				out = append(out, b)
			case b >= 0xC2 && b <= 0xDF:
				s.needed, s.cp = 1, rune(b&0x1F)
			case b >= 0xE0 && b <= 0xEF:
				if b == 0xE0 {
					s.lower = 0xA0
				} else if b == 0xED {
					s.upper = 0x9F
				}
				s.needed, s.cp = 2, rune(b&0xF)
			case b >= 0xF0 && b <= 0xF4:
				if b == 0xF0 {
					s.lower = 0x90
				} else if b == 0xF4 {
					s.upper = 0x8F
				}
				s.needed, s.cp = 3, rune(b&0x7)
			default:
				if fatal {
					return "", errInvalidUTF8
				}
				out = utf8.AppendRune(out, utf8.RuneError)
			}
			continue
		}
		if b < s.lower || b > s.upper {
			s.cp, s.needed, s.seen = 0, 0, 0
			s.lower, s.upper = 0x80, 0xBF
			if fatal {
				return "", errInvalidUTF8
			}
			out = utf8.AppendRune(out, utf8.RuneError)
			i-- // the byte starts over as the first of a new sequence
			continue
		}
		s.lower, s.upper = 0x80, 0xBF
		s.cp = s.cp<<6 | rune(b&0x3F)
		s.seen++
		if s.seen == s.needed {
			out = utf8.AppendRune(out, s.cp)
			s.cp, s.needed, s.seen = 0, 0, 0
		}
	}
	if flush && s.needed != 0 {
		s.cp, s.needed, s.seen = 0, 0, 0
		s.lower, s.upper = 0x80, 0xBF
		if fatal {
			return "", errInvalidUTF8
		}
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return string(out), nil
}

// decodeUTF8NoBOM decodes with replacement and keeps a leading BOM.
func decodeUTF8NoBOM(b []byte) string {
	var s utf8State
	out, _ := s.decode(b, true, false)
	return out
}

// decodeUTF8 is the body-reading decode (Response.text()): UTF-8 with
// replacement and a leading BOM dropped.
func decodeUTF8(b []byte) string {
	var s utf8State
	out, _ := s.decode(b, true, false)
	return strings.TrimPrefix(out, "\uFEFF")
}

func (g *Globals) buildBase64() []goja.Value {
	atob := func(c goja.FunctionCall) goja.Value {
		if len(c.Arguments) == 0 {
			g.throwTypeError("atob: one argument required")
		}
		b, ok := forgivingBase64Decode(c.Argument(0).String())
		if !ok {
			panic(g.newDOMException("The string to be decoded is not correctly encoded.", "InvalidCharacterError"))
		}
		return g.vm.ToValue(latin1String(b))
	}
	btoa := func(c goja.FunctionCall) goja.Value {
		if len(c.Arguments) == 0 {
			g.throwTypeError("btoa: one argument required")
		}
		s := c.Argument(0).String()
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xFF {
				panic(g.newDOMException("The string to be encoded contains characters outside of the Latin1 range.", "InvalidCharacterError"))
			}
			b = append(b, byte(r))
		}
		return g.vm.ToValue(base64.StdEncoding.EncodeToString(b))
	}
	return []goja.Value{g.vm.ToValue(atob), g.vm.ToValue(btoa)}
}

// forgivingBase64Decode implements the HTML "forgiving-base64 decode".
func forgivingBase64Decode(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\f', '\r':
			return -1
		}
		return r
	}, s)
	if len(s)%4 == 0 {
		s = strings.TrimSuffix(s, "=")
		s = strings.TrimSuffix(s, "=")
	}
	if len(s)%4 == 1 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// latin1String maps each byte to the character with that code.
func latin1String(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
