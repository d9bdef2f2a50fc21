package room_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gopk/runtime/roomtest"
)

// ctx.request is made on first read; it must still be the upgrade request,
// the same object on every read, in getConnectionTags and onConnect alike.
func TestConnectionContextRequestIsTheUpgradeRequest(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  tagged = "";
  constructor(readonly room: Party.Room) {}
  getConnectionTags(conn: Party.Connection, ctx: Party.ConnectionContext) {
    this.tagged = ctx.request.headers.get("x-probe") ?? "none";
    return [];
  }
  onConnect(conn: Party.Connection, ctx: Party.ConnectionContext) {
    const same = ctx.request === ctx.request;
    const keys = Object.keys(ctx).join(",");
    conn.send([new URL(ctx.request.url).pathname, ctx.request.headers.get("x-probe"), this.tagged, same, keys].join(" "));
  }
}`})
	url := "ws" + strings.TrimPrefix(env.Server.URL, "http") + "/parties/main/r1?_pk=a"
	h := http.Header{}
	h.Set("X-Probe", "hello")
	c, _, err := websocket.DefaultDialer.Dial(url, h)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "/parties/main/r1 hello hello true request"; got != want {
		t.Errorf("onConnect saw %q, want %q", got, want)
	}
}
