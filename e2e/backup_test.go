package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopk/e2e/testkit"
)

func gopkCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(testkit.Binary(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gopk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// A backup taken while gopk dev runs, restored into a new data directory,
// holds what was acknowledged before it; a backup of a stopped directory
// works too.
func TestBackupAndRestore(t *testing.T) {
	testkit.SkipOnPartyKit(t, "backup and restore are gopk commands")
	dir := testkit.CopyProject(t, "testdata/backup")
	srv := testkit.Start(t, dir)
	for i := 0; i < 3; i++ {
		if r := testkit.Do(t, "POST", srv.URL()+"/parties/main/counter", "", nil); r.Body != []string{"1", "2", "3"}[i] {
			t.Fatalf("increment %d: %q", i, r.Body)
		}
	}
	live := filepath.Join(t.TempDir(), "live-backup")
	out := gopkCLI(t, dir, "backup", live)
	if !strings.Contains(out, "backed up") {
		t.Fatalf("backup said %q", out)
	}
	// Written after the backup: must not be in it.
	testkit.Do(t, "POST", srv.URL()+"/parties/main/counter", "", nil)
	srv.Kill()

	restored := filepath.Join(t.TempDir(), "restored")
	gopkCLI(t, dir, "restore", "--data", restored, live)
	srv2 := testkit.Start(t, dir, "--persist", restored)
	if r := testkit.Get(t, srv2.URL()+"/parties/main/counter"); r.Body != "3" {
		t.Fatalf("restored counter = %q, want 3", r.Body)
	}
	testkit.Do(t, "POST", srv2.URL()+"/parties/main/counter", "", nil)
	srv2.Kill()

	// Stopped directory: gopk opens it itself.
	cold := filepath.Join(t.TempDir(), "cold-backup")
	gopkCLI(t, dir, "backup", "--data", restored, cold)
	again := filepath.Join(t.TempDir(), "again")
	gopkCLI(t, dir, "restore", "--data", again, cold)
	srv3 := testkit.Start(t, dir, "--persist", again)
	if r := testkit.Get(t, srv3.URL()+"/parties/main/counter"); r.Body != "4" {
		t.Fatalf("counter from the stopped-directory backup = %q, want 4", r.Body)
	}
}
