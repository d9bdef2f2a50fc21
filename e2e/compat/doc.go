// Package compat holds gopk's npm compatibility corpus: small PartyKit
// servers (testdata/<package>/) that use popular npm packages unmodified, each
// driven by a real HTTP or WebSocket client against the real `gopk dev` and
// checked, value for value, against the same server code run under Node 20.
//
// Each fixture has partykit.json, party/index.ts and probe.mjs. js/run.mjs
// runs the probe twice: against the server, and against the party bundled for
// Node and run in a small in-process room. compat_test.go compares the two.
// The package has no code of its own; everything is in its tests.
//
//	go test ./e2e/compat/                           # gopk dev against Node 20
//	GOPK_E2E_TARGET=partykit go test ./e2e/compat/  # partykit dev against Node 20
//
// The second run checks the fixtures and the Node side themselves: every
// fixture is a valid PartyKit server whose answers match Node's there too.
// Known gaps of gopk are listed in compat_test.go and docs/compatibility.md.
package compat
