// A room that holds a Yjs document: clients send binary Yjs updates over a
// WebSocket; the room applies them, makes edits of its own (with a fixed
// client id so its updates are reproducible), and answers with the merged
// state, its binary encodings, and a text-command interface for deltas,
// undo and snapshots. Updates are also broadcast to the other sockets.
import type * as Party from "partykit/server";
import * as Y from "yjs";

export default class YjsParty implements Party.Server {
  doc = new Y.Doc();
  undo: Y.UndoManager;

  constructor(readonly room: Party.Room) {
    this.doc.clientID = 1000;
    this.undo = new Y.UndoManager(this.doc.getText("text"), { captureTimeout: 0, trackedOrigins: new Set(["room"]) });
  }

  state() {
    const text = this.doc.getText("text");
    return {
      json: this.doc.toJSON(),
      delta: text.toDelta(),
      stateVector: [...Y.encodeStateVector(this.doc)],
      update: [...Y.encodeStateAsUpdate(this.doc)],
      updateV2: [...Y.encodeStateAsUpdateV2(this.doc)],
    };
  }

  onMessage(message: string | ArrayBuffer, sender: Party.Connection) {
    if (typeof message !== "string") {
      const update = new Uint8Array(message);
      Y.applyUpdate(this.doc, update, sender.id);
      this.room.broadcast(message, [sender.id]);
      sender.send(JSON.stringify({ applied: update.length, decoded: Y.decodeUpdate(update).structs.length, ...this.state() }));
      return;
    }
    const [cmd, arg] = message.split(" ", 2);
    let changes: unknown[] = [];
    const onUpdate = (u: Uint8Array) => changes.push([...u]);
    this.doc.on("update", onUpdate);
    const text = this.doc.getText("text");
    const map = this.doc.getMap<unknown>("map");
    const list = this.doc.getArray<unknown>("list");
    switch (cmd) {
      case "edit":
        this.doc.transact(() => {
          text.insert(0, "Room: ", { bold: true });
          text.format(6, 3, { italic: true });
          map.set("by", "room");
          map.set("nested", new Y.Map([["n", 1]]));
          list.push([arg, { k: [1, 2] }, new Uint8Array([1, 2, 3])]);
          list.delete(0, 1);
        }, "room");
        break;
      case "undo":
        this.undo.undo();
        break;
      case "snapshot": {
        const snap = Y.snapshot(this.doc);
        changes = [[...Y.encodeSnapshot(snap)]];
        break;
      }
      case "diff": {
        const remote = new Y.Doc();
        remote.clientID = 7;
        remote.getText("text").insert(0, "remote ");
        Y.applyUpdate(remote, Y.encodeStateAsUpdate(this.doc));
        changes = [[...Y.diffUpdate(Y.encodeStateAsUpdate(remote), Y.encodeStateVector(this.doc))], [...Y.mergeUpdates([Y.encodeStateAsUpdate(remote), Y.encodeStateAsUpdate(this.doc)])]];
        break;
      }
    }
    this.doc.off("update", onUpdate);
    sender.send(JSON.stringify({ cmd, changes, ...this.state() }));
  }
}
