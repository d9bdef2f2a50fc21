package deploy

import (
	"net/http"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	token, line, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(line, token) || !strings.HasPrefix(line, "sha256:") {
		t.Fatalf("the token file line %q must hold only the hash of %q", line, token)
	}
	raw := "a-raw-token-of-enough-length"
	tokens, err := ParseTokens([]byte("# admins\n" + line + "\n\n" + raw + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	req := func(auth string) *http.Request {
		r, _ := http.NewRequest("GET", "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return r
	}
	for auth, want := range map[string]bool{
		"Bearer " + token:       true,
		"bearer " + token:       true,
		"Bearer " + raw:         true,
		"":                      false,
		"Bearer ":               false,
		"Bearer " + token + "x": false,
		"Bearer " + token[:10]:  false,
		"Basic " + token:        false,
		token:                   false,
		"Bearer " + line:        false, // the hash is not the token
	} {
		if got := tokens.Allow(req(auth)); got != want {
			t.Errorf("Allow(%q) = %v, want %v", auth, got, want)
		}
	}
	for _, bad := range []string{"", "# only a comment\n", "short\n", "sha256:abcd\n"} {
		if _, err := ParseTokens([]byte(bad)); err == nil {
			t.Errorf("ParseTokens(%q) accepted it", bad)
		}
	}
}
