package web

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dop251/goja"
)

var (
	// streamsPolyfill is web-streams-polyfill (MIT, vendored unmodified
	// under js/vendor): spec-heavy code better taken from a kept library.
	streamsPolyfill = &jsModule{file: "vendor/web-streams-polyfill/ponyfill.js", cjs: true}
	streamsModule   = &jsModule{file: "streams.js"}
)

// streamClassNames are the polyfill's globals, in workerd's set.
var streamClassNames = []string{
	"ReadableStream", "WritableStream", "TransformStream",
	"ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableStreamDefaultController",
	"ReadableByteStreamController", "ReadableStreamBYOBRequest", "WritableStreamDefaultWriter",
	"WritableStreamDefaultController", "TransformStreamDefaultController",
	"ByteLengthQueuingStrategy", "CountQueuingStrategy",
}

func (g *Globals) buildStreamClasses() []goja.Value {
	return exports(g.module(streamsPolyfill, nil), streamClassNames...)
}

func (g *Globals) streamsExports() *goja.Object {
	return g.module(streamsModule, func() *goja.Object {
		n := g.vm.NewObject()
		_ = n.Set("ps", g.module(streamsPolyfill, nil))
		_ = n.Set("TextDecoder", g.global("TextDecoder"))
		_ = n.Set("encode", func(c goja.FunctionCall) goja.Value {
			return g.newUint8Array([]byte(c.Argument(0).String()))
		})
		_ = n.Set("pull", g.pullGoBody)
		_ = n.Set("cancel", func(c goja.FunctionCall) goja.Value {
			if b, ok := c.Argument(0).Export().(*goBody); ok {
				b.close()
			}
			return goja.Undefined()
		})
		_ = n.Set("codecNew", func(c goja.FunctionCall) goja.Value {
			return g.vm.ToValue(newCodec(c.Argument(0).String(), c.Argument(1).ToBoolean()))
		})
		_ = n.Set("codecWrite", func(c goja.FunctionCall) goja.Value {
			cd, ok := c.Argument(0).Export().(*codec)
			if !ok {
				g.throwTypeError("Illegal invocation")
			}
			in, _ := g.bufferSource(c.Argument(1))
			out, err := cd.write(in, c.Argument(2).ToBoolean())
			if err != nil {
				g.throwTypeError("%s", err.Error())
			}
			return g.newUint8Array(out)
		})
		return n
	})
}

func (g *Globals) buildStreamHelpers() []goja.Value {
	return exports(g.streamsExports(), "TextEncoderStream", "TextDecoderStream", "CompressionStream", "DecompressionStream")
}

// bodyNatives gives fetch.js the stream operations Body needs.
func (g *Globals) bodyNatives(n *goja.Object) {
	_ = n.Set("bytesToStream", func(c goja.FunctionCall) goja.Value {
		return g.callStreams("bytesToStream", c.Argument(0))
	})
	_ = n.Set("readAllStream", func(c goja.FunctionCall) goja.Value {
		return g.callStreams("readAll", c.Argument(0))
	})
	_ = n.Set("isReadableStream", func(c goja.FunctionCall) goja.Value {
		ps, loaded := g.modules[streamsPolyfill]
		o, isObj := c.Argument(0).(*goja.Object)
		if !loaded || !isObj {
			// No stream can exist before the polyfill is loaded.
			return g.vm.ToValue(false)
		}
		return g.vm.ToValue(g.vm.InstanceOf(o, ps.Get("ReadableStream").ToObject(g.vm)))
	})
	_ = n.Set("goStream", func(c goja.FunctionCall) goja.Value {
		return g.callStreams("goStream", c.Argument(0))
	})
}

func (g *Globals) callStreams(name string, args ...goja.Value) goja.Value {
	fn, ok := goja.AssertFunction(g.streamsExports().Get(name))
	if !ok {
		panic("web: streams.js has no " + name)
	}
	v, err := fn(goja.Undefined(), args...)
	if err != nil {
		panic(err)
	}
	return v
}

// goBody is a Go reader a JS ReadableStream pulls from (a fetch response).
type goBody struct {
	mu     sync.Mutex
	rc     io.ReadCloser
	done   func() // loop goroutine only: forget the fetch
	closed bool
}

// close runs on the loop (cancel, or the end of the body).
func (b *goBody) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		_ = b.rc.Close()
		if b.done != nil {
			b.done()
		}
	}
}

// goBodyChunk is how much one pull reads.
const goBodyChunk = 64 << 10

