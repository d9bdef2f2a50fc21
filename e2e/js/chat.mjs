// Drives the chat example (examples/chat) with real partysocket clients and
// checks its protocol:
//   client -> server  {type:"identify",name} {type:"chat",text} {type:"cursor",x,y}
//   on connect        {type:"history",messages} then {type:"presence",users}
//   after identify    to all: {type:"join",user} then {type:"presence",users}
//   chat              to all incl. sender: {type:"chat",message}
//                     (unidentified: {type:"error",message:"identify first"} to the sender)
//   cursor            to all but the sender: {type:"cursor",id,x,y}
//   close             to all: {type:"leave",id} then {type:"presence",users}
//   User = {id,name,color}; Message = {id,user,text,at}; user ids are connection ids.
//
// STEP=live     runs a full session in ROOM and prints {texts} it chatted.
// STEP=history  connects to ROOM and checks that the history equals EXPECT_TEXTS
//               (JSON array), as after a server restart.
import assert from "node:assert/strict";
import { connect, env, finish } from "./lib.mjs";

const room = env("ROOM");
const step = env("STEP");

async function expectType(client, type) {
  const msg = await client.nextJSON();
  assert.equal(msg.type, type, `${client.label()}: got ${JSON.stringify(msg)}, want a ${type} frame`);
  return msg;
}

// join connects and reads the greeting: history, then presence.
async function join(id) {
  const client = await connect({ room, id });
  const history = await expectType(client, "history");
  assert.ok(Array.isArray(history.messages), "history.messages must be an array");
  const presence = await expectType(client, "presence");
  return { client, history: history.messages, presence: presence.users };
}

function assertUser(user, id, name) {
  assert.equal(user.id, id);
  assert.equal(user.name, name);
  assert.equal(typeof user.color, "string");
  assert.ok(user.color.length > 0, "a user has a color");
}

function names(users) {
  return users.map((u) => u.name).sort();
}

function assertMessage(message, user, text, before, after) {
  assert.equal(typeof message.id, "string");
  assert.deepEqual(message.user, user);
  assert.equal(message.text, text);
  assert.ok(message.at >= before && message.at <= after, `at=${message.at} is not the ms time of sending (${before}..${after})`);
}

async function live() {
  const alice = await join("alice-conn");
  assert.deepEqual(alice.history, [], "a fresh room has no history");
  assert.deepEqual(alice.presence, [], "nobody has identified yet");

  alice.client.send({ type: "chat", text: "too early" });
  assert.deepEqual(await alice.client.nextJSON(), { type: "error", message: "identify first" });

  alice.client.send({ type: "identify", name: "alice" });
  const aliceJoin = await expectType(alice.client, "join");
  assertUser(aliceJoin.user, "alice-conn", "alice");
  const aliceUser = aliceJoin.user;
  assert.deepEqual((await expectType(alice.client, "presence")).users, [aliceUser]);

  const bob = await join("bob-conn");
  assert.deepEqual(bob.presence, [aliceUser]);
  bob.client.send({ type: "identify", name: "bob" });
  let bobUser;
  for (const c of [alice.client, bob.client]) {
    const j = await expectType(c, "join");
    assertUser(j.user, "bob-conn", "bob");
    bobUser = j.user;
    assert.deepEqual(names((await expectType(c, "presence")).users), ["alice", "bob"]);
  }

  const texts = [];
  const before = Date.now();
  alice.client.send({ type: "chat", text: "hello bob" });
  texts.push("hello bob");
  for (const c of [alice.client, bob.client]) {
    assertMessage((await expectType(c, "chat")).message, aliceUser, "hello bob", before, Date.now());
  }

  // A cursor move reaches alice but is not echoed to bob: bob's next frame is his chat.
  bob.client.send({ type: "cursor", x: 10, y: 20 });
  assert.deepEqual(await alice.client.nextJSON(), { type: "cursor", id: "bob-conn", x: 10, y: 20 });
  const before2 = Date.now();
  bob.client.send({ type: "chat", text: "hi alice" });
  texts.push("hi alice");
  for (const c of [bob.client, alice.client]) {
    assertMessage((await expectType(c, "chat")).message, bobUser, "hi alice", before2, Date.now());
  }

  // A late joiner gets the history, oldest first, and who is online.
  const carol = await join("carol-conn");
  assert.deepEqual(carol.history.map((m) => m.text), texts);
  assert.deepEqual(carol.history.map((m) => m.user.name), ["alice", "bob"]);
  assert.deepEqual(names(carol.presence), ["alice", "bob"]);

  bob.client.close();
  for (const c of [alice.client, carol.client]) {
    assert.deepEqual(await c.nextJSON(), { type: "leave", id: "bob-conn" });
    assert.deepEqual((await expectType(c, "presence")).users, [aliceUser]);
  }
  alice.client.close();
  carol.client.close();
  return { texts };
}

async function history() {
  const want = JSON.parse(env("EXPECT_TEXTS"));
  const dave = await join("dave-conn");
  assert.deepEqual(dave.history.map((m) => m.text), want, "history after the restart");
  assert.deepEqual(dave.presence, [], "nobody is online after the restart");
  dave.client.close();
  return { texts: want };
}

const steps = { live, history };
if (!steps[step]) throw new Error(`unknown STEP ${step}`);
finish(await steps[step]());
