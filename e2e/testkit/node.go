package testkit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// NodeTimeout bounds one Node script run.
var NodeTimeout = 90 * time.Second

// Node runs `node e2e/js/<script>` with the e2e directory as cwd (so imports
// resolve from e2e/node_modules), the current environment plus env, and
// returns its stdout. A non-zero exit or a run longer than NodeTimeout fails
// the test with the script's stderr. Scripts report results as JSON on stdout
// or check them with node:assert. It skips when node_modules is missing.
func Node(t testing.TB, script string, env map[string]string) string {
	t.Helper()
	modules := NodeModules(t)
	dir := E2EDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), NodeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "js", script))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("node %s did not finish within %v\nstderr:\n%s\nstdout:\n%s", script, NodeTimeout, stderr.String(), stdout.String())
	}
	if err != nil {
		t.Fatalf("node %s: %v\nstderr:\n%s\nstdout:\n%s", script, err, stderr.String(), stdout.String())
	}
	return stdout.String()
}
