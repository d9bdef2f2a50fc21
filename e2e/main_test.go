// Package e2e drives the real gopk binary (or, with GOPK_E2E_TARGET=partykit,
// the reference `partykit dev`) with real clients: Go WebSocket/HTTP clients
// for the protocol checks and Node scripts (partysocket, ws) in js/ for the
// client libraries. Fixture projects live in testdata/.
package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"gopk/e2e/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.Run(m)) }

// startFixture copies testdata/<name> to a temp dir and starts the target on
// it; it skips when the Node packages are missing, since PartyKit needs them
// and fixtures resolve npm imports from them.
func startFixture(t *testing.T, name string, args ...string) *testkit.Server {
	t.Helper()
	testkit.NodeModules(t)
	dir := testkit.CopyProject(t, filepath.Join("testdata", name))
	return testkit.Start(t, dir, args...)
}
