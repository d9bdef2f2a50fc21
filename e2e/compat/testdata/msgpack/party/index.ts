// A binary protocol over WebSocket with @msgpack/msgpack: the client sends
// msgpack frames, the room decodes them, answers with msgpack frames built
// from what it saw, with the timestamp extension, a custom extension type,
// BigInt64, and streaming decode of several values in one frame.
import type * as Party from "partykit/server";
import { encode, decode, decodeMulti, ExtensionCodec, Encoder, Decoder } from "@msgpack/msgpack";

const codec = new ExtensionCodec();
// Type 1: a Set, as in the library's documentation of custom types.
codec.register({
  type: 1,
  encode: (value: unknown) => (value instanceof Set ? encode([...value], { extensionCodec: codec }) : null),
  decode: (data: Uint8Array) => new Set(decode(data, { extensionCodec: codec }) as unknown[]),
});

const bigints = { encoder: new Encoder({ useBigInt64: true }), decoder: new Decoder({ useBigInt64: true }) };

function describe(v: unknown): unknown {
  if (v instanceof Set) return { Set: [...v].map(describe) };
  if (v instanceof Date) return { Date: v.toISOString() };
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (typeof v === "bigint") return { BigInt: v.toString() };
  if (Array.isArray(v)) return v.map(describe);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
  return v;
}

export default class MsgpackParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onMessage(message: string | ArrayBuffer, sender: Party.Connection) {
    if (typeof message === "string") {
      sender.send("text frames are not msgpack");
      return;
    }
    const bytes = new Uint8Array(message);
    const values = [...decodeMulti(bytes, { extensionCodec: codec })];
    sender.send(encode({ seen: values.map(describe) }));
    const first = values[0] as Record<string, any>;
    sender.send(
      encode(
        {
          echo: first,
          tags: new Set(["a", 1, null]),
          when: new Date(Date.UTC(2024, 2, 15, 14, 5, 9, 123)),
          before1970: new Date(-1234567890123),
          floats: [0.1, -0.0, 1e300, Math.PI, Number.MAX_SAFE_INTEGER, -(2 ** 31), 2 ** 32],
          text: "ünïcødé 😀 " + "x".repeat(40),
        },
        { extensionCodec: codec, sortKeys: true },
      ),
    );
    sender.send(bigints.encoder.encode([2n ** 63n - 1n, -(2n ** 63n), 42n]));
    sender.send(encode(describe(bigints.decoder.decode(bigints.encoder.encode([BigInt(first.big ?? 0)])))));
  }
}
