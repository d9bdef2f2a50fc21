// Drives y-partykit rooms (e2e/testdata/yjs, examples/yjs) with real
// YPartyKitProvider clients from the npm y-partykit and yjs packages, over
// the `ws` WebSocket, as a Node user of y-partykit would.
//
// Every provider has BroadcastChannel sync turned off (disableBc), so the
// clients of one process can only learn of each other's edits through the
// server under test.
//
// STEP=live      two clients edit ROOM of PARTY both ways, see each other's
//                awareness, then a late joiner reads the document; prints
//                {text} (the document's final "text").
// STEP=check     one client joins ROOM of PARTY and asserts that "text"
//                equals EXPECT_TEXT.
// STEP=seen      two clients join; one edits, and the script returns once
//                the other has seen the edit through the server (used
//                before a crash); prints {text}.
// STEP=callback  one client writes "text" and "list" in ROOM of PARTY and
//                stays until CALLBACK_SEEN_FILE exists (the test writes it
//                when its HTTP server got the callback), so that the room
//                stays live until then.
// STEP=rooms     opens ROOMS providers, one per room, each in a room of its
//                own, waits until all have synced, prints {openMs} (each
//                room's time from connect to synced), then holds them open
//                until HOLD_FILE is removed.
import assert from "node:assert/strict";
import fs from "node:fs";
import WebSocket from "ws";
import * as Y from "yjs";
import YPartyKitProvider from "y-partykit/provider";
import { WAIT_MS, env, finish } from "./lib.mjs";

const step = env("STEP");
const party = process.env.PARTY ?? "main";

// join opens a provider for name in room and resolves once it has synced
// with the server (sync step 2 received).
async function join(name, room) {
  const doc = new Y.Doc();
  const provider = new YPartyKitProvider(env("GOPK_HOST"), room, doc, {
    party,
    connectionId: name,
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  });
  const client = { name, doc, provider, text: doc.getText("text") };
  await until(`${name} synced with room ${room}`, () => provider.synced);
  return client;
}

// until polls cond every few ms and rejects after WAIT_MS with what it
// waited for, so a failing check says which expectation was not met.
async function until(what, cond) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const got = cond();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function leave(...clients) {
  for (const c of clients) c.provider.destroy();
}

// peerState is the awareness state that `of` published, as `at` sees it.
function peerState(at, of) {
  return at.provider.awareness.getStates().get(of.doc.clientID);
}

async function live() {
  const room = env("ROOM");
  const alice = await join("alice", room);
  assert.equal(alice.text.toString(), "", "a fresh room has an empty document");
  const bob = await join("bob", room);

  alice.text.insert(0, "hello");
  await until("bob to see alice's edit", () => bob.text.toString() === "hello");
  bob.text.insert(5, " world");
  await until("alice to see bob's edit", () => alice.text.toString() === "hello world");

  // Concurrent edits from both sides converge to one text on both clients.
  alice.text.insert(0, "[");
  bob.text.insert(bob.text.length, "]");
  await until("both to converge on the concurrent edits", () =>
    alice.text.toString() === "[hello world]" && bob.text.toString() === "[hello world]");

  // Awareness (presence) travels both ways.
  alice.provider.awareness.setLocalStateField("user", { name: "alice", color: "#f00" });
  bob.provider.awareness.setLocalStateField("user", { name: "bob", color: "#00f" });
  await until("bob to see alice's presence", () => peerState(bob, alice)?.user?.name === "alice");
  await until("alice to see bob's presence", () => peerState(alice, bob)?.user?.name === "bob");
  assert.deepEqual(peerState(bob, alice).user, { name: "alice", color: "#f00" });

  // A late joiner gets the document and who is present.
  const carol = await join("carol", room);
  assert.equal(carol.text.toString(), "[hello world]", "the late joiner's document after sync");
  await until("carol to see alice's presence", () => peerState(carol, alice)?.user?.name === "alice");

  // When bob leaves, the server removes his presence for the others.
  leave(bob);
  await until("alice to see bob's presence removed", () => peerState(alice, bob) === undefined);

  const text = carol.text.toString();
  leave(alice, carol);
  return { text };
}

async function check() {
  const dave = await join("dave", env("ROOM"));
  assert.equal(dave.text.toString(), env("EXPECT_TEXT"), `the document of room ${env("ROOM")} in party ${party}`);
  leave(dave);
  return { text: dave.text.toString() };
}

async function seen() {
  const room = env("ROOM");
  const erin = await join("erin", room);
  const frank = await join("frank", room);
  erin.text.insert(0, "seen before the crash");
  await until("frank to see erin's edit", () => frank.text.toString() === "seen before the crash");
  // No leave: the server is killed with both clients connected.
  return { text: frank.text.toString() };
}

async function callback() {
  const gina = await join("gina", env("ROOM"));
  gina.text.insert(0, "posted by y-partykit");
  gina.doc.getArray("list").insert(0, [1, "two", { three: 3 }]);
  await until("the test to receive the callback", () => fs.existsSync(env("CALLBACK_SEEN_FILE")));
  leave(gina);
  return { text: gina.text.toString() };
}

async function rooms() {
  const n = Number(env("ROOMS"));
  const prefix = env("ROOM");
  const openMs = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const start = performance.now();
    await join(`bench-${i}`, `${prefix}-${i}`);
    return performance.now() - start;
  }));
  process.stdout.write(JSON.stringify({ openMs }) + "\n");
  // Hold the rooms open while the test measures the server.
  const hold = env("HOLD_FILE");
  while (fs.existsSync(hold)) await new Promise((r) => setTimeout(r, 20));
  process.exit(0);
}

const steps = { live, check, seen, callback, rooms };
if (!steps[step]) throw new Error(`unknown STEP ${step}`);
finish(await steps[step]());
