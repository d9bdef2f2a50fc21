// Checks the textarea binding of examples/yjs (app/textarea.ts) against
// Yjs itself, over many random edits:
//   diff(before, after) applied to a Y.Text holding `before` gives `after`;
//   moveThrough(caret, delta) of a remote change lands where a Yjs relative
//   position taken before the change resolves to after it (associated with
//   the character on the caret's left, so text typed at the caret by
//   someone else goes after it).
// EXAMPLE_DIR is the example's directory. Prints {diffs, carets} counts.
import assert from "node:assert/strict";
import path from "node:path";
import * as esbuild from "esbuild";
import * as Y from "yjs";
import { env, finish } from "./lib.mjs";

const built = await esbuild.build({
  entryPoints: [path.join(env("EXAMPLE_DIR"), "app", "textarea.ts")],
  bundle: false,
  format: "esm",
  write: false,
});
const { diff, moveThrough } = await import("data:text/javascript," + encodeURIComponent(built.outputFiles[0].text));

// A seeded generator, so a failure can be replayed.
let seed = Number(process.env.SEED ?? 42);
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const alphabet = ["a", "b", "c", " ", "\n", "é", "😀", "ab"];
const randomText = (max) => Array.from({ length: rand(max) }, () => alphabet[rand(alphabet.length)]).join("");

// editText makes a few random edits to s (as a user would by typing,
// pasting or deleting a selection).
function editText(s) {
  for (let n = 1 + rand(3); n > 0; n--) {
    const at = rand(s.length + 1);
    const del = rand(Math.min(4, s.length - at) + 1);
    s = s.slice(0, at) + randomText(4) + s.slice(at + del);
  }
  return s;
}

let diffs = 0;
for (let i = 0; i < 2000; i++) {
  const before = randomText(12);
  const after = i % 10 === 0 ? randomText(12) : editText(before);
  const doc = new Y.Doc();
  const text = doc.getText("text");
  text.insert(0, before);
  const { index, remove, insert } = diff(before, after);
  doc.transact(() => {
    if (remove > 0) text.delete(index, remove);
    if (insert) text.insert(index, insert);
  });
  assert.equal(text.toString(), after, `diff(${JSON.stringify(before)}, ${JSON.stringify(after)}) = ${JSON.stringify({ index, remove, insert })}`);
  diffs++;
}

let carets = 0;
for (let i = 0; i < 1000; i++) {
  const local = new Y.Doc();
  const remote = new Y.Doc();
  const start = randomText(16);
  remote.getText("text").insert(0, start);
  Y.applyUpdate(local, Y.encodeStateAsUpdate(remote));
  const text = local.getText("text");
  const carets0 = Array.from({ length: 4 }, () => rand(start.length + 1));
  const anchors = carets0.map((c) => Y.createRelativePositionFromTypeIndex(text, c, -1));

  // The remote user edits in one transaction; the local side sees its delta.
  const rtext = remote.getText("text");
  remote.transact(() => {
    for (let n = 1 + rand(3); n > 0; n--) {
      const at = rand(rtext.length + 1);
      const del = rand(Math.min(3, rtext.length - at) + 1);
      if (del > 0) rtext.delete(at, del);
      rtext.insert(at, randomText(3) || "x");
    }
  });
  let delta;
  text.observe((event) => (delta = event.delta));
  Y.applyUpdate(local, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(local)));
  assert.ok(delta, "the remote change reached the local text");

  carets0.forEach((c, k) => {
    const want = Y.createAbsolutePositionFromRelativePosition(anchors[k], local).index;
    assert.equal(moveThrough(c, delta), want, `caret ${c} in ${JSON.stringify(start)} through ${JSON.stringify(delta)}`);
    carets++;
  });
}

finish({ diffs, carets });
