package e2e

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"gopk/e2e/testkit"
)

const badInputWhy = "the wording of build and config errors is gopk's own"

// A server whose reply carries a version, so a test can tell which build serves.
func versionedServer(version string) string {
	return fmt.Sprintf(`import type * as Party from "partykit/server";

export default class Versioned implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onMessage(message: string, sender: Party.Connection) {
    sender.send("%[1]s echo " + message);
  }

  onRequest() {
    return new Response("%[1]s");
  }
}
`, version)
}

// brokenServer has a syntax error on line 5.
const brokenServer = `import type * as Party from "partykit/server";

export default class Broken implements Party.Server {
  onConnect(conn: Party.Connection) {
    conn.send("never" +);
  }
}
`

const goodConfig = `{
  "name": "bad-input",
  "main": "party/index.ts"
}
`

func TestBadInput(t *testing.T) {
	testkit.SkipOnPartyKit(t, badInputWhy)
	testkit.NodeModules(t)
	lineCol := regexp.MustCompile(`index\.ts:5:\d+`)

	t.Run("TypeScript syntax error names file, line and column", func(t *testing.T) {
		dir := t.TempDir()
		testkit.WriteFile(t, dir, "partykit.json", goodConfig)
		testkit.WriteFile(t, dir, "party/index.ts", brokenServer)
		s := testkit.Launch(t, dir)
		if !s.WaitLogMatch(lineCol, 30*time.Second) {
			t.Errorf("output does not point at party/index.ts:5:<col>:\n%s", s.Logs())
		}
	})

	configs := []struct {
		name, config string
		want         []string // all must appear in the output
	}{
		{"unknown key", `{"name": "bad-input", "main": "party/index.ts", "mian": "party/index.ts"}`, []string{"partykit.json", "mian"}},
		{"wrong type", `{"name": "bad-input", "main": "party/index.ts", "parties": {"chat": 42}}`, []string{"partykit.json", "parties.chat"}},
		// PartyKit's own message: Missing entry point, please specify "main" in your config.
		{"missing main", `{"name": "bad-input"}`, []string{`"main"`}},
	}
	for _, c := range configs {
		t.Run("partykit.json "+c.name+" names the key", func(t *testing.T) {
			dir := t.TempDir()
			testkit.WriteFile(t, dir, "partykit.json", c.config)
			testkit.WriteFile(t, dir, "party/index.ts", versionedServer("v1"))
			s := testkit.Launch(t, dir)
			for _, want := range c.want {
				if !s.WaitLog(want, 30*time.Second) {
					t.Errorf("output does not say %s:\n%s", want, s.Logs())
				}
			}
		})
	}

	t.Run("a bad edit keeps the last good version serving", func(t *testing.T) {
		dir := t.TempDir()
		testkit.WriteFile(t, dir, "partykit.json", goodConfig)
		testkit.WriteFile(t, dir, "party/index.ts", versionedServer("v1"))
		s := testkit.Start(t, dir)
		url := s.URL() + "/parties/main/r1"
		if r := testkit.Get(t, url); r.Body != "v1" {
			t.Fatalf("before the edit: got %d %q, want v1", r.Status, r.Body)
		}
		c := testkit.Dial(t, s.WSURL("/parties/main/r1"), nil)

		testkit.WriteFile(t, dir, "party/index.ts", brokenServer)
		if !s.WaitLogMatch(lineCol, 30*time.Second) {
			t.Fatalf("the failed rebuild was not reported with index.ts:5:<col>:\n%s", s.Logs())
		}
		if r := testkit.Get(t, url); r.Status != 200 || r.Body != "v1" {
			t.Errorf("after a bad edit: got %d %q, want the last good version's v1", r.Status, r.Body)
		}
		testkit.Send(t, c, "still there?")
		if got := testkit.ReadText(t, c); got != "v1 echo still there?" {
			t.Errorf("socket opened before the bad edit got %q, want v1's echo", got)
		}

		// The watcher is live: a good edit is picked up (so the check above means something).
		testkit.WriteFile(t, dir, "party/index.ts", versionedServer("v2"))
		testkit.Eventually(t, 30*time.Second, func() (bool, string) {
			r := testkit.Get(t, url)
			return r.Body == "v2", fmt.Sprintf("%d %q", r.Status, r.Body)
		})
	})
}
