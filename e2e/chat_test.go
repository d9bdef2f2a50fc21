package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gopk/e2e/testkit"
)

// ChatDirEnv points the chat test at another copy of the chat example (for
// checking the test itself against another implementation).
const ChatDirEnv = "GOPK_E2E_CHAT_DIR"

// TestChatExample drives examples/chat with partysocket clients: identify,
// join/presence/leave, chat, cursors, history for a late joiner, and history
// that survives a restart of the server.
func TestChatExample(t *testing.T) {
	testkit.NodeModules(t)
	src := os.Getenv(ChatDirEnv)
	if src == "" {
		src = filepath.Join(testkit.ModuleRoot(t), "examples", "chat")
	}
	if _, err := os.Stat(filepath.Join(src, "partykit.json")); err != nil {
		t.Skipf("the chat example is not there yet (%v)", err)
	}
	s := testkit.Start(t, testkit.CopyProject(t, src))
	env := map[string]string{"GOPK_HOST": s.Host(), "ROOM": "e2e-chat"}

	env["STEP"] = "live"
	var live struct{ Texts []string }
	if err := json.Unmarshal([]byte(testkit.Node(t, "chat.mjs", env)), &live); err != nil {
		t.Fatalf("chat.mjs live: %v", err)
	}
	if !slices.Equal(live.Texts, []string{"hello bob", "hi alice"}) {
		t.Fatalf("live session chatted %q", live.Texts)
	}

	s.Restart()
	texts, _ := json.Marshal(live.Texts)
	env["STEP"] = "history"
	env["EXPECT_TEXTS"] = string(texts)
	testkit.Node(t, "chat.mjs", env)
}
