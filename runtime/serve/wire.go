package serve

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// frameCounter follows a WebSocket byte stream (one direction) and counts
// the data messages in it, reading only frame headers (RFC 6455 §5.2). It
// sits on the hijacked connection, so it sees what the client really sent
// and got, whatever the room did.
type frameCounter struct {
	hdr  [14]byte
	have int   // header bytes collected
	need int   // header length once known (0: not yet)
	skip int64 // payload bytes left in the current frame
	// onMessage is called when a data message (text or binary, possibly
	// fragmented) is complete.
	onMessage func()
}

func (fc *frameCounter) feed(p []byte) {
	for len(p) > 0 {
		if fc.skip > 0 {
			n := int64(len(p))
			if n > fc.skip {
				n = fc.skip
			}
			fc.skip -= n
			p = p[n:]
			continue
		}
		fc.hdr[fc.have] = p[0]
		fc.have++
		p = p[1:]
		if fc.have == 2 {
			fc.need = 2
			switch fc.hdr[1] & 0x7f {
			case 126:
				fc.need += 2
			case 127:
				fc.need += 8
			}
			if fc.hdr[1]&0x80 != 0 { // masked (client to server)
				fc.need += 4
			}
		}
		if fc.have >= 2 && fc.have == fc.need {
			fc.endHeader()
		}
	}
}

func (fc *frameCounter) endHeader() {
	h := fc.hdr
	var size int64
	switch l := h[1] & 0x7f; l {
	case 126:
		size = int64(h[2])<<8 | int64(h[3])
	case 127:
		for i := 2; i < 10; i++ {
			size = size<<8 | int64(h[i])
		}
	default:
		size = int64(l)
	}
	fin, opcode := h[0]&0x80 != 0, h[0]&0x0f
	if fin && opcode < 0x8 && fc.onMessage != nil { // 0 continuation, 1 text, 2 binary
		fc.onMessage()
	}
	fc.have, fc.need, fc.skip = 0, 0, size
}

// meteredConn is a hijacked connection whose traffic is counted.
type meteredConn struct {
	net.Conn
	rmu, wmu  sync.Mutex
	in, out   frameCounter
	inBytes   func(int)
	outBytes  func(int)
	closeOnce sync.Once
	onClose   func()
	// crlf counts the "\r\n\r\n" that ends the 101 response, which the
	// upgrader writes through this conn before any frame; -1 once past it.
	crlf int
}

func (c *meteredConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.rmu.Lock()
		c.in.feed(p[:n])
		c.rmu.Unlock()
		c.inBytes(n)
	}
	return n, err
}

func (c *meteredConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.wmu.Lock()
		c.out.feed(c.skipHandshake(p[:n]))
		c.wmu.Unlock()
		c.outBytes(n)
	}
	return n, err
}

// skipHandshake returns the part of p after the HTTP response head.
func (c *meteredConn) skipHandshake(p []byte) []byte {
	for i := 0; c.crlf >= 0 && i < len(p); i++ {
		want := byte('\r')
		if c.crlf%2 == 1 {
			want = '\n'
		}
		switch {
		case p[i] == want:
			c.crlf++
		case p[i] == '\r':
			c.crlf = 1
		default:
			c.crlf = 0
		}
		if c.crlf == 4 {
			c.crlf = -1
			return p[i+1:]
		}
	}
	if c.crlf >= 0 {
		return nil
	}
	return p
}

func (c *meteredConn) Close() error {
	c.closeOnce.Do(c.onClose)
	return c.Conn.Close()
}

// recorder is the ResponseWriter rooms see: it notes the status and wraps a
// hijacked connection in a meteredConn.
type recorder struct {
	http.ResponseWriter
	status int
	hijack func(net.Conn) net.Conn
	// hijacked is set once the connection left net/http (a WebSocket).
	hijacked atomic.Bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

// Flush keeps streamed responses streaming through the wrapper.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	r.status = http.StatusSwitchingProtocols
	r.hijacked.Store(true)
	return r.hijack(conn), brw, nil
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
