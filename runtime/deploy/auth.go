package deploy

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// Tokens are the admin tokens a server accepts, kept only as SHA-256
// hashes. Tokens are random (NewToken makes 256-bit ones), so a plain hash
// is enough: there is nothing to guess that a slow hash would protect.
type Tokens struct {
	hashes [][sha256.Size]byte
}

// minTokenLen refuses short raw tokens in a token file.
const minTokenLen = 16

// LoadTokens reads a token file: one token per line, either "sha256:<hex>"
// (what `gopk token` prints for the server) or the raw token itself, which is
// hashed on reading. Blank lines and lines starting with # are ignored.
func LoadTokens(path string) (*Tokens, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("token file: %w", err)
	}
	t, err := ParseTokens(data)
	if err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	return t, nil
}

// ParseTokens is LoadTokens on the file's contents.
func ParseTokens(data []byte) (*Tokens, error) {
	t := &Tokens{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if hexHash, ok := strings.CutPrefix(line, "sha256:"); ok {
			b, err := hex.DecodeString(hexHash)
			if err != nil || len(b) != sha256.Size {
				return nil, fmt.Errorf("line %d: sha256: must be followed by 64 hex digits", n)
			}
			t.hashes = append(t.hashes, [sha256.Size]byte(b))
			continue
		}
		if len(line) < minTokenLen {
			return nil, fmt.Errorf("line %d: a token must be at least %d characters (make one with `gopk token`)", n, minTokenLen)
		}
		t.hashes = append(t.hashes, sha256.Sum256([]byte(line)))
	}
	if len(t.hashes) == 0 {
		return nil, errors.New("no tokens (make one with `gopk token`)")
	}
	return t, nil
}

// Allow reports whether the request carries an accepted bearer token. Every
// stored hash is compared, in constant time, whatever matches first.
func (t *Tokens) Allow(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return false
	}
	h := sha256.Sum256([]byte(token))
	match := 0
	for i := range t.hashes {
		match |= subtle.ConstantTimeCompare(h[:], t.hashes[i][:])
	}
	return match == 1
}

// NewToken makes a random token and the line a token file should hold for it.
func NewToken() (token, fileLine string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = "gopk_" + base64.RawURLEncoding.EncodeToString(b)
	return token, HashLine(token), nil
}

// HashLine is the token file line for token.
func HashLine(token string) string {
	h := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(h[:])
}
