// Two Yjs clients (fixed client ids) edit concurrently and send their
// updates; the room merges them and edits too. Every answer, binary
// encodings included, is compared.
import * as Y from "yjs";

export default async function (t) {
  const path = "/parties/main/yjs";
  const a = await t.connect(path + "?_pk=a");
  const b = await t.connect(path + "?_pk=b");
  const docA = new Y.Doc();
  docA.clientID = 1;
  const docB = new Y.Doc();
  docB.clientID = 2;
  docA.getText("text").insert(0, "Hello wörld 😀");
  docA.getMap("map").set("title", "shared");
  docB.getText("text").insert(0, "Grüße ");
  docB.getArray("list").insert(0, ["b1", 2, { deep: [true, null] }]);
  const out = {};
  a.send(Y.encodeStateAsUpdate(docA));
  out["a update"] = JSON.parse(await a.next());
  out["b sees a's update"] = await b.next();
  b.send(Y.encodeStateAsUpdate(docB));
  out["b update"] = JSON.parse(await b.next());
  out["a sees b's update"] = await a.next();
  docA.getText("text").delete(0, 6);
  a.send(Y.encodeStateAsUpdate(docA, Y.encodeStateVector(docB)));
  out["a delete"] = JSON.parse(await a.next());
  await b.next();
  for (const cmd of ["edit first", "snapshot", "undo", "diff"]) {
    a.send(cmd);
    out[cmd] = JSON.parse(await a.next());
  }
  a.close();
  b.close();
  return out;
}
