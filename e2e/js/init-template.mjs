// Drives the `partykit init` template (party/index.ts) as its README says it
// behaves: each connection is greeted, and a message is broadcast to the
// other connections prefixed with the sender's id, never echoed to the sender.
import assert from "node:assert/strict";
import { connect, env, finish } from "./lib.mjs";

const room = env("ROOM");
const a = await connect({ room, id: "conn-a" });
const b = await connect({ room, id: "conn-b" });
assert.equal(await a.next(), "hello from server");
assert.equal(await b.next(), "hello from server");

a.send("hi from a");
assert.equal(await b.next(), "conn-a: hi from a");
b.send("hi from b");
// a's next frame is b's message: its own was not echoed back to it.
assert.equal(await a.next(), "conn-b: hi from b");

a.close();
b.close();
finish({ ok: true });
