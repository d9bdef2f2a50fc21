// gen.mjs writes the Unicode property tables that bindings/es uses to expand
// \p{…} in regular expressions. The sets are read from the V8 that runs this
// script (Node 20, whose ICU defines them), so the expansion matches V8 code
// point for code point. The property names come from the ECMAScript alias
// tables (unicode-property-*-aliases-ecmascript).
//
// Run: npm ci && node gen.mjs ../../unicode_properties.txt.gz
//
// Output (gzip of text lines):
//   version <unicode version>
//   alias <property alias> <canonical property>
//   value <canonical property> <value alias> <canonical value>
//   set <General_Category|Script|Script_Extensions|Binary>:<canonical> <ranges>
// ranges are hex "start-end" or "cp", joined by ",".
import fs from "node:fs";
import zlib from "node:zlib";
import propertyAliases from "unicode-property-aliases-ecmascript";
import valueAliases from "unicode-property-value-aliases-ecmascript";

const out = [`version ${process.versions.unicode}`];
const enumerated = new Set(["General_Category", "Script", "Script_Extensions"]);
const binary = new Set();
for (const [alias, canonical] of propertyAliases) {
  out.push(`alias ${alias} ${canonical}`);
  if (!enumerated.has(canonical)) binary.add(canonical);
}
// Binary properties whose canonical name has no alias are not in the alias map.
for (const name of ["ASCII", "Any", "Assigned", "Emoji", "Emoji_Component", "Emoji_Modifier", "Emoji_Modifier_Base", "Emoji_Presentation", "Extended_Pictographic", "ID_Compat_Math_Continue", "ID_Compat_Math_Start", "InCB", "Modifier_Combining_Mark"]) {
  binary.add(name);
}

// All code points as one string per surrogate-free block; surrogates alone.
const low = [], high = [];
for (let cp = 0; cp < 0xd800; cp++) low.push(String.fromCodePoint(cp));
for (let cp = 0xe000; cp <= 0x10ffff; cp++) high.push(String.fromCodePoint(cp));
const blocks = [[low.join(""), 0], [high.join(""), 0xe000]];

function ranges(escape) {
  let re;
  try {
    re = new RegExp(escape + "+", "gu");
  } catch {
    return null; // not a property this V8 knows
  }
  const single = new RegExp("^" + escape + "$", "u");
  const list = [];
  for (const [text] of blocks) {
    for (const m of text.matchAll(re)) {
      const first = m[0].codePointAt(0);
      const last = String.prototype.codePointAt.call(m[0], m[0].length - (m[0].codePointAt(m[0].length - 2) > 0xffff ? 2 : 1));
      list.push([first, last]);
    }
  }
  for (let cp = 0xd800; cp <= 0xdfff; cp++) {
    if (single.test(String.fromCharCode(cp))) {
      const prev = list.find((r) => r[1] === cp - 1);
      if (prev) prev[1] = cp; else list.push([cp, cp]);
    }
  }
  list.sort((a, b) => a[0] - b[0]);
  // Merge runs that touch across the surrogate boundary.
  const merged = [];
  for (const r of list) {
    const top = merged[merged.length - 1];
    if (top && top[1] + 1 >= r[0]) top[1] = Math.max(top[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged.map(([a, b]) => (a === b ? a.toString(16) : a.toString(16) + "-" + b.toString(16))).join(",");
}

let sets = 0;
for (const [property, values] of valueAliases) {
  const known = new Map();
  for (const [, canonical] of values) {
    if (known.has(canonical)) continue;
    // V8 rejects a few values the alias table lists (Katakana_Or_Hiragana).
    known.set(canonical, ranges(`\\p{${property}=${canonical}}`));
  }
  for (const [alias, canonical] of values) {
    if (known.get(canonical) !== null) out.push(`value ${property} ${alias} ${canonical}`);
  }
  for (const [value, r] of known) {
    if (r === null) {
      console.error(`skipping ${property}=${value}: unknown to this V8`);
      continue;
    }
    out.push(`set ${property}:${value} ${r}`);
    sets++;
  }
}
for (const name of [...binary].sort()) {
  const r = ranges(`\\p{${name}}`);
  if (r === null) {
    console.error(`skipping binary property ${name}: unknown to this V8`);
    continue;
  }
  out.push(`set Binary:${name} ${r}`);
  sets++;
}
fs.writeFileSync(process.argv[2], zlib.gzipSync(out.join("\n") + "\n", { level: 9 }));
console.error(`wrote ${sets} sets for Unicode ${process.versions.unicode} to ${process.argv[2]}`);
