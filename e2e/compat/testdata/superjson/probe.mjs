// Posts a superjson document made on the client with superjson itself.
import SuperJSON from "superjson";

export default async function (t) {
  const shared = { id: 7, label: "shared" };
  const doc = {
    when: new Date("2024-03-15T14:05:09.123Z"),
    counts: new Map([["a", 1n], ["b", 12345678901234567890n]]),
    tags: new Set(["x", "y"]),
    pattern: /^\p{Lu}\w+$/giu,
    missing: undefined,
    specials: [NaN, Infinity, -Infinity, -0],
    url: new URL("https://example.com/a?b=1#c"),
    point: { x: 3, y: 4 },
    shared,
    alsoShared: shared,
    text: "emoji 😀 and \u2028 line separator",
  };
  // The client has no Point class registered, so it sends a plain object and
  // tags it by hand as superjson would.
  const { json, meta } = SuperJSON.serialize(doc);
  meta.values = { ...meta.values, point: [["class", "Point"]] };
  const body = JSON.stringify({ json, meta });
  const res = await t.request("/parties/main/superjson", { method: "POST", body });
  if (res.status !== 200) return res;
  return { contentType: res.contentType, ...JSON.parse(res.body) };
}
