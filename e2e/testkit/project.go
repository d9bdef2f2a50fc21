package testkit

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// CopyProject copies the project directory src (for example
// "testdata/protocol" or ModuleRoot(t)+"/examples/chat") into a fresh temp
// directory and returns it, so a test may edit files and persist state
// without touching the repository. When e2e/node_modules exists it is linked
// into the copy, so `import ... from "y-partykit"` resolves as it would in a
// user's project.
func CopyProject(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".partykit") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copying project %s: %v", src, err)
	}
	modules := filepath.Join(E2EDir(t), "node_modules")
	if _, err := os.Stat(modules); err == nil {
		if err := os.Symlink(modules, filepath.Join(dst, "node_modules")); err != nil {
			t.Fatalf("linking node_modules into %s: %v", dst, err)
		}
	}
	return dst
}

// WriteFile writes content to dir/name (creating parent directories), for
// tests that build or edit a project at run time.
func WriteFile(t testing.TB, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("creating %s: %v", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}
