package inspect

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// Each case is a JS expression yielding an array of arguments; Format of
// them must print what Node's util.format prints.
var formatCases = []string{
	`["plain", 1, "two", null, undefined, true]`,
	`["%s is %d years and %i days, %f%%", "ann", 41.5, "12.9", "0.25"]`,
	`[{a: 1, b: "x", c: [1, 2, 3], d: {e: {f: {g: 1}}}}]`,
	`[[1, "a", [2, [3, [4, [5]]]]]]`,
	`[new Map([["k", {v: 1}]]), new Set([1, "s"])]`,
	`[{"key-with-dash": 1, valid_id: 2, $d: 3}]`,
	`["%j", {j: [1, {k: "v"}]}]`,
	`["%o", [1, {a: 2}]]`,
	`["%O", {a: {b: {c: {}}}}]`,
	`[function named() {}, () => {}, class K {}, class L extends Array {}]`,
	`[-0, 0, 1e21, 1.5, NaN, -Infinity, 10n]`,
	`["it's", ["it's", 'say "hi"', "both ' and \""]]`,
	`[Symbol("s"), {[Symbol("k")]: 1}]`,
	`[Object.create(null)]`,
	`[new (class Point { constructor() { this.x = 1; this.y = 2; } })()]`,
	`[[]]`,
	`[{}]`,
	`[new Uint8Array([1, 2, 3])]`,
	`[new Array(120).fill(0).length, new Array(3).fill("abc")]`,
	`[{a: "a".repeat(30), b: "b".repeat(30), c: "c".repeat(30)}]`,
	`["100%", "%", "%x"]`,
	`[Promise.resolve(4)]`,
	`[new Date(0)]`,
	`[/re+/gi]`,
	`[new Number(3), new String("s")]`,
}

func TestFormatMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	script := `const util = require("util"); const cases = JSON.parse(process.argv[1]); console.log(JSON.stringify(cases.map(c => util.format(...eval(c)))));`
	in, _ := json.Marshal(formatCases)
	out, err := exec.Command(node, "-e", script, string(in)).Output()
	if err != nil {
		t.Skipf("node failed: %v", err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	vm := goja.New()
	for i, c := range formatCases {
		v, err := vm.RunString(c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		var args []goja.Value
		vm.ForOf(v, func(a goja.Value) bool { args = append(args, a); return true })
		if got := Format(vm, args); got != want[i] {
			t.Errorf("%s\n  got  %q\n  node %q", c, got, want[i])
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"a": "'a'", "it's": `"it's"`, "a\nb": `'a\nb'`, "\x01": `'\x01'`} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	_ = strings.Contains
}
