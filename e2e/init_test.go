package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopk/e2e/testkit"
)

// TestInitTemplate runs the server that `partykit init` writes
// (party/index.ts, shipped in the npm package) unchanged, driven by
// partysocket. The template is copied at test time, never committed.
func TestInitTemplate(t *testing.T) {
	modules := testkit.NodeModules(t)
	template, err := os.ReadFile(filepath.Join(modules, "partykit", "init", "index.ts"))
	if err != nil {
		t.Fatalf("reading the init template: %v", err)
	}
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "party/index.ts", string(template))
	// What `partykit init` writes, less the $schema URL and today's date.
	testkit.WriteFile(t, dir, "partykit.json", `{
  "name": "init-template",
  "main": "party/index.ts",
  "compatibilityDate": "2024-06-01"
}
`)
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	s := testkit.Start(t, dir)
	out := testkit.Node(t, "init-template.mjs", map[string]string{"GOPK_HOST": s.Host(), "ROOM": "init-room"})
	if strings.TrimSpace(out) != `{"ok":true}` {
		t.Errorf("script printed %q", out)
	}
	// The template logs each connection; the user must see console.log output.
	if !s.WaitLog("connection conn-a sent message: hi from a", testkit.IOTimeout) {
		t.Errorf("the template's console.log did not reach the server output:\n%s", s.Logs())
	}
}
