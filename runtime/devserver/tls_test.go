package devserver

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/runtime/config"
	"gopk/runtime/platform"
)

// --https serves HTTP and WebSockets over TLS with a self-signed
// certificate for localhost.
func TestHTTPSWithASelfSignedCertificate(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"partykit.json": `{"name": "tls", "main": "party/index.ts"}`,
		"party/index.ts": `export default class S {
  onConnect(conn) { conn.send("hello over " + new URL(conn.uri).protocol) }
  onRequest(req) { return new Response(new URL(req.url).protocol) }
}`,
	})
	persist := "false"
	out := &syncBuffer{}
	s, err := Start(Options{
		Load:     config.LoadOptions{Cwd: dir, Persist: &persist},
		Out:      out,
		Platform: platform.New(platform.Options{}),
		Storage:  platform.Storage{},
		Listen:   "127.0.0.1:0",
		TLS:      TLS{Enabled: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	insecure := &tls.Config{InsecureSkipVerify: true}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: insecure}, Timeout: 5 * time.Second}
	resp, err := client.Get("https://" + s.Addr().String() + "/parties/main/r")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "https:" {
		t.Fatalf("onRequest saw protocol %q, want https:", body)
	}
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 || resp.TLS.PeerCertificates[0].Subject.CommonName != "gopk dev" {
		t.Fatalf("not served with the dev certificate: %+v", resp.TLS)
	}
	d := websocket.Dialer{TLSClientConfig: insecure, HandshakeTimeout: 5 * time.Second}
	c, _, err := d.Dial("wss://"+s.Addr().String()+"/parties/main/r", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, b, err := c.ReadMessage(); err != nil || string(b) != "hello over https:" {
		t.Fatalf("first frame %q, %v", b, err)
	}
}
