import type * as Party from "partykit/server";

type Item = { name: string; v: number; tags: string[] };
type Ping = { id: number; items: Item[] };

// P3 and P6: a 1:1 echo that does the JSON work a typical handler does:
// parse the client's message, compute over it, answer with a new document.
export default class Echo implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onMessage(message: string | ArrayBuffer, sender: Party.Connection) {
    const ping = JSON.parse(message as string) as Ping;
    let sum = 0;
    const names: string[] = [];
    for (const item of ping.items) {
      sum += item.v;
      names.push(item.name.toUpperCase());
    }
    sender.send(JSON.stringify({ id: ping.id, room: this.room.id, count: ping.items.length, sum, names }));
  }
}
