package intl

import (
	"testing"

	"github.com/dop251/goja"

	"gopk/bindings/es"
	"gopk/bindings/es/estest"
)

func setup(vm *goja.Runtime) error {
	if err := es.Install(vm); err != nil {
		return err
	}
	return Install(vm)
}

// locales the output must match Node 20 in, code point for code point.
const locales = `["en-US", "de-DE", "fr-FR", "ja-JP", "ar-EG", "pt-BR"]`

// each maps f over the six locales.
func each(f string) string { return locales + ".map(l => " + f + ")" }

var intlCases = []estest.Case{
	{Name: "decimal", Expr: each(`new Intl.NumberFormat(l).format(1234567.891)`)},
	{Name: "negative and small", Expr: each(`[-1234.5, 0, -0, 0.5, 1e21, 123].map(x => x.toLocaleString(l))`)},
	{Name: "rounding half-expand", Expr: each(`[1.005, 2.5, 0.125, 1.0005].map(x => new Intl.NumberFormat(l, {maximumFractionDigits: 2}).format(x))`)},
	{Name: "fraction digits", Expr: each(`new Intl.NumberFormat(l, {minimumFractionDigits: 2, maximumFractionDigits: 4}).format(3.14159)`)},
	{Name: "significant digits", Expr: each(`new Intl.NumberFormat(l, {maximumSignificantDigits: 3}).format(123456.7)`)},
	{Name: "no grouping", Expr: each(`new Intl.NumberFormat(l, {useGrouping: false}).format(1234567.5)`)},
	{Name: "four digits grouping", Expr: each(`(1234).toLocaleString(l)`)},
	{Name: "percent", Expr: each(`[0.256, -0.5, 1].map(x => new Intl.NumberFormat(l, {style: "percent"}).format(x))`)},
	{Name: "currency EUR", Expr: each(`new Intl.NumberFormat(l, {style: "currency", currency: "EUR"}).format(-1234.5)`)},
	{Name: "currency USD", Expr: each(`new Intl.NumberFormat(l, {style: "currency", currency: "USD"}).format(1234.5)`)},
	{Name: "currency JPY", Expr: each(`new Intl.NumberFormat(l, {style: "currency", currency: "JPY"}).format(1234.5)`)},
	{Name: "currency code", Expr: each(`new Intl.NumberFormat(l, {style: "currency", currency: "USD", currencyDisplay: "code"}).format(12)`)},
	{Name: "currency name", Expr: each(`new Intl.NumberFormat(l, {style: "currency", currency: "EUR", currencyDisplay: "name"}).format(2)`)},
	{Name: "compact short", Expr: each(`[999, 1234, 12345, 1234567, 1500000000].map(x => new Intl.NumberFormat(l, {notation: "compact"}).format(x))`)},
	{Name: "compact long", Expr: each(`[1234, 2500000].map(x => new Intl.NumberFormat(l, {notation: "compact", compactDisplay: "long"}).format(x))`)},
	{Name: "units", Expr: each(`[["kilometer", 12.5], ["hour", 1], ["hour", 3], ["megabyte", 1024], ["celsius", 21]].map(([u, v]) => new Intl.NumberFormat(l, {style: "unit", unit: u}).format(v))`)},
	{Name: "units long", Expr: each(`new Intl.NumberFormat(l, {style: "unit", unit: "kilometer-per-hour", unitDisplay: "long"}).format(50)`)},
	{Name: "sign display", Expr: each(`[new Intl.NumberFormat(l, {signDisplay: "always"}).format(5), new Intl.NumberFormat(l, {signDisplay: "exceptZero"}).format(0)]`)},
	{Name: "BigInt", Expr: each(`(12345678901234567890n).toLocaleString(l)`)},
	{Name: "NaN and Infinity", Expr: each(`[NaN, -Infinity].map(x => x.toLocaleString(l))`)},
	{Name: "resolvedOptions number", Expr: each(`(o => [o.locale, o.numberingSystem, o.style, o.minimumFractionDigits, o.maximumFractionDigits])(new Intl.NumberFormat(l, {style: "currency", currency: "JPY"}).resolvedOptions())`)},
	{Name: "currency required", Expr: `new Intl.NumberFormat("en", {style: "currency"})`},
	{Name: "bad option value", Expr: `new Intl.NumberFormat("en", {style: "bogus"})`},
	{Name: "bad locale", Expr: `new Intl.NumberFormat("not a locale")`},

	{Name: "date default", Expr: each(`new Intl.DateTimeFormat(l, {timeZone: "UTC"}).format(new Date(Date.UTC(2024, 0, 5, 15, 4, 5)))`)},
	{Name: "dateStyle", Expr: each(`["full", "long", "medium", "short"].map(s => new Date(Date.UTC(2024, 2, 9, 8, 7, 6)).toLocaleDateString(l, {dateStyle: s, timeZone: "UTC"}))`)},
	{Name: "timeStyle", Expr: each(`["medium", "short"].map(s => new Date(Date.UTC(2024, 2, 9, 18, 7, 6)).toLocaleTimeString(l, {timeStyle: s, timeZone: "UTC"}))`)},
	{Name: "dateStyle and timeStyle", Expr: each(`new Intl.DateTimeFormat(l, {dateStyle: "long", timeStyle: "short", timeZone: "UTC"}).format(Date.UTC(2024, 6, 14, 9, 30))`)},
	{Name: "toLocaleString", Expr: each(`new Date(Date.UTC(2024, 11, 31, 23, 59, 58)).toLocaleString(l, {timeZone: "UTC"})`)},
	{Name: "toLocaleTimeString", Expr: each(`new Date(Date.UTC(2024, 11, 31, 0, 5, 9)).toLocaleTimeString(l, {timeZone: "UTC"})`)},
	{Name: "components long month", Expr: each(`new Date(Date.UTC(2024, 4, 1)).toLocaleDateString(l, {year: "numeric", month: "long", day: "numeric", timeZone: "UTC"})`)},
	{Name: "components weekday", Expr: each(`new Date(Date.UTC(2024, 4, 1)).toLocaleDateString(l, {weekday: "long", year: "numeric", month: "short", day: "numeric", timeZone: "UTC"})`)},
	{Name: "components 2-digit", Expr: each(`new Date(Date.UTC(2024, 4, 1, 7, 3)).toLocaleString(l, {year: "2-digit", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: "UTC"})`)},
	{Name: "month and year", Expr: each(`new Date(Date.UTC(2024, 8, 1)).toLocaleDateString(l, {month: "long", year: "numeric", timeZone: "UTC"})`)},
	{Name: "hour12 false", Expr: each(`new Date(Date.UTC(2024, 8, 1, 13, 5)).toLocaleTimeString(l, {hour: "numeric", minute: "2-digit", hour12: false, timeZone: "UTC"})`)},
	{Name: "hour12 true", Expr: each(`new Date(Date.UTC(2024, 8, 1, 13, 5)).toLocaleTimeString(l, {hour: "numeric", minute: "2-digit", hour12: true, timeZone: "UTC"})`)},
	{Name: "time zones", Expr: each(`["America/New_York", "Asia/Tokyo", "Europe/Berlin", "Asia/Kolkata"].map(z => new Date(Date.UTC(2024, 6, 1, 12, 0)).toLocaleString(l, {timeZone: z}))`)},
	{Name: "weekday only", Expr: each(`new Intl.DateTimeFormat(l, {weekday: "short", timeZone: "UTC"}).format(Date.UTC(2024, 0, 1))`)},
	{Name: "resolvedOptions date", Expr: each(`(o => [o.locale, o.timeZone, o.calendar, o.numberingSystem, o.year, o.month, o.day])(new Intl.DateTimeFormat(l, {timeZone: "Asia/Tokyo"}).resolvedOptions())`)},
	{Name: "invalid time zone", Expr: `new Intl.DateTimeFormat("en", {timeZone: "Mars/Base"})`},
	{Name: "invalid date", Expr: `[new Date(NaN).toLocaleString("en-US"), new Date(NaN).toLocaleDateString("de-DE")]`},
	{Name: "format invalid", Expr: `new Intl.DateTimeFormat("en").format(NaN)`},
	{Name: "dateStyle with components", Expr: `new Intl.DateTimeFormat("en", {dateStyle: "short", year: "numeric"})`},

	{Name: "collator sort", Expr: each(`["b", "a", "ä", "z", "A", "Z", "é", "e"].sort(new Intl.Collator(l).compare)`)},
	{Name: "collator numeric", Expr: each(`["item10", "item2", "item1"].sort(new Intl.Collator(l, {numeric: true}).compare)`)},
	{Name: "collator sensitivity", Expr: each(`[["a", "A"], ["a", "á"], ["a", "b"]].map(([x, y]) => [new Intl.Collator(l, {sensitivity: "base"}).compare(x, y), new Intl.Collator(l, {sensitivity: "accent"}).compare(x, y)])`)},
	{Name: "localeCompare", Expr: each(`["résumé".localeCompare("resume", l), "a".localeCompare("B", l), "B".localeCompare("a", l), "x".localeCompare("x", l)]`)},
	{Name: "localeCompare default", Expr: `["b", "a", "C"].sort((x, y) => x.localeCompare(y))`},

	{Name: "plural cardinal", Expr: each(`[0, 1, 2, 3, 5, 11, 100, 1.5].map(n => new Intl.PluralRules(l).select(n))`)},
	{Name: "plural ordinal", Expr: each(`[1, 2, 3, 4, 11, 21, 22].map(n => new Intl.PluralRules(l, {type: "ordinal"}).select(n))`)},
	{Name: "plural categories", Expr: each(`new Intl.PluralRules(l).resolvedOptions().pluralCategories`)},
	{Name: "plural needs new", Expr: `Intl.PluralRules()`},

	{Name: "relative time", Expr: each(`[[-1, "day"], [2, "hours"], [-3, "month"], [1, "year"], [0, "second"], [-5, "minutes"]].map(([v, u]) => new Intl.RelativeTimeFormat(l).format(v, u))`)},
	{Name: "relative time auto", Expr: each(`[[-1, "day"], [1, "day"], [0, "year"], [2, "day"]].map(([v, u]) => new Intl.RelativeTimeFormat(l, {numeric: "auto"}).format(v, u))`)},
	{Name: "relative time short", Expr: each(`new Intl.RelativeTimeFormat(l, {style: "short"}).format(-3, "week")`)},
	{Name: "relative time bad unit", Expr: `new Intl.RelativeTimeFormat("en").format(1, "fortnight")`},

	{Name: "list conjunction", Expr: each(`[["a"], ["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d"]].map(x => new Intl.ListFormat(l).format(x))`)},
	{Name: "list disjunction", Expr: each(`new Intl.ListFormat(l, {type: "disjunction"}).format(["x", "y", "z"])`)},
	{Name: "list unit short", Expr: each(`new Intl.ListFormat(l, {type: "unit", style: "short"}).format(["1", "2", "3"])`)},

	{Name: "segmenter graphemes", Expr: `[...new Intl.Segmenter("en", {granularity: "grapheme"}).segment("e\u0301👍🏽🇩🇪a")].map(s => [s.segment, s.index])`},
	{Name: "segmenter words", Expr: `[...new Intl.Segmenter("en", {granularity: "word"}).segment("Hello, world! 42 times.")].map(s => [s.segment, s.index, s.isWordLike])`},
	{Name: "segmenter isWordLike", Expr: `["😀", "👍🏽 ok", "👨‍👩‍👧", "🇫🇷", "#️⃣", "1️⃣", "©", "™", "€5", "½", "①", "²", "_", "__", "a_b", "١٢", "٫", "Ⅻ", "ʰ", "ｱ", "あ", "漢", "한", "ก", "Ⓐ", "x\u0301", "\u0301", "can't", "3.14", "¿Qué?", "e-mail"].map(x => [...new Intl.Segmenter("en", {granularity: "word"}).segment(x)].map(s => [s.segment, s.isWordLike]))`},
	{Name: "segmenter containing", Expr: `(s => [s.containing(0).segment, s.containing(3).segment, s.containing(99)])(new Intl.Segmenter("en", {granularity: "word"}).segment("ab cd"))`},

	{Name: "supportedLocalesOf", Expr: `Intl.NumberFormat.supportedLocalesOf(["de-DE", "fr", "ja-JP"])`},
	{Name: "getCanonicalLocales", Expr: `Intl.getCanonicalLocales(["EN-us", "de-de"])`},
	{Name: "Intl shape", Expr: `[typeof Intl, Object.prototype.toString.call(Intl), typeof Intl.NumberFormat, Intl.NumberFormat.name, Object.prototype.toString.call(new Intl.NumberFormat()), Intl.NumberFormat() instanceof Intl.NumberFormat]`},
	{Name: "format is bound", Expr: `var f = new Intl.NumberFormat("de-DE").format; [1000, 2000].map(f)`},
	{Name: "default locale", Expr: `[(1234.5).toLocaleString(), new Intl.NumberFormat().resolvedOptions().locale]`},
}

func TestIntlMatchesNode20(t *testing.T) {
	estest.Compare(t, setup, intlCases)
}
