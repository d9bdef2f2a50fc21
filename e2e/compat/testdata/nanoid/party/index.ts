// Makes ids with nanoid over a WebSocket: random ids (checked for shape and
// uniqueness, since their value is random by design) and ids from a seeded
// random source (checked value for value), with custom alphabets that take
// both of nanoid's code paths (power-of-two and rejection sampling).
import type * as Party from "partykit/server";
import { nanoid, customAlphabet, customRandom, urlAlphabet } from "nanoid";
import { nanoid as insecure, customAlphabet as insecureAlphabet } from "nanoid/non-secure";

// A xorshift32 source, so that customRandom's output is reproducible.
function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  return (size: number) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    return bytes;
  };
}

function shape(ids: string[], alphabet: string) {
  const allowed = new Set(alphabet);
  return {
    lengths: [...new Set(ids.map((id) => id.length))],
    allInAlphabet: ids.every((id) => [...id].every((c) => allowed.has(c))),
    unique: new Set(ids).size === ids.length,
  };
}

function many(make: () => string, n = 200) {
  return Array.from({ length: n }, make);
}

export default class NanoidParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onMessage(message: string, sender: Party.Connection) {
    const { seed, size } = JSON.parse(message) as { seed: number; size: number };
    const hex = "0123456789abcdef";
    const digits = "0123456789";
    const emojiAlphabet = "😀😁😂🤣😃";
    sender.send(
      JSON.stringify({
        urlAlphabet,
        random: shape(many(() => nanoid()), urlAlphabet),
        randomSized: shape(many(() => nanoid(size)), urlAlphabet),
        hex: shape(many(customAlphabet(hex, 12)), hex),
        digits: shape(many(customAlphabet(digits, size)), digits),
        insecure: shape(many(() => insecure()), urlAlphabet),
        insecureDigits: shape(many(insecureAlphabet(digits, 16)), digits), // 1e16 ids: a collision among 200 is ~2e-12 likely
        seededUrl: many(customRandom(urlAlphabet, size, seeded(seed)), 20),
        seededDigits: many(customRandom(digits, 10, seeded(seed + 1)), 20),
        seededHexSizes: [0, 1, 5, 33].map((n) => customRandom(hex, 8, seeded(seed + 2))(n)),
        emojiAlphabetLength: emojiAlphabet.length,
        seededEmoji: many(customRandom(emojiAlphabet, 6, seeded(seed + 3)), 5),
      }),
    );
  }
}
