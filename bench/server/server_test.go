package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCopyTreeLeavesOutModulesAndState(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for name, body := range map[string]string{
		"partykit.json":               "{}",
		"party/a.ts":                  "export default {}",
		"node_modules/x/index.js":     "x",
		".partykit/state/room.sqlite": "s",
	} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "party/a.ts")); err != nil || string(b) != "export default {}" {
		t.Errorf("party file not copied: %q %v", b, err)
	}
	for _, gone := range []string{"node_modules", ".partykit"} {
		if _, err := os.Stat(filepath.Join(dst, gone)); err == nil {
			t.Errorf("%s was copied", gone)
		}
	}
}

func TestTailKeepsTheEnd(t *testing.T) {
	tl := &tail{max: 10}
	tl.Write([]byte("0123456789"))
	tl.Write([]byte("abcd"))
	if got := tl.String(); got != "456789abcd" {
		t.Errorf("tail = %q", got)
	}
}

func TestStartFailsClearly(t *testing.T) {
	_, err := Start(context.Background(), Options{Kind: PartyKit, Project: t.TempDir(), Reference: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "npm ci --prefix") {
		t.Errorf("missing PartyKit install: got %v, want a hint to run npm ci", err)
	}
	_, err = Start(context.Background(), Options{Kind: Gopk, Project: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "go build") {
		t.Errorf("missing gopk binary: got %v", err)
	}
	// A server that exits at once is reported with its output.
	_, err = Start(context.Background(), Options{Kind: Gopk, Project: t.TempDir(), Gopk: "/bin/false"})
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
		t.Errorf("exiting server: got %v", err)
	}
}
