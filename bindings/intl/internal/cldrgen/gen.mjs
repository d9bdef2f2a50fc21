// gen.mjs extracts the part of Unicode CLDR 48 (the version in Node 20's
// ICU 78) that bindings/intl formats with, for the locales gopk ships.
// Run: npm ci && node gen.mjs ../../cldr.json.gz
import fs from "node:fs";
import zlib from "node:zlib";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);

export const locales = ["en", "en-GB", "de", "fr", "ja", "ar", "ar-EG", "pt", "pt-PT", "es", "it", "nl", "zh", "ko", "ru"];
const currencies = ["USD", "EUR", "JPY", "GBP", "BRL", "EGP", "CHF", "CNY", "INR", "KRW", "RUB", "CAD", "AUD", "MXN"];
const units = ["length-kilometer", "length-meter", "length-centimeter", "length-mile", "length-foot", "length-inch",
  "mass-kilogram", "mass-gram", "mass-pound", "duration-second", "duration-minute", "duration-hour", "duration-day",
  "duration-week", "duration-month", "duration-year", "duration-millisecond", "temperature-celsius",
  "temperature-fahrenheit", "concentration-percent", "digital-byte", "digital-kilobyte", "digital-megabyte",
  "digital-gigabyte", "volume-liter", "speed-kilometer-per-hour", "speed-mile-per-hour"];
const fieldNames = ["year", "quarter", "month", "week", "day", "hour", "minute", "second"];

function pick(obj, keys) {
  const out = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

const data = { cldr: "48", locales: {}, supplemental: {} };
for (const loc of locales) {
  const nums = require(`cldr-numbers-full/main/${loc}/numbers.json`).main[loc].numbers;
  const ns = nums.defaultNumberingSystem;
  const numbers = { defaultNumberingSystem: ns, minimumGroupingDigits: nums.minimumGroupingDigits };
  for (const sys of new Set([ns, "latn"])) {
    numbers[sys] = {
      symbols: nums[`symbols-numberSystem-${sys}`],
      decimal: nums[`decimalFormats-numberSystem-${sys}`],
      percent: nums[`percentFormats-numberSystem-${sys}`],
      currency: nums[`currencyFormats-numberSystem-${sys}`],
    };
  }
  const cur = require(`cldr-numbers-full/main/${loc}/currencies.json`).main[loc].numbers.currencies;
  const greg = require(`cldr-dates-full/main/${loc}/ca-gregorian.json`).main[loc].dates.calendars.gregorian;
  const fields = require(`cldr-dates-full/main/${loc}/dateFields.json`).main[loc].dates.fields;
  const relative = {};
  for (const f of fieldNames) for (const suffix of ["", "-short", "-narrow"]) relative[f + suffix] = fields[f + suffix];
  const lists = require(`cldr-misc-full/main/${loc}/listPatterns.json`).main[loc].listPatterns;
  const u = require(`cldr-units-full/main/${loc}/units.json`).main[loc].units;
  const unitData = {};
  for (const width of ["long", "short", "narrow"]) unitData[width] = pick(u[width], units);
  data.locales[loc] = {
    numbers,
    currencies: pick(cur, currencies),
    gregorian: pick(greg, ["months", "days", "dayPeriods", "eras", "dateFormats", "timeFormats", "dateTimeFormats", "dateTimeFormats-atTime"]),
    relative,
    lists,
    units: unitData,
  };
}
const sup = (f) => require(`cldr-core/supplemental/${f}.json`).supplemental;
data.supplemental.timeData = sup("timeData").timeData;
data.supplemental.currencyFractions = sup("currencyData").currencyData.fractions;
const systems = sup("numberingSystems").numberingSystems;
data.supplemental.digits = {};
for (const [name, sys] of Object.entries(systems)) if (sys._type === "numeric") data.supplemental.digits[name] = sys._digits;
const likely = sup("likelySubtags").likelySubtags;
data.supplemental.likelySubtags = pick(likely, locales.filter((l) => !l.includes("-")));
data.supplemental.pluralCategories = {};
for (const kind of ["cardinal", "ordinal"]) {
  const rules = require(`cldr-core/supplemental/${kind === "cardinal" ? "plurals" : "ordinals"}.json`).supplemental[`plurals-type-${kind}`];
  data.supplemental.pluralCategories[kind] = {};
  for (const loc of locales) {
    const lang = loc.split("-")[0];
    const cats = {};
    for (const key of Object.keys(rules[lang] || {})) cats[key.replace("pluralRule-count-", "")] = true;
    data.supplemental.pluralCategories[kind][lang] = cats;
  }
}
fs.writeFileSync(process.argv[2], zlib.gzipSync(JSON.stringify(data), { level: 9 }));
console.error(`wrote CLDR ${data.cldr} data for ${locales.length} locales to ${process.argv[2]}`);
