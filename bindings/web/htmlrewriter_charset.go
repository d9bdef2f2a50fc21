package web

import (
	"bytes"
	"errors"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// hrCodec is the character encoding of a rewritten document, from the
// charset of its Content-Type as workerd takes it (UTF-8 when none):
// handlers see decoded text, and what they insert is encoded back, with
// numeric character references for what the encoding cannot hold (as
// lol-html does).
type hrCodec struct {
	enc encoding.Encoding // nil for UTF-8
}

// newHRCodec picks the codec for a Content-Type value. lol-html reads only
// encodings that keep ASCII as ASCII.
func newHRCodec(contentType string) (*hrCodec, error) {
	_, params, err := mime.ParseMediaType(contentType)
	label := strings.TrimSpace(params["charset"])
	if err != nil || label == "" {
		return &hrCodec{}, nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, hrError("Unknown character encoding has been provided.")
	}
	switch name, _ := htmlindex.Name(enc); name {
	case "utf-8":
		return &hrCodec{}, nil
	case "utf-16be", "utf-16le", "iso-2022-jp", "replacement":
		return nil, hrError("Expected ASCII-compatible encoding.")
	}
	return &hrCodec{enc: enc}, nil
}

func (c *hrCodec) isUTF8() bool { return c == nil || c.enc == nil }

// decode is b as text; bytes the encoding has no character for become
// U+FFFD.
func (c *hrCodec) decode(b []byte) string {
	if c.isUTF8() {
		return string(b)
	}
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil {
		return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
	}
	return string(out)
}

// encode is s in the document's encoding, a character it cannot hold
// written as a numeric character reference.
func (c *hrCodec) encode(s string) []byte {
	if c.isUTF8() {
		return []byte(s)
	}
	out, err := encoding.HTMLEscapeUnsupported(c.enc.NewEncoder()).Bytes([]byte(s))
	if err != nil {
		return []byte(s)
	}
	return out
}

// encodeExact is s in the document's encoding, or false if some character
// of s has no place in it (names cannot hold character references).
func (c *hrCodec) encodeExact(s string) ([]byte, bool) {
	if c.isUTF8() {
		return []byte(s), true
	}
	out, err := c.enc.NewEncoder().Bytes([]byte(s))
	return out, err == nil
}

// content is inserted content as written: encoded, then escaped unless it
// is HTML (so a character reference made for an unencodable character is
// escaped too, as lol-html writes it).
func (c *hrCodec) content(s string, isHTML bool) []byte {
	b := c.encode(s)
	if isHTML {
		return b
	}
	var out bytes.Buffer
	for _, ch := range b {
		switch ch {
		case '<':
			out.WriteString("&lt;")
		case '>':
			out.WriteString("&gt;")
		case '&':
			out.WriteString("&amp;")
		default:
			out.WriteByte(ch)
		}
	}
	return out.Bytes()
}

// hrTextDecoder turns text lexemes into the strings lol-html hands to text
// handlers: bytes of a character cut by a chunk end wait for the next
// lexeme, bytes that are no character become U+FFFD, and no string exceeds
// textChunkMax bytes of UTF-8.
type hrTextDecoder struct {
	codec *hrCodec
	carry []byte
	dec   transform.Transformer
}

// decode returns the chunks for the next lexeme.
func (d *hrTextDecoder) decode(piece []byte) []string {
	b := piece
	if len(d.carry) > 0 {
		b = append(d.carry, piece...)
		d.carry = nil
	}
	if d.codec.isUTF8() {
		keep := incompleteTail(b)
		if keep > 0 {
			d.carry = append([]byte(nil), b[len(b)-keep:]...)
			b = b[:len(b)-keep]
		}
		return splitChunks(string(bytes.ToValidUTF8(b, []byte("\uFFFD"))))
	}
	if d.dec == nil {
		d.dec = d.codec.enc.NewDecoder()
	}
	out, rest := d.transform(b, false)
	d.carry = append([]byte(nil), rest...)
	return splitChunks(string(out))
}

// transform decodes b, returning what is left over: the start of a
// character that the next bytes may complete.
func (d *hrTextDecoder) transform(b []byte, atEOF bool) (out, rest []byte) {
	dst := make([]byte, 3*len(b)+16)
	for {
		nDst, nSrc, err := d.dec.Transform(dst[len(out):cap(dst)], b, atEOF)
		out = dst[:len(out)+nDst]
		b = b[nSrc:]
		switch {
		case errors.Is(err, transform.ErrShortDst):
			grown := make([]byte, len(out), 2*cap(dst))
			copy(grown, out)
			dst = grown
		case err == nil || errors.Is(err, transform.ErrShortSrc):
			return out, b
		default:
			return out, nil
		}
	}
}

// finish returns what a text node's last chunk holds: U+FFFD if it ended
// inside a character, else nothing.
func (d *hrTextDecoder) finish() string {
	if len(d.carry) == 0 {
		return ""
	}
	carry := d.carry
	d.carry = nil
	if d.codec.isUTF8() {
		return "\uFFFD"
	}
	out, _ := d.transform(carry, true)
	if len(out) == 0 || !utf8.Valid(out) {
		return "\uFFFD"
	}
	return string(out)
}
