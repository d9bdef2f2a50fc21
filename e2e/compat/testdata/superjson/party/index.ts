// Keeps values that JSON cannot carry (Date, Map, Set, BigInt, RegExp,
// undefined, NaN, -0, Infinity, Error, URL, typed arrays, class instances,
// shared references) with superjson: the client posts superjson text, the
// room parses it, stores it, changes it and answers superjson text.
import type * as Party from "partykit/server";
import SuperJSON from "superjson";

class Point {
  constructor(public x: number, public y: number) {}
  get length() {
    return Math.hypot(this.x, this.y);
  }
}

SuperJSON.registerClass(Point, { identifier: "Point" });
SuperJSON.registerCustom<Uint8Array, string>(
  {
    isApplicable: (v): v is Uint8Array => v instanceof Uint8Array,
    serialize: (v) => Array.from(v, (b) => b.toString(16).padStart(2, "0")).join(""),
    deserialize: (s) => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? []),
  },
  "hex-bytes",
);

function describe(value: unknown, depth = 0): unknown {
  if (depth > 4) return "…";
  const tag = Object.prototype.toString.call(value);
  if (value instanceof Point) return { Point: [value.x, value.y, value.length] };
  if (value instanceof Map) return { Map: [...value].map(([k, v]) => [describe(k, depth + 1), describe(v, depth + 1)]) };
  if (value instanceof Set) return { Set: [...value].map((v) => describe(v, depth + 1)) };
  if (value instanceof Date) return { Date: isNaN(value.getTime()) ? "invalid" : value.toISOString() };
  if (value instanceof RegExp) return { RegExp: [value.source, value.flags] };
  if (value instanceof Error) return { Error: [value.name, value.message] };
  if (value instanceof URL) return { URL: value.href };
  if (value instanceof Uint8Array) return { Uint8Array: [...value] };
  if (typeof value === "bigint") return { BigInt: value.toString() };
  if (typeof value === "number" && !Number.isFinite(value)) return { Number: String(value) };
  if (Object.is(value, -0)) return { Number: "-0" };
  if (value === undefined) return { undefined: true };
  if (Array.isArray(value)) return value.map((v) => describe(v, depth + 1));
  if (value && typeof value === "object") return { [tag]: Object.entries(value).map(([k, v]) => [k, describe(v, depth + 1)]) };
  return value;
}

export default class SuperjsonParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const input = SuperJSON.parse<Record<string, any>>(await req.text());
    const seen = describe(input);
    const shared = input.shared;
    const changed = {
      ...input,
      when: new Date(input.when.getTime() + 86_400_000),
      counts: new Map([...input.counts].map(([k, v]: [string, bigint]) => [k, v * 2n])),
      tags: new Set([...input.tags, "server"]),
      point: new Point(input.point.y, input.point.x),
      sameObjectTwice: [shared, shared],
      nested: { deeper: { inf: -Infinity, nan: NaN, negZero: -0, undef: undefined } },
      error: new TypeError("from the room"),
    };
    const text = SuperJSON.stringify(changed);
    return Response.json({
      seen,
      sharedIsShared: input.shared === input.alsoShared,
      text,
      roundTrip: describe(SuperJSON.parse(text)),
      serialized: SuperJSON.serialize({ a: 1n, b: [new Date(0), undefined] }),
    });
  }
}
