package testkit

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// IOTimeout bounds each client read, write, dial and HTTP request.
var IOTimeout = 10 * time.Second

// Dial opens a WebSocket to url (e.g. s.WSURL("/parties/main/r1")) and closes
// it in t.Cleanup. A refused handshake fails the test with the HTTP status
// and body the server answered.
func Dial(t testing.TB, url string, header http.Header) *websocket.Conn {
	t.Helper()
	return DialWith(t, &websocket.Dialer{HandshakeTimeout: IOTimeout}, url, header)
}

// DialWith is Dial with a caller-supplied dialer (small buffers, custom
// NetDialContext, ...).
func DialWith(t testing.TB, d *websocket.Dialer, url string, header http.Header) *websocket.Conn {
	t.Helper()
	c, resp, err := d.Dial(url, header)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(resp.Body)
			t.Fatalf("WebSocket %s refused: HTTP %d %q", url, resp.StatusCode, body)
		}
		t.Fatalf("WebSocket %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// DialRefused tries a WebSocket to url that the server must refuse, and
// returns the HTTP status and body of the refusal; it fails the test if the
// upgrade succeeds.
func DialRefused(t testing.TB, url string, header http.Header) (status int, body string) {
	t.Helper()
	d := &websocket.Dialer{HandshakeTimeout: IOTimeout}
	c, resp, err := d.Dial(url, header)
	if err == nil {
		c.Close()
		t.Fatalf("WebSocket %s: upgrade succeeded, want it refused", url)
	}
	if resp == nil {
		t.Fatalf("WebSocket %s: %v (no HTTP response)", url, err)
	}
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// Read reads the next message within IOTimeout and returns its type
// (websocket.TextMessage or websocket.BinaryMessage) and payload.
func Read(t testing.TB, c *websocket.Conn) (int, []byte) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(IOTimeout))
	typ, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("reading from %s: %v", c.RemoteAddr(), err)
	}
	return typ, data
}

// ReadText reads the next message and fails unless it is a text frame.
func ReadText(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	typ, data := Read(t, c)
	if typ != websocket.TextMessage {
		t.Fatalf("got a binary frame %q, want a text frame", data)
	}
	return string(data)
}

// ReadJSON reads the next text frame and decodes it into v.
func ReadJSON(t testing.TB, c *websocket.Conn, v any) {
	t.Helper()
	text := ReadText(t, c)
	if err := json.Unmarshal([]byte(text), v); err != nil {
		t.Fatalf("frame %q is not the JSON expected: %v", text, err)
	}
}

// Send writes a text frame.
func Send(t testing.TB, c *websocket.Conn, text string) {
	t.Helper()
	SendFrame(t, c, websocket.TextMessage, []byte(text))
}

// SendFrame writes one frame of the given type.
func SendFrame(t testing.TB, c *websocket.Conn, typ int, data []byte) {
	t.Helper()
	c.SetWriteDeadline(time.Now().Add(IOTimeout))
	if err := c.WriteMessage(typ, data); err != nil {
		t.Fatalf("writing to %s: %v", c.RemoteAddr(), err)
	}
}

// ExpectClose reads until the server closes the connection and returns the
// close frame it sent. Data frames that arrive first are returned in before.
// It fails the test if the connection ends without a close frame or stays
// open past IOTimeout.
func ExpectClose(t testing.TB, c *websocket.Conn) (ce *websocket.CloseError, before []string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(IOTimeout))
	for {
		_, data, err := c.ReadMessage()
		if err == nil {
			before = append(before, string(data))
			continue
		}
		var netErr net.Error
		switch {
		case errors.As(err, &ce):
			if ce.Code == websocket.CloseAbnormalClosure {
				t.Fatalf("connection dropped without a close frame (after %q)", before)
			}
			return ce, before
		case errors.As(err, &netErr) && netErr.Timeout():
			t.Fatalf("server did not close the connection within %v (got %q)", IOTimeout, before)
		default:
			t.Fatalf("reading from %s: %v", c.RemoteAddr(), err)
		}
		return nil, before
	}
}

// Response is what an HTTP request got back.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends one HTTP request and returns the answer; transport errors fail
// the test.
func Do(t testing.TB, method, url, body string, header http.Header) Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := (&http.Client{Timeout: IOTimeout}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(data)}
}

// Get is Do with GET and no body.
func Get(t testing.TB, url string) Response {
	t.Helper()
	return Do(t, http.MethodGet, url, "", nil)
}

// Eventually polls check until it reports true or timeout passes, then fails
// the test with the last description check gave. It is for state that
// settles asynchronously (a close being processed), never for speed.
func Eventually(t testing.TB, timeout time.Duration, check func() (ok bool, last string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, last := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v; last seen: %s", timeout, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
