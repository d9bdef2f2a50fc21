package deploy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func newAPI(t *testing.T) (*httptest.Server, *Manager, string) {
	t.Helper()
	m := newManager(t, t.TempDir())
	token, line, _ := NewToken()
	tokens, err := ParseTokens([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(slog.NewTextHandler(io.Discard, nil), nil)
	m.o.RoomLogger = slog.New(hub.Handler())
	srv := httptest.NewServer(NewAPI(APIOptions{Manager: m, Tokens: tokens, Hub: hub, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	return srv, m, token
}

// Every route refuses a request without a valid token, and nothing changes.
func TestAPIRequiresToken(t *testing.T) {
	srv, m, token := newAPI(t)
	c := NewClient(srv.URL, token)
	ctx := context.Background()
	if _, err := c.Deploy(ctx, "app", pack(t, "app", nil, map[string][]byte{"main": server("v1")}).Bytes(), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.EnvSet(ctx, "app", "K", "secret-value-123"); err != nil {
		t.Fatal(err)
	}
	routes := []struct{ method, path, body string }{
		{"GET", "/_gopk/v1/server", ""},
		{"GET", "/_gopk/v1/projects", ""},
		{"GET", "/_gopk/v1/projects/app", ""},
		{"DELETE", "/_gopk/v1/projects/app", ""},
		{"POST", "/_gopk/v1/projects/app/versions", pack(t, "app", nil, map[string][]byte{"main": server("evil")}).String()},
		{"POST", "/_gopk/v1/projects/app/rollback", `{"version":1}`},
		{"GET", "/_gopk/v1/projects/app/env?values=1", ""},
		{"PATCH", "/_gopk/v1/projects/app/env", `{"K":"evil"}`},
		{"PUT", "/_gopk/v1/projects/app/env/K", "evil"},
		{"DELETE", "/_gopk/v1/projects/app/env/K", ""},
		{"DELETE", "/_gopk/v1/projects/app/env", ""},
		{"GET", "/_gopk/v1/projects/app/tail", ""},
		{"POST", "/_gopk/v1/checkpoint", ""},
		{"GET", "/_gopk/v1/nonexistent", ""},
	}
	for _, r := range routes {
		for _, auth := range []string{"", "Bearer wrong-token-wrong-token", "Bearer " + token[1:]} {
			req, _ := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 401 || strings.Contains(string(body), "secret-value") {
				t.Errorf("%s %s with %q: %d %s", r.method, r.path, auth, resp.StatusCode, body)
			}
		}
	}
	if got := get(t, m, "app"); got != "v1 secret-value-123 -" {
		t.Fatalf("unauthorized requests changed the project: %q", got)
	}
	names, err := c.EnvNames(ctx, "app")
	if err != nil || len(names) != 1 || names[0] != "K" {
		t.Fatalf("env names = %v, %v", names, err)
	}
}

func TestAPIUploadLimitAndTail(t *testing.T) {
	srv, m, token := newAPI(t)
	m.o.MaxUpload = 1024
	c := NewClient(srv.URL, token)
	ctx := context.Background()
	big := strings.Repeat("x", 4096)
	_, err := c.Deploy(ctx, "app", []byte(big), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 413 || !strings.Contains(apiErr.Message, "--max-upload") {
		t.Fatalf("oversize upload: %v", err)
	}

	m.o.MaxUpload = DefaultMaxUpload
	if _, err := c.Deploy(ctx, "app", pack(t, "app", nil, map[string][]byte{"main": []byte(`(function (module, exports, require) {
module.exports = { onRequest(req, room) { console.log("request to " + room.id); return new Response("ok"); } };
})`)}).Bytes(), nil); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(tctx, "GET", srv.URL+"/_gopk/v1/projects/app/tail?room=r1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("tail Content-Type %q", resp.Header.Get("Content-Type"))
	}
	lines := make(chan Entry, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			var e Entry
			if json.Unmarshal(sc.Bytes(), &e) == nil && e.Message != "" {
				lines <- e
			}
		}
	}()
	deadline := time.After(10 * time.Second)
	for {
		get(t, m, "app") // a request to room r1, which logs
		select {
		case e := <-lines:
			if e.Message != "request to r1" || e.Room != "r1" || e.Source != "console" {
				t.Fatalf("tail entry = %+v", e)
			}
			return
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("tail streamed nothing")
		}
	}
}

func TestAPIErrorsMaskSecrets(t *testing.T) {
	srv, m, token := newAPI(t)
	c := NewClient(srv.URL, token)
	ctx := context.Background()
	hub := NewHub(slog.NewTextHandler(io.Discard, nil), nil)
	m.o.OnSecrets = hub.SetSecrets
	srv.Config.Handler = NewAPI(APIOptions{Manager: m, Tokens: mustTokens(t, token), Hub: hub})
	if err := c.EnvSet(ctx, "app", "KEY", "do-not-show-me-1234"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Deploy(ctx, "app", pack(t, "app", &Manifest{ProcessEnv: map[string]string{"DB": "postgres://user:pw-in-dotenv@db"}}, map[string][]byte{"main": []byte(`(function (module, exports, require) {
throw new Error("boom with do-not-show-me-1234");
})`)}).Bytes(), nil)
	if err == nil || strings.Contains(err.Error(), "do-not-show-me") || !strings.Contains(err.Error(), Redacted) {
		t.Fatalf("refusal = %v, want the env value masked", err)
	}
}

func mustTokens(t *testing.T, token string) *Tokens {
	t.Helper()
	tk, err := ParseTokens([]byte(HashLine(token)))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
