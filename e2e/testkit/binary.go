package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// BinaryEnv names a prebuilt gopk binary to use instead of building one.
const BinaryEnv = "GOPK_E2E_BIN"

// RaceEnv, when set to 1, builds the binary with -race so end-to-end tests
// also hunt data races in the server.
const RaceEnv = "GOPK_E2E_RACE"

var build struct {
	once sync.Once
	dir  string // temp dir holding the binary, removed by Run
	path string
	out  []byte
	err  error
	skip string
}

// Binary returns the path of a gopk binary built from ./cmd/gopk, building it
// the first time it is called in this test process. It skips the test while
// cmd/gopk does not exist yet, and fails it when the build fails.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		return p
	}
	root := ModuleRoot(t)
	build.once.Do(func() { buildBinary(root) })
	switch {
	case build.skip != "":
		t.Skip(build.skip)
	case build.err != nil:
		t.Fatalf("building ./cmd/gopk: %v\n%s", build.err, build.out)
	}
	return build.path
}

func buildBinary(root string) {
	if _, err := os.Stat(filepath.Join(root, "cmd", "gopk")); err != nil {
		build.skip = "./cmd/gopk does not exist yet, so there is no gopk binary to test"
		return
	}
	dir, err := os.MkdirTemp("", "gopk-e2e-bin-")
	if err != nil {
		build.err = err
		return
	}
	build.dir = dir
	build.path = filepath.Join(dir, "gopk")
	args := []string{"build", "-o", build.path}
	if os.Getenv(RaceEnv) == "1" {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/gopk")...)
	cmd.Dir = root
	build.out, build.err = cmd.CombinedOutput()
}

// Run runs the tests of a package and then removes the binary Binary built.
// Use it from TestMain: func TestMain(m *testing.M) { os.Exit(testkit.Run(m)) }.
func Run(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	return code
}
