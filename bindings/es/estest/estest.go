// Package estest compares how expressions evaluate in goja (with gopk's
// installers) and in Node 20 (V8), the engine PartyKit code is written for.
// It is test support for bindings/es and bindings/intl.
package estest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

//go:embed describe.js
var describeSource string

// Case is one expression to evaluate. If Want is set, Node 20 lacks the
// feature (it arrived in a later V8) and Want holds the result the spec
// requires, written the way Describe prints it; Node is then only asked to
// confirm that it indeed lacks the feature (Absent) so the case is revisited
// when the reference engine moves on.
type Case struct {
	Name string
	Expr string
	Want string
	// Absent is an expression that is true in Node 20, showing why Want is needed.
	Absent string
}

// Result of one evaluation in one engine.
type Result struct {
	Value string `json:"value"`
}

// Node returns the path of a node binary whose major version is 20, or skips t.
func Node(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found; the V8 comparison needs Node 20")
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "v20.") {
		t.Skipf("node at %s is %q, the comparison is pinned to Node 20", path, strings.TrimSpace(string(out)))
	}
	return path
}

// wrap turns an expression into a script whose completion value is a string:
// the described value, "await " + description for a settled promise, or
// "throws " + error name.
func wrapExpr(expr string) string {
	return "(0, eval)(" + jsString(expr) + ")"
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// EvalGoja evaluates each case's expression in its own fresh runtime prepared
// by setup and returns the descriptions.
func EvalGoja(t testing.TB, setup func(*goja.Runtime) error, cases []Case) []string {
	t.Helper()
	out := make([]string, len(cases))
	for i, c := range cases {
		vm := goja.New()
		if err := setup(vm); err != nil {
			t.Fatalf("setup: %v", err)
		}
		describe, err := vm.RunString(describeSource)
		if err != nil {
			t.Fatalf("describe.js: %v", err)
		}
		describeFn, _ := goja.AssertFunction(describe)
		out[i] = evalOne(vm, describeFn, c.Expr)
	}
	return out
}

func evalOne(vm *goja.Runtime, describe goja.Callable, expr string) string {
	v, err := vm.RunString(wrapExpr(expr))
	if err != nil {
		return "throws " + errorName(vm, err)
	}
	if p, ok := v.Export().(*goja.Promise); ok {
		switch p.State() {
		case goja.PromiseStateFulfilled:
			d, err := describe(goja.Undefined(), p.Result())
			if err != nil {
				return "describe failed: " + err.Error()
			}
			return "await " + d.String()
		case goja.PromiseStateRejected:
			return "rejects " + valueErrorName(vm, p.Result())
		default:
			return "pending promise"
		}
	}
	d, err := describe(goja.Undefined(), v)
	if err != nil {
		return "describe failed: " + err.Error()
	}
	return d.String()
}

func errorName(vm *goja.Runtime, err error) string {
	if ex, ok := err.(*goja.Exception); ok {
		return valueErrorName(vm, ex.Value())
	}
	if _, ok := err.(*goja.CompilerSyntaxError); ok {
		return "SyntaxError"
	}
	return "GoError " + err.Error()
}

func valueErrorName(vm *goja.Runtime, v goja.Value) string {
	if o, ok := v.(*goja.Object); ok {
		if name := o.Get("name"); name != nil && !goja.IsUndefined(name) {
			return name.String()
		}
	}
	return "non-error " + v.String()
}

// nodeHarness prints one JSON string per case, in order.
const nodeHarness = `
const describe = %s;
const cases = %s;
function errorName(e) { return (e && typeof e === "object" && e.name !== undefined) ? String(e.name) : "non-error " + String(e); }
(async () => {
  const out = [];
  for (const expr of cases) {
    let v;
    try { v = (0, eval)(expr); } catch (e) { out.push("throws " + errorName(e)); continue; }
    if (v instanceof Promise) {
      // Settle like goja: only microtasks, no timers.
      let state = "pending promise";
      v.then(r => { state = "await " + describe(r); }, e => { state = "rejects " + errorName(e); });
      await new Promise(r => setImmediate(r));
      out.push(state);
      continue;
    }
    out.push(describe(v));
  }
  process.stdout.write(JSON.stringify(out));
})();
`

// EvalNode evaluates the expressions in one Node process (TZ=UTC) and returns
// the descriptions.
func EvalNode(t testing.TB, exprs []string) []string {
	t.Helper()
	node := Node(t)
	list, _ := json.Marshal(exprs)
	script := fmt.Sprintf(nodeHarness, describeSource, list)
	file := filepath.Join(t.TempDir(), "cases.js")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, file)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	var res []string
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output: %v\n%s", err, out)
	}
	if len(res) != len(exprs) {
		t.Fatalf("node returned %d results for %d cases", len(res), len(exprs))
	}
	return res
}

// Compare evaluates every case in goja and in Node 20 and fails the test on
// each difference, naming the case and showing both results.
func Compare(t *testing.T, setup func(*goja.Runtime) error, cases []Case) {
	t.Helper()
	var exprs []string
	for _, c := range cases {
		if c.Want != "" {
			exprs = append(exprs, c.Absent)
		} else {
			exprs = append(exprs, c.Expr)
		}
	}
	fromNode := EvalNode(t, exprs)
	fromGoja := EvalGoja(t, setup, cases)
	for i, c := range cases {
		want := fromNode[i]
		source := "node 20"
		if c.Want != "" {
			if fromNode[i] != "true" {
				t.Errorf("%s: node 20 has this feature now (%s = %s); compare against node instead of the spec text", c.Name, c.Absent, fromNode[i])
			}
			want, source = c.Want, "spec"
		}
		if fromGoja[i] != want {
			t.Errorf("%s: %s\n  gopk:    %s\n  %-8s %s", c.Name, c.Expr, fromGoja[i], source+":", want)
		}
	}
}
