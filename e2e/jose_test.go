package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gopk/e2e/testkit"
)

// TestJoseAuth runs the npm jose package inside a static onBeforeConnect
// (testdata/jose): tokens minted by jose in Node (js/jose-tokens.mjs),
// signed with HS256 and ES256, let a WebSocket and an HTTP request into the
// room with the user they name; tampered, expired, mis-addressed, unsigned
// and wrongly signed tokens are answered 401 with jose's error code.
func TestJoseAuth(t *testing.T) {
	testkit.NodeModules(t)
	var minted struct {
		Secret    string
		PublicJwk string
		Tokens    map[string]string
	}
	if err := json.Unmarshal([]byte(testkit.Node(t, "jose-tokens.mjs", nil)), &minted); err != nil {
		t.Fatalf("jose-tokens.mjs: %v", err)
	}
	s := startFixture(t, "jose", "--var", "JWT_SECRET="+minted.Secret, "--var", "ES256_PUBLIC_JWK="+minted.PublicJwk)
	tokens := minted.Tokens

	connect := func(party, room, token string) string {
		return s.WSURL("/parties/" + party + "/" + room + "?token=" + url.QueryEscape(token))
	}

	for _, c := range []struct{ token, user, alg string }{
		{tokens["hs256"], "alice", "HS256"},
		{tokens["es256"], "bob", "ES256"},
	} {
		t.Run("accepts "+c.alg, func(t *testing.T) {
			conn := testkit.Dial(t, connect("main", "auth-"+c.alg, c.token), nil)
			var hello struct{ Room, User, Alg string }
			testkit.ReadJSON(t, conn, &hello)
			if hello.Room != "auth-"+c.alg || hello.User != c.user || hello.Alg != c.alg {
				t.Fatalf("onConnect saw %+v, want room auth-%s, user %s, alg %s (set by onBeforeConnect)", hello, c.alg, c.user, c.alg)
			}
		})
	}

	const badSignature = "invalid token: ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
	for _, c := range []struct{ name, token, body string }{
		{"HS256 with a tampered payload", withSubject(t, tokens["hs256"], "mallory"), badSignature},
		{"ES256 with a tampered payload", withSubject(t, tokens["es256"], "mallory"), badSignature},
		{"HS256 with a flipped signature bit", flipSignatureBit(t, tokens["hs256"]), badSignature},
		{"ES256 with a flipped signature bit", flipSignatureBit(t, tokens["es256"]), badSignature},
		{"HS256 signed with another secret", tokens["otherSecret"], badSignature},
		{"ES256 signed with another key", tokens["otherKey"], badSignature},
		{"unsigned (alg none)", unsigned(t, tokens["hs256"]), "invalid token: ERR_JOSE_ALG_NOT_ALLOWED"},
		{"expired", tokens["expired"], "invalid token: ERR_JWT_EXPIRED"},
		{"for another audience", tokens["wrongAudience"], "invalid token: ERR_JWT_CLAIM_VALIDATION_FAILED"},
		{"missing", "", "invalid token: ERR_JWS_INVALID"},
	} {
		t.Run("rejects "+c.name, func(t *testing.T) {
			status, body := testkit.DialRefused(t, connect("main", "auth-bad", c.token), nil)
			if status != http.StatusUnauthorized || body != c.body {
				t.Fatalf("refused with %d %q, want 401 %q", status, body, c.body)
			}
		})
	}

	t.Run("a throwing onBeforeConnect answers 401 with jose's message", func(t *testing.T) {
		conn := testkit.Dial(t, connect("strict", "auth-strict", tokens["es256"]), nil)
		if got := testkit.ReadText(t, conn); got != "welcome" {
			t.Fatalf("the valid token got %q, want welcome", got)
		}
		status, body := testkit.DialRefused(t, connect("strict", "auth-strict", withSubject(t, tokens["es256"], "mallory")), nil)
		if status != http.StatusUnauthorized || body != "signature verification failed" {
			t.Fatalf("refused with %d %q, want 401 %q", status, body, "signature verification failed")
		}
	})

	t.Run("onBeforeRequest with a Bearer token", func(t *testing.T) {
		bearer := func(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
		r := testkit.Do(t, http.MethodGet, s.URL()+"/parties/main/auth-http", "", bearer(tokens["es256"]))
		if r.Status != http.StatusOK || strings.TrimSpace(r.Body) != `{"room":"auth-http","user":"bob"}` {
			t.Fatalf("valid ES256 bearer got %d %q", r.Status, r.Body)
		}
		r = testkit.Do(t, http.MethodGet, s.URL()+"/parties/main/auth-http", "", bearer(withSubject(t, tokens["hs256"], "mallory")))
		if r.Status != http.StatusUnauthorized || r.Body != badSignature {
			t.Fatalf("tampered bearer got %d %q, want 401 %q", r.Status, r.Body, badSignature)
		}
	})
}

// jwtParts splits a compact JWT into its three base64url segments.
func jwtParts(t *testing.T, token string) []string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWT", token)
	}
	return parts
}

// withSubject keeps the header and signature of token and swaps its
// payload for one whose sub is sub: the forgery a signature must catch.
func withSubject(t *testing.T, token, sub string) string {
	t.Helper()
	parts := jwtParts(t, token)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload of %q: %v", token, err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("payload of %q: %v", token, err)
	}
	claims["sub"] = sub
	forged, _ := json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(forged)
	return strings.Join(parts, ".")
}

// flipSignatureBit changes one bit in the middle of token's signature.
func flipSignatureBit(t *testing.T, token string) string {
	t.Helper()
	parts := jwtParts(t, token)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature of %q: %v", token, err)
	}
	sig[len(sig)/2] ^= 1
	parts[2] = base64.RawURLEncoding.EncodeToString(sig)
	return strings.Join(parts, ".")
}

// unsigned rewrites token as an "alg: none" JWT with an empty signature.
func unsigned(t *testing.T, token string) string {
	t.Helper()
	parts := jwtParts(t, token)
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
}
