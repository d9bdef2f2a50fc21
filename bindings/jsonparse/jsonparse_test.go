package jsonparse

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// pair returns a runtime with the fast parser and one with goja's own.
func pair(t testing.TB) (fast, orig *goja.Runtime) {
	fast, orig = goja.New(), goja.New()
	if err := Install(fast); err != nil {
		t.Fatal(err)
	}
	return fast, orig
}

// describe renders a parse result with what JSON.stringify would hide:
// key order, -0, prototypes, own-property flags, or the thrown error's type.
const describeJS = `(function (text) {
  let v;
  try { v = JSON.parse(text); } catch (e) {
    // goja throws on numbers beyond float64 (1e400); JS makes them ±Infinity.
    return /cannot unmarshal number/.test(e.message) ? "range" : "throws " + e.name;
  }
  const seen = [];
  function d(x) {
    if (x === null) return "null";
    if (typeof x === "number") return Object.is(x, -0) ? "-0" : String(x);
    if (typeof x === "string") return JSON.stringify(x);
    if (typeof x !== "object") return typeof x + ":" + String(x);
    if (Array.isArray(x)) return "[" + x.map(d).join(",") + "]";
    const proto = Object.getPrototypeOf(x) === Object.prototype ? "" : "(odd proto)";
    return proto + "{" + Reflect.ownKeys(x).map(k => {
      const p = Object.getOwnPropertyDescriptor(x, k);
      return JSON.stringify(k) + (p.writable && p.enumerable && p.configurable ? "" : "!") + ":" + d(p.value);
    }).join(",") + "}";
  }
  return d(v);
})`

func describe(t testing.TB, vm *goja.Runtime, text string) string {
	fn, ok := goja.AssertFunction(vm.Get("describe"))
	if !ok {
		v, err := vm.RunString(describeJS)
		if err != nil {
			t.Fatal(err)
		}
		vm.Set("describe", v)
		fn, _ = goja.AssertFunction(v)
	}
	out, err := fn(goja.Undefined(), vm.ToValue(text))
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

var cases = []string{
	`{"id":1,"items":[{"name":"item-0","v":0,"tags":["alpha","beta"]}]}`,
	`  [1, -1, 0, -0, 1.5, -2.25e3, 1E2, 1e-7, 123456789012345, 1234567890123456789, 1e-400, 5e-324]  `,
	`"plain"`, `"esc \" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u4e2d \ud83d\ude00"`, `"ünïcødé 中文 😀"`,
	`true`, `false`, `null`, `{}`, `[]`, `[[],[{}],{"a":[]}]`,
	`{"a":1,"a":2,"b":{"a":3}}`, `{"__proto__":{"x":1},"y":2}`, `{"2":"two","1":"one","b":"b","a":"a"}`,
	`{"":0," ":1}`, `[0.1,0.2,0.30000000000000004]`,
	// Syntax errors: both must throw SyntaxError.
	``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{'a':1}`, `[01]`, `[1.]`, `[.5]`, `[1e]`, `[+1]`, `-`, `tru`, `nul`,
	`"unterminated`, "\"ctrl\x01char\"", `"bad \x escape"`, `"\u12G4"`, `{"a" 1}`, `[1 2]`, `1 2`, `NaN`, `Infinity`,
	`[1]x`, `{"a":1}}`, "[1,\v2]",
	// Lone surrogates: left to goja (its result, whatever it is).
	`"\ud800"`, `"\udc00x"`, `{"\ud800":1}`, `"\ud800\u0041"`,
}

// same compares the two parsers on text; where goja fails on a number
// out of float64's range, the fast parser must give what JS gives.
func same(t *testing.T, fast, orig *goja.Runtime, text string) {
	got, want := describe(t, fast, text), describe(t, orig, text)
	if want == "range" && !strings.HasPrefix(got, "throws") {
		return
	}
	if got != want {
		t.Errorf("JSON.parse(%q):\n fast %s\n goja %s", text, got, want)
	}
}

func TestMatchesGojaJSONParse(t *testing.T) {
	fast, orig := pair(t)
	for _, c := range cases {
		same(t, fast, orig, c)
	}
}

func TestNumbersBeyondFloat64AsInJS(t *testing.T) {
	fast, _ := pair(t)
	if got := describe(t, fast, `[1e400,-1e400,1e-400,-1e-400]`); got != `[Infinity,-Infinity,0,-0]` {
		t.Errorf("got %s, want [Infinity,-Infinity,0,-0] as in JS", got)
	}
}

func TestDeepNestingAndReviverGoToGoja(t *testing.T) {
	fast, orig := pair(t)
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	if got, want := describe(t, fast, deep), describe(t, orig, deep); got != want {
		t.Errorf("10001 levels: fast %.60s, goja %.60s", got, want)
	}
	v, err := fast.RunString(`JSON.parse('{"a":1,"b":[2,3]}', (k, v) => typeof v === "number" ? v * 10 : v)`)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := fast.RunString(`JSON.stringify(` + "JSON.parse('{\"a\":1,\"b\":[2,3]}', (k, v) => typeof v === 'number' ? v * 10 : v)" + `)`); s.String() != `{"a":10,"b":[20,30]}` {
		t.Errorf("reviver result %v (%v)", s, v)
	}
}

func TestErrorsAreCatchableSyntaxErrors(t *testing.T) {
	fast, _ := pair(t)
	v, err := fast.RunString(`try { JSON.parse("{bad"); "no throw" } catch (e) { (e instanceof SyntaxError) + " " + typeof e.message }`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "true string" {
		t.Errorf("got %q", v)
	}
	v, _ = fast.RunString(`[JSON.parse.name, JSON.parse.length, Object.keys(JSON).length, JSON.parse({toString(){return "[7]"}})[0]].join()`)
	if v.String() != "parse,2,0,7" {
		t.Errorf("function shape / ToString: %q", v)
	}
}

func FuzzMatchesGojaJSONParse(f *testing.F) {
	for _, c := range cases {
		f.Add(c)
	}
	fast, orig := pair(f)
	f.Fuzz(func(t *testing.T, text string) { same(t, fast, orig, text) })
}

var benchText = `{"id":42,"items":[` + strings.TrimSuffix(strings.Repeat(`{"name":"item-0","v":42,"tags":["alpha","beta"]},`, 10), ",") + `]}`

func benchmarkParse(b *testing.B, vm *goja.Runtime) {
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	arg := vm.ToValue(benchText)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(goja.Undefined(), arg); err != nil {
			b.Fatal(err)
		}
	}
}

// The P3 message (10 items): go test ./bindings/jsonparse -bench .
func BenchmarkParseFast(b *testing.B) { fast, _ := pair(b); benchmarkParse(b, fast) }
func BenchmarkParseGoja(b *testing.B) { _, orig := pair(b); benchmarkParse(b, orig) }
