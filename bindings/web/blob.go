package web

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"

	"github.com/dop251/goja"
)

var blobModule = &jsModule{file: "blob.js"}

func (g *Globals) blobExports() *goja.Object {
	return g.module(blobModule, func() *goja.Object {
		n := g.vm.NewObject()
		_ = n.Set("multipartEncode", g.multipartEncode)
		_ = n.Set("multipartDecode", g.multipartDecode)
		return n
	})
}

func (g *Globals) buildBlob() []goja.Value {
	return exports(g.blobExports(), "Blob", "File", "FormData")
}

// multipartEncode([[name, filename|null, type|null, bytes], ...]) returns
// [body, "multipart/form-data; boundary=..."].
func (g *Globals) multipartEncode(c goja.FunctionCall) goja.Value {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	g.vm.ForOf(c.Argument(0), func(part goja.Value) bool {
		p := part.ToObject(g.vm)
		name := p.Get("0").String()
		data, _ := g.bufferSource(p.Get("3"))
		h := textproto.MIMEHeader{}
		if fn := p.Get("1"); goja.IsNull(fn) {
			h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": name}))
		} else {
			h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": name, "filename": fn.String()}))
			h.Set("Content-Type", p.Get("2").String())
		}
		pw, _ := w.CreatePart(h)
		_, _ = pw.Write(data)
		return true
	})
	_ = w.Close()
	return g.vm.NewArray(g.newUint8Array(buf.Bytes()), w.FormDataContentType())
}

// multipartDecode(bytes, contentType) returns [[name, filename|null, type, bytes], ...].
func (g *Globals) multipartDecode(c goja.FunctionCall) goja.Value {
	body, _ := g.bufferSource(c.Argument(0))
	_, params, err := mime.ParseMediaType(c.Argument(1).String())
	if err != nil || params["boundary"] == "" {
		g.throwTypeError("formData(): the multipart Content-Type has no boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var out []any
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			g.throwTypeError("formData(): malformed multipart body: %v", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			g.throwTypeError("formData(): malformed multipart body: %v", err)
		}
		var filename goja.Value = goja.Null()
		if _, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil {
			if fn, ok := dp["filename"]; ok {
				filename = g.vm.ToValue(fn)
			}
		}
		out = append(out, g.vm.NewArray(p.FormName(), filename, p.Header.Get("Content-Type"), g.newUint8Array(data)))
	}
	return g.vm.NewArray(out...)
}
