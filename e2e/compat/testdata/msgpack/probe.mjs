// Sends two msgpack frames made by @msgpack/msgpack on the client and
// compares the room's binary answers byte for byte, and decoded.
import { encode, decode, ExtensionCodec } from "@msgpack/msgpack";

const codec = new ExtensionCodec();
codec.register({
  type: 1,
  encode: (value) => (value instanceof Set ? encode([...value], { extensionCodec: codec }) : null),
  decode: (data) => new Set(decode(data, { extensionCodec: codec })),
});

function describe(v) {
  if (v instanceof Set) return { Set: [...v].map(describe) };
  if (v instanceof Date) return { Date: v.toISOString() };
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (typeof v === "bigint") return { BigInt: v.toString() };
  if (Array.isArray(v)) return v.map(describe);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
  return v;
}

export default async function (t) {
  const socket = await t.connect("/parties/main/msgpack");
  const out = {};
  const frames = [
    [{ n: 1, big: "9007199254740993", s: "hi", arr: [1, [2, [3]]], bin: new Uint8Array([0, 255, 7]), nil: null, t: true }, "second value", 3.5],
    [{ n: -129, big: "-5", s: "😀".repeat(20), map: { a: { b: { c: {} } } }, when: new Date(0), tags: new Set([1, 2]) }],
  ];
  for (const [i, values] of frames.entries()) {
    const parts = values.map((v) => encode(v, { extensionCodec: codec }));
    const frame = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) frame.set(p, (at += p.length) - p.length);
    socket.send(frame);
    for (const name of ["seen", "answer", "bigint64", "bigint round trip"]) {
      const reply = await socket.next();
      out[`frame ${i} ${name}`] = typeof reply === "string" ? reply : { bytes: Buffer.from(reply).toString("base64"), decoded: describe(decode(reply, { extensionCodec: codec, useBigInt64: name === "bigint64" })) };
    }
  }
  socket.send("not binary");
  out.text = await socket.next();
  socket.close();
  return out;
}
