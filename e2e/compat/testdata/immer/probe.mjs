// Sends a sequence of actions over one WebSocket; every answer is compared.
export default async function (t) {
  const socket = await t.connect("/parties/main/immer");
  const actions = [
    { type: "add", user: "ada", text: "write tests", tags: ["work"] },
    { type: "add", user: "bob", text: "buy milk", tags: [] },
    { type: "add", user: "ada", text: "ship it", tags: ["work", "urgent"] },
    { type: "toggle", id: 2 },
    { type: "retag", id: 3, tag: "urgent" },
    { type: "retag", id: 1, tag: "home" },
    { type: "throw" },
    { type: "remove", id: 1 },
    { type: "undo" },
    { type: "toggle", id: 99 },
  ];
  const out = {};
  for (const [i, action] of actions.entries()) {
    socket.send(JSON.stringify(action));
    out[`${i} ${action.type}`] = JSON.parse(await socket.next());
  }
  socket.close();
  return out;
}
