package es

import (
	"testing"

	"gopk/bindings/es/estest"
)

// Regexps built with new RegExp(source, flags), which is how the bundler
// hands property escapes to the runtime. Each must match as in V8.
var regexpCases = []estest.Case{
	{Name: "gc Letter", Expr: `["a", "é", "ж", "中", "1", " ", "😀", "𝒜"].map(c => new RegExp("^\\p{L}$", "u").test(c))`},
	{Name: "gc long and short names", Expr: `["\\p{Letter}", "\\p{L}", "\\p{gc=L}", "\\p{General_Category=Letter}", "\\p{Lu}", "\\p{Uppercase_Letter}", "\\p{Nd}", "\\p{digit}", "\\p{Cs}", "\\p{Co}", "\\p{Cn}", "\\p{LC}", "\\p{Cased_Letter}", "\\p{punct}", "\\p{Zs}", "\\p{So}", "\\p{Me}"].map(p => "aZ9\u00e9\u0130\u00a0\u2028!?\uE000\u0378\u20dd\u{1F600}" + String.fromCodePoint(0x10FFFF)).replace(new RegExp(p, "gu"), "*"))`},
	{Name: "negated", Expr: `["\\P{L}", "[\\P{L}]", "[^\\p{L}]", "[^\\P{L}]", "[\\p{N}\\p{Lu}]", "[^\\p{N}a-z]", "[\\P{N}\\P{L}]"].map(p => "aB3 é5😀".replace(new RegExp(p, "gu"), "_"))`},
	{Name: "scripts", Expr: `["Latin", "Greek", "Cyrillic", "Han", "Hiragana", "Katakana", "Arabic", "Hebrew", "Devanagari", "Thai", "Hangul", "Common", "Inherited", "Zyyy", "Grek", "Unknown"].map(s => "aα жあア中ع\u05d0\u0915\u0e01\uac00 1\u0301\u0378".replace(new RegExp("\\p{Script=" + s + "}", "gu"), "#"))`},
	{Name: "script extensions", Expr: `["Latin", "Greek", "Han", "Hira", "Arab", "Deva", "Kana"].map(s => "\u30fc\u3001\u0640\u0964a\u0342".replace(new RegExp("\\p{scx=" + s + "}", "gu"), "#"))`},
	{Name: "script vs extensions differ", Expr: `[new RegExp("\\p{sc=Hira}", "u").test("\u30fc"), new RegExp("\\p{scx=Hira}", "u").test("\u30fc")]`},
	{Name: "binary properties", Expr: `["ASCII", "Any", "Assigned", "Alphabetic", "Alpha", "White_Space", "space", "Emoji", "Emoji_Presentation", "Emoji_Modifier", "Emoji_Modifier_Base", "Emoji_Component", "Extended_Pictographic", "ExtPict", "Regional_Indicator", "ID_Start", "ID_Continue", "Uppercase", "Lowercase", "Math", "Dash", "Hex_Digit", "Ideographic", "Variation_Selector", "Noncharacter_Code_Point", "Default_Ignorable_Code_Point"].map(p => "a#1 \u00a9\u2122\u{1F600}\u{1F3FB}\u{1F1E6}\u200d\ufe0f\u4e00-+\uFFFF\u0378\u00ad".replace(new RegExp("\\p{" + p + "}", "gu"), "*"))`},
	{Name: "emoji sequences (zod .emoji())", Expr: `var re = new RegExp("^(\\p{Extended_Pictographic}|\\p{Emoji_Component})+$", "u"); ["😀", "👍🏽", "🇩🇪", "👨‍👩‍👧", "❤️", "a", "😀x", "1", "#️⃣"].map(s => re.test(s))`},
	{Name: "Unicode 15.1 to 17 additions", Expr: `["\u{2FFC}", "\u{31350}", "\u{1FAE9}", "\u{1FAC6}", "\u{10D40}", "\u{1E5D0}", "\u{16D40}", "\u{11B60}"].map(c => [new RegExp("\\p{Assigned}", "u").test(c), new RegExp("\\p{L}", "u").test(c), new RegExp("\\p{Emoji}", "u").test(c)])`},
	{Name: "surrogates and astral", Expr: `["\uD800", "\uDC00", "\uD83D\uDE00", "x\uD800"].map(s => [new RegExp("\\p{Cs}", "u").test(s), new RegExp("^\\P{L}+$", "u").test(s), new RegExp("^.$", "u").test(s)])`},
	{Name: "ignore case", Expr: `[new RegExp("^\\p{Lu}+$", "iu").test("abc"), new RegExp("^\\p{Ll}$", "iu").test("\u212A"), new RegExp("^\\P{Lu}$", "iu").test("A"), new RegExp("\\p{Lu}", "giu").exec("123x")[0]]`},
	{Name: "global, sticky, lastIndex", Expr: `var re = new RegExp("\\p{N}+", "gu"); var s = "a12b٣٤c"; [re.exec(s)[0], re.lastIndex, re.exec(s)[0], re.lastIndex, re.exec(s), re.lastIndex]`},
	{Name: "sticky", Expr: `var re = new RegExp("\\p{L}", "uy"); [re.test("ab"), re.lastIndex, re.test("a1"), re.test("a1")]`},
	{Name: "String methods", Expr: `var re = new RegExp("\\p{Lu}", "gu"); ["HeLLo Wörld Ñ".match(re), "aBcD".split(new RegExp("\\p{Lu}", "u")), "aBc".replace(new RegExp("\\p{Lu}", "u"), "_"), [..."xAyB".matchAll(re)].map(m => m.index), "abC".search(new RegExp("\\p{Lu}", "u"))]`},
	{Name: "named groups and quantifiers", Expr: `var m = new RegExp("(?<word>\\p{L}{2,3})(?<num>\\p{Nd}+)?", "u").exec("--Strasse99"); [m[0], m.groups.word, m.groups.num, m.index]`},
	{Name: "named groups on non-ASCII input", Expr: `var m = new RegExp("(?<word>\\p{L}{2,3})(?<num>\\p{Nd}+)?", "u").exec("--Straße99"); var n = new RegExp("(?<w>[a-z]+)", "u").exec("ß-ab"); [m[0], m.groups.word, m.groups.num, "num" in m.groups, n.groups.w, "ß1".replace(new RegExp("(?<d>\\d)", "u"), "<$<d>>"), /(?<x>b)/u.exec("äb").groups.x]`},
	{Name: "source, flags, toString", Expr: `var re = new RegExp("\\p{Script=Greek}+", "gu"); [re.source, re.flags, String(re), re.global, re.unicode]`},
	{Name: "copy keeps source", Expr: `var re = new RegExp("\\p{L}", "u"); var c = new RegExp(re, "gu"); [c.source, c.flags, c.test("é"), RegExp(re) === re, new RegExp(re) === re]`},
	{Name: "instanceof and constructor", Expr: `var re = new RegExp("\\p{L}", "u"); [re instanceof RegExp, re.constructor === RegExp, /x/.constructor === RegExp, Object.getPrototypeOf(re) === RegExp.prototype, RegExp[Symbol.species] === RegExp, typeof RegExp, RegExp.name, RegExp.length]`},
	{Name: "called without new", Expr: `var re = RegExp("\\p{Nd}", "u"); [re.test("٣"), re instanceof RegExp]`},
	{Name: "subclass", Expr: `class R extends RegExp { exec(s) { this.calls = (this.calls || 0) + 1; return super.exec(s); } }; var r = new R("\\p{Lu}", "gu"); ["aBC".replace(r, "-"), r.calls > 0, r instanceof R, r instanceof RegExp, r.source]`},
	{Name: "species split", Expr: `"a1b٢c".split(new RegExp("\\p{Nd}", "u"))`},
	{Name: "without u flag is an identity escape", Expr: `[new RegExp("\\p{L}").test("p{L}"), new RegExp("\\p{L}").test("a")]`},
	{Name: "unknown property", Expr: `new RegExp("\\p{Letterz}", "u")`},
	{Name: "unknown value", Expr: `new RegExp("\\p{Script=Klingon}", "u")`},
	{Name: "loose matching is not allowed", Expr: `new RegExp("\\p{letter}", "u")`},
	{Name: "binary with value is invalid", Expr: `new RegExp("\\p{ASCII=Yes}", "u")`},
	{Name: "Katakana_Or_Hiragana rejected", Expr: `new RegExp("\\p{Script=Hrkt}", "u")`},
	{Name: "missing braces", Expr: `new RegExp("\\p", "u")`},
	{Name: "escaped backslash is not an escape", Expr: `[new RegExp("\\\\p", "u").test("\\p"), new RegExp("[\\\\p]", "u").test("p"), new RegExp("\\\\\\p{L}", "u").test("\\a")]`},
	{Name: "unicode regexp without property escapes untouched", Expr: `[new RegExp("^.$", "u").test("😀"), new RegExp("\\u{1F600}", "u").test("😀"), new RegExp("[😀-😂]", "u").test("😁")]`},
	{Name: "regexp literal via esbuild", Expr: `new RegExp("^\\p{Emoji_Presentation}+$", "u").test("🎉🎉")`},
	// esbuild lowers \p{…} outside a class to new RegExp but leaves a literal
	// with \p{…} only inside classes; goja compiles such literals itself, as
	// it does every literal in eval and new Function code.
	{Name: "literal with property escapes in a class", Expr: `[/^[\p{L}\p{N}-]+$/u.test("abc"), /^[\p{L}\p{N}-]+$/u.test("a😀"), "aBcD".replace(/[\p{Lu}]/gu, "_"), "aB1c".split(/[\p{Nd}]/u), /[^\p{L}]/u.exec("ab1")[0], [..."xAyB".matchAll(/[\p{Lu}]/gu)].map(m => m.index), "ab1".search(/[\p{N}]/u)]`},
	{Name: "literal in new Function keeps lastIndex", Expr: `var re = new Function("return /\\p{N}+/gu")(); var s = "a12b٣٤c"; [re.exec(s)[0], re.lastIndex, re.test(s), re.lastIndex, re.exec(s), re.lastIndex, s.replace(re, "#"), re.source, String(re), re.flags]`},
	{Name: "literal sticky and named groups", Expr: `var re = /(?<w>\p{L}+)/uy; [re.exec("ab1")?.groups.w, re.lastIndex, re.exec("ab1"), re.lastIndex]`},
	{Name: "test calls exec", Expr: `var re = /a/; re.exec = function () { return null; }; var bad = /b/; bad.exec = function () { return 1; }; [re.test("a"), /b/.test("b"), (() => { try { return bad.test("b"); } catch (e) { return e.name; } })()]`},
	{Name: "compile replaces the pattern", Expr: `var re = new RegExp("\\p{Lu}", "u"); re.compile("\\p{Nd}", "u"); [re.source, re.test("5"), re.test("A"), String(re)]`},
	// goja's regexp2 engine files classes under keys where surrogates read
	// as U+FFFD; different surrogate classes in one pattern must stay apart.
	{Name: "surrogate classes (lodash reUnicode)", Expr: `var fitz = "\\ud83c[\\udffb-\\udfff]", combo = "[\\u0300-\\u036f\\ufe20-\\ufe2f\\u20d0-\\u20ff]", regional = "(?:\\ud83c[\\udde6-\\uddff]){2}", pair = "[\\ud800-\\udbff][\\udc00-\\udfff]", mod = "(?:" + combo + "|" + fitz + ")?", seq = "[\\ufe0e\\ufe0f]?" + mod + "(?:\\u200d(?:[^\\ud800-\\udfff]|" + regional + "|" + pair + ")[\\ufe0e\\ufe0f]?" + mod + ")*", re = new RegExp(fitz + "(?=" + fitz + ")|(?:[^\\ud800-\\udfff]" + combo + "?|" + combo + "|" + regional + "|" + pair + "|[\\ud800-\\udfff])" + seq, "g"); ["emoji 😀 in", "👍🏽 x", "🇫🇷🇩🇪", "👨‍👩‍👧!", "e\u0301t", "𝒜b", "lone \ud800 x"].map(s => s.match(re))`},
	{Name: "surrogate classes with lastIndex, split, replace", Expr: `var re = /[\ud800-\udbff][\udc00-\udfff]|[^\ud800-\udfff]/g; var p = new RegExp("[\\ud800-\\udbff][\\udc00-\\udfff]", "g"); [re.exec("a😀")[0], re.exec("a😀")[0], re.lastIndex, "a😀b😁".split(/[\ud800-\udbff][\udc00-\udfff]/), "a😀b😁".replace(p, "#"), p.source, String(p), /[\ud800-\udbff](?=[\udc00-\udfff])/.exec("x😀")?.index]`},
	{Name: "surrogate classes with class escapes and Annex B atoms", Expr: `[/[\d\ud800-\udbff]x[\w-\udc00]/.exec("5x-")?.[0], /[^-\ud800-\udbff]/.exec("-😀x")[0], /[\b\0\x41\cJ\u0042\101-\103\ud800]/g[Symbol.match]("\bA\nBC\0"), /[\s\ud800][\S\udc00]/.exec(" \udc00")?.[0], /[\ud800-\udbff]/i.test("\ud83d"), /[😀][\ude00]/.exec("😀")?.[0]]`},
	{Name: "lone surrogate beside a property escape", Expr: `[new RegExp("\\p{Lu}|\ud800", "u").exec("x\ud800")?.[0] === "\ud800", new RegExp("[\\p{Lu}\udc00]", "u").test("\udc00")]`},
}

func TestRegExpMatchesNode20(t *testing.T) {
	estest.Compare(t, Install, regexpCases)
}