// pullGoBody reads the next chunk off the loop and resolves with a
// Uint8Array, or null at the end.
func (g *Globals) pullGoBody(c goja.FunctionCall) goja.Value {
	b, ok := c.Argument(0).Export().(*goBody)
	if !ok {
		g.throwTypeError("Illegal invocation")
	}
	p, resolve, reject := g.vm.NewPromise()
	g.env.Loop.Go(func(ctx context.Context) func() {
		buf := make([]byte, goBodyChunk)
		n, err := io.ReadAtLeast(b.rc, buf, 1)
		return func() {
			switch {
			case n > 0:
				_ = resolve(g.newUint8Array(buf[:n]))
			case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
				b.close()
				_ = resolve(goja.Null())
			default:
				b.close()
				_ = reject(g.vm.NewTypeError(fmt.Sprintf("Network connection lost: %v", err)))
			}
		}
	})
	return g.vm.ToValue(p)
}

// streamReader lets Go read a JS ReadableStream (a streamed Response body):
// each Read asks the loop for the next chunk.
func (g *Globals) streamReader(stream goja.Value) (io.ReadCloser, error) {
	o, ok := stream.(*goja.Object)
	if !ok {
		return nil, errors.New("body is neither bytes nor a stream")
	}
	var reader *goja.Object
	err := g.try(func() {
		get, ok := goja.AssertFunction(o.Get("getReader"))
		if !ok {
			panic(g.vm.NewTypeError("body is not a ReadableStream"))
		}
		r, err := get(o)
		if err != nil {
			panic(err)
		}
		reader = r.ToObject(g.vm)
	})
	if err != nil {
		return nil, err
	}
	return &jsStreamReader{g: g, reader: reader}, nil
}

type jsStreamReader struct {
	g      *Globals
	reader *goja.Object // touched only on the loop
	buf    []byte
	err    error
}

type chunkResult struct {
	b   []byte
	err error
}

func (r *jsStreamReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		ch := make(chan chunkResult, 1)
		if !r.g.env.Loop.Post(func() { r.next(ch) }) {
			r.err = errors.New("room stopped while streaming a body")
			continue
		}
		res := <-ch
		r.buf, r.err = res.b, res.err
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// next runs on the loop: read one chunk and send a copy of its bytes.
func (r *jsStreamReader) next(ch chan<- chunkResult) {
	var pv goja.Value
	err := r.g.try(func() {
		read, _ := goja.AssertFunction(r.reader.Get("read"))
		v, err := read(r.reader)
		if err != nil {
			panic(err)
		}
		pv = v
	})
	if err != nil {
		ch <- chunkResult{err: err}
		return
	}
	r.g.await(pv, func(v goja.Value, rej *JSError) {
		if rej != nil {
			ch <- chunkResult{err: rej}
			return
		}
		o := v.ToObject(r.g.vm)
		if o.Get("done").ToBoolean() {
			ch <- chunkResult{err: io.EOF}
			return
		}
		chunk := o.Get("value")
		if b, ok := r.g.bufferSourceCopy(chunk); ok {
			ch <- chunkResult{b: b}
			return
		}
		if goja.IsString(chunk) {
			ch <- chunkResult{b: []byte(chunk.String())}
			return
		}
		ch <- chunkResult{err: errors.New("a ReadableStream body produced a chunk that is not bytes")}
	})
}

func (r *jsStreamReader) Close() error {
	r.g.env.Loop.Post(func() {
		_ = r.g.try(func() {
			if cancel, ok := goja.AssertFunction(r.reader.Get("cancel")); ok {
				_, _ = cancel(r.reader)
			}
		})
	})
	return nil
}

// codec is the Go side of one CompressionStream / DecompressionStream.
type codec struct {
	compress bool
	format   string
	out      bytes.Buffer
	w        io.WriteCloser // compressor
	in       *bytes.Buffer  // decompressor input so far
	r        io.ReadCloser
}

func newCodec(format string, compress bool) *codec {
	c := &codec{compress: compress, format: format}
	if compress {
		switch format {
		case "gzip":
			c.w = gzip.NewWriter(&c.out)
		case "deflate":
			c.w = zlib.NewWriter(&c.out)
		default:
			c.w, _ = flate.NewWriter(&c.out, flate.DefaultCompression)
		}
	} else {
		c.in = &bytes.Buffer{}
	}
	return c
}

// write feeds in and returns what came out. Decompression buffers its input
// and inflates at the end: Go's readers need whole streams, and bodies that
// use DecompressionStream are small enough for that.
func (c *codec) write(in []byte, end bool) ([]byte, error) {
	if c.compress {
		if _, err := c.w.Write(in); err != nil {
			return nil, err
		}
		if end {
			if err := c.w.Close(); err != nil {
				return nil, err
			}
		}
		out := bytes.Clone(c.out.Bytes())
		c.out.Reset()
		return out, nil
	}
	c.in.Write(in)
	if !end {
		return nil, nil
	}
	var r io.Reader
	var err error
	switch c.format {
	case "gzip":
		r, err = gzip.NewReader(c.in)
	case "deflate":
		r, err = zlib.NewReader(c.in)
	default:
		r = flate.NewReader(c.in)
	}
	if err != nil {
		return nil, fmt.Errorf("DecompressionStream: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("DecompressionStream: %v", err)
	}
	return out, nil
}
