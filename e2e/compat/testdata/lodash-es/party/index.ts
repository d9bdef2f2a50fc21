// Collection, object and string helpers from lodash-es over posted data.
// (Not template: workerd forbids code generation from strings.)
// lodash's word splitting (camelCase, words, …) runs on large hand-written
// Unicode regexps; debounce and throttle run on the room's timers.
import type * as Party from "partykit/server";
import {
  camelCase, chunk, cloneDeep, countBy, debounce, deburr, difference, escape, flattenDeep, get, groupBy, intersectionBy,
  isEqual, kebabCase, keyBy, mapValues, merge, omit, orderBy, partition, pick, range, set, snakeCase, sortBy, startCase,
  sumBy, throttle, truncate, uniqBy, unescape, words, zipObject, toPath, memoize, padStart, upperFirst,
  size, toArray,
} from "lodash-es";

type Person = { name: string; age: number; team: string; tags: string[] };

const phrases = [
  "Hello World", "fooBar_baz-qux", "XMLHttpRequest2Go", "  leading and trailing  ", "déjà vu Ünïcode", "ÆØÅ straße",
  "camelCaseString", "snake_case_string", "12 monkeys 3x", "Ⅻ roman", "日本語 テキスト", "mañana-IS_here",
];

// Strings with surrogate pairs, combining marks or joiners take lodash's
// Unicode path (reHasUnicode, then the surrogate-pair regexps reUnicode and
// reUnicodeWord).
const unicodePhrases = ["emoji 😀 inside", "👍🏽 thumbs", "flag 🇫🇷 fr", "family 👨‍👩‍👧", "𝒜𝓁𝓅𝒽𝒶 script", "e\u0301te\u0301 combining"];

function each(list: string[], f: (p: string) => object) {
  return list.map((p) => {
    try {
      return f(p);
    } catch (err) {
      return { phrase: p, error: String(err) };
    }
  });
}

// Functions that split a string into symbols (reUnicode).
const symbols = (p: string) => ({
  deburr: deburr(p), upperFirst: upperFirst(p), pad: padStart(p, 30, "·"),
  truncate: truncate(p, { length: 12, separator: /,? +/ }), size: size(p), toArray: toArray(p),
});

// Functions that split a string into words (reUnicodeWord).
const wordsOf = (p: string) => ({
  camel: camelCase(p), kebab: kebabCase(p), snake: snakeCase(p), start: startCase(p), words: words(p),
});

export default class LodashParty implements Party.Server {
  constructor(readonly room: Party.Room) {}

  async onRequest(req: Party.Request) {
    const { people, config, patch } = (await req.json()) as { people: Person[]; config: object; patch: object };
    const out: Record<string, unknown> = {};
    out.strings = each(phrases, (p) => ({ ...symbols(p), ...wordsOf(p) }));
    out["symbols on the Unicode path"] = each(unicodePhrases, symbols);
    out["words on the Unicode path"] = each(unicodePhrases, wordsOf);
    out.escape = [escape(`<a href="x?a=1&b='2'">`), unescape("&lt;p&gt;&amp;&quot;&#39;&lt;/p&gt;")];
    out.collections = {
      groupBy: groupBy(people, "team"),
      countBy: countBy(people, (p) => p.age >= 30),
      keyBy: keyBy(people, "name"),
      orderBy: orderBy(people, ["team", "age"], ["asc", "desc"]).map((p) => p.name),
      sortBy: sortBy(people, [(p) => p.tags.length, "name"]).map((p) => p.name),
      partition: partition(people, (p) => p.tags.includes("ops")).map((g) => g.map((p) => p.name)),
      uniqBy: uniqBy(people, "team").map((p) => p.name),
      sumBy: sumBy(people, "age"),
      intersectionBy: intersectionBy([2.1, 1.2], [2.3, 3.4], Math.floor),
      chunk: chunk(range(10), 3),
      flattenDeep: flattenDeep([1, [2, [3, [4, [5]]]]]),
      difference: difference(range(0, 20, 3), range(0, 20, 2)),
      zipObject: zipObject(["a", "b", "c"], [1, 2]),
    };
    const cloned = cloneDeep({ config, when: new Date(0), re: /x+/gi, map: new Map([["k", { v: 1 }]]) });
    out.objects = {
      merge: merge({}, config, patch),
      get: [get(config, "a.b[1].c"), get(config, ["a", "missing"], "default")],
      set: set(cloneDeep(config), "a.b[2].d", "new"),
      pick: pick(config, ["a.b", "z"]),
      omit: omit(config, ["a"]),
      mapValues: mapValues({ x: 1, y: 2 }, (v) => v * 10),
      isEqual: [isEqual(cloned.config, config), isEqual(cloned.map, new Map([["k", { v: 1 }]])), isEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })],
      cloneDeep: [cloned.when.toISOString(), String(cloned.re), cloned.re.flags, [...cloned.map]],
      toPath: toPath("a[0].b['c.d'].e"),
    };
    let calls = 0;
    const fib = memoize((n: number): number => (calls++, n < 2 ? n : fib(n - 1) + fib(n - 2)));
    out.memoize = [fib(40), calls];
    out.timers = await timers();
    return Response.json(out);
  }
}

// debounce and throttle, driven by the room's setTimeout.
function timers(): Promise<unknown> {
  return new Promise((resolve) => {
    const seen: string[] = [];
    const d = debounce((x: string) => seen.push("debounced " + x), 30);
    const th = throttle((x: string) => seen.push("throttled " + x), 1000, { leading: true, trailing: false });
    for (const x of ["a", "b", "c"]) {
      d(x);
      th(x);
    }
    setTimeout(() => {
      d.cancel();
      resolve(seen);
    }, 120);
  });
}
