// Asks for ids over a WebSocket, twice with different seeds and sizes.
export default async function (t) {
  const socket = await t.connect("/parties/main/nanoid");
  const out = {};
  for (const [seed, size] of [[42, 21], [2024, 7]]) {
    socket.send(JSON.stringify({ seed, size }));
    out[`seed ${seed} size ${size}`] = JSON.parse(await socket.next());
  }
  socket.close();
  return out;
}
