package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopk/runtime/platform"
	"gopk/store"
)

// server is a bundle as runtime/bundle emits it (CommonJS in the module
// wrapper) whose onRequest answers with a version and room.env.
func server(version string) []byte {
	return fmt.Appendf(nil, `(function (module, exports, require) {
Object.defineProperty(exports, "__esModule", { value: true });
exports.default = class { constructor(room) { this.room = room; }
  onRequest() { return new Response(%q + " " + (this.room.env.K ?? "-") + " " + (this.room.env.D ?? "-")); } };
})`, version)
}

func pack(t testing.TB, name string, m *Manifest, bundles map[string][]byte) *bytes.Buffer {
	t.Helper()
	if m == nil {
		m = &Manifest{}
	}
	m.Name = name
	var buf bytes.Buffer
	if err := Pack(&buf, m, bundles, ""); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func newManager(t testing.TB, dir string) *Manager {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "storage"), store.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(Options{Dir: filepath.Join(dir, "projects"), DB: db, Platform: platform.New(platform.Options{}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), EvalTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Close(1001, "test over", time.Second)
		db.Close()
	})
	return m
}

func get(t testing.TB, m *Manager, project string) string {
	t.Helper()
	p := m.Lookup(project)
	if p == nil {
		return "(not served)"
	}
	rec := httptest.NewRecorder()
	p.Router.ServeHTTP(rec, httptest.NewRequest("GET", "/party/r1", nil))
	return rec.Body.String()
}

func TestManagerDeployRollbackEnv(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, dir)
	ctx := context.Background()

	res, err := m.Deploy(ctx, "app", pack(t, "app", nil, map[string][]byte{"main": server("v1")}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Version.Version != 1 || len(res.Version.Hash) != 64 {
		t.Fatalf("first deploy = %+v", res)
	}
	if got := get(t, m, "app"); got != "v1 - -" {
		t.Fatalf("v1 answers %q", got)
	}
	if _, err := m.Deploy(ctx, "app", pack(t, "app", &Manifest{Vars: map[string]any{"D": "from-deploy", "K": "deploy-wins"}}, map[string][]byte{"main": server("v2")})); err != nil {
		t.Fatal(err)
	}
	if got := get(t, m, "app"); got != "v2 deploy-wins from-deploy" {
		t.Fatalf("v2 answers %q", got)
	}

	// env reaches live rooms at once; the version's own vars win over it.
	if err := m.SetEnv("app", map[string]any{"K": "from-env"}, false); err != nil {
		t.Fatal(err)
	}
	if got := get(t, m, "app"); got != "v2 deploy-wins from-deploy" {
		t.Fatalf("after env add with a --var of the same name: %q", got)
	}
	if _, err := m.Rollback("app", 0); err != nil {
		t.Fatal(err)
	}
	if got := get(t, m, "app"); got != "v1 from-env -" {
		t.Fatalf("rolled back to v1: %q", got)
	}
	st, err := os.Stat(filepath.Join(dir, "projects", "app", "env.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("env.json mode = %v, %v; want 0600", st.Mode(), err)
	}
	if err := m.RemoveEnv("app", "K"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, m, "app"); got != "v1 - -" {
		t.Fatalf("after env remove: %q", got)
	}
	var e *Error
	if err := m.RemoveEnv("app", "K"); !errors.As(err, &e) || e.Status != 404 {
		t.Fatalf("removing a missing var: %v", err)
	}
	if _, err := m.Rollback("app", 0); !errors.As(err, &e) || e.Status != http.StatusConflict {
		t.Fatalf("rollback below version 1: %v", err)
	}

	// A new Manager on the same directory serves the active version.
	info, err := m.Info("app")
	if err != nil || info.Active != 1 || len(info.Versions) != 2 {
		t.Fatalf("info = %+v, %v", info, err)
	}
	m.Close(1001, "restart", time.Second)
	m.o.DB.Close()
	m2 := newManager(t, dir)
	if got := get(t, m2, "app"); got != "v1 - -" {
		t.Fatalf("after reopening: %q", got)
	}

	if err := m2.Delete("app"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, m2, "app"); got != "(not served)" {
		t.Fatalf("after delete: %q", got)
	}
	if list, _ := m2.List(); len(list) != 0 {
		t.Fatalf("list after delete = %+v", list)
	}
}

func TestManagerRejectsBadVersions(t *testing.T) {
	m := newManager(t, t.TempDir())
	ctx := context.Background()
	if _, err := m.Deploy(ctx, "app", pack(t, "app", nil, map[string][]byte{"main": server("good")})); err != nil {
		t.Fatal(err)
	}
	wrap := func(body string) []byte { return []byte("(function (module, exports, require) {" + body + "})") }
	cases := []struct {
		name    string
		bundles map[string][]byte
		m       *Manifest
		status  int
		want    string
	}{
		{"throws", map[string][]byte{"main": wrap(`throw new Error("eval-boom");`)}, nil, 422, "eval-boom"},
		{"syntax", map[string][]byte{"main": wrap(`let = ;`)}, nil, 422, "party \"main\""},
		{"not a module function", map[string][]byte{"main": []byte(`42`)}, nil, 422, "not a gopk module function"},
		{"no default", map[string][]byte{"main": wrap(`exports.x = 1; Object.defineProperty(exports, "__esModule", {value: true});`)}, nil, 422, "no default export"},
		{"number default", map[string][]byte{"main": wrap(`module.exports = 5;`)}, nil, 422, "class or an object"},
		{"endless loop", map[string][]byte{"main": wrap(`for (;;) {}`)}, nil, 422, "took longer than"},
		{"bad other party", map[string][]byte{"main": server("x"), "chat": wrap(`throw new Error("chat-boom")`)}, nil, 422, "chat-boom"},
		{"bad cron", map[string][]byte{"main": server("x")}, &Manifest{Crons: map[string]string{"c": "every day"}}, 422, "crons.c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := m.Deploy(ctx, "app", pack(t, "app", c.m, c.bundles))
			var e *Error
			if !errors.As(err, &e) || e.Status != c.status || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Deploy error = %v, want %d saying %q", err, c.status, c.want)
			}
			if got := get(t, m, "app"); got != "good - -" {
				t.Fatalf("the old version stopped answering: %q", got)
			}
		})
	}
	if _, err := m.Deploy(ctx, "app", pack(t, "other", nil, map[string][]byte{"main": server("x")})); err == nil || !strings.Contains(err.Error(), `for project "other"`) {
		t.Fatalf("a version for another project: %v", err)
	}
	if _, err := m.Deploy(ctx, "Bad_Name", strings.NewReader("")); err == nil {
		t.Fatal("an invalid project name was accepted")
	}
	info, _ := m.Info("app")
	if len(info.Versions) != 1 {
		t.Fatalf("rejected versions were kept: %+v", info.Versions)
	}
}

func TestManagerConcurrentDeploysGetDistinctVersions(t *testing.T) {
	m := newManager(t, t.TempDir())
	const n = 6
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := m.Deploy(context.Background(), "app", pack(t, "app", nil, map[string][]byte{"main": server(fmt.Sprint("v", i))}))
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	info, err := m.Info("app")
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Versions) != n || info.Active != n {
		t.Fatalf("after %d concurrent deploys: %d versions, active %d", n, len(info.Versions), info.Active)
	}
	for i, v := range info.Versions {
		if v.Version != i+1 {
			t.Fatalf("versions = %+v, want 1..%d", info.Versions, n)
		}
	}
}

func TestManagerRefusedFirstUploadLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, dir)
	if _, err := m.Deploy(context.Background(), "ghost", strings.NewReader("not an archive")); err == nil {
		t.Fatal("garbage accepted")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "projects"))
	for _, e := range entries {
		if e.Name() == "ghost" {
			t.Fatal("a refused first upload left a project directory")
		}
	}
	if list, _ := m.List(); len(list) != 0 {
		t.Fatalf("list = %+v", list)
	}
}

// A version this gopk no longer loads is reported, and the other projects
// are served.
func TestManagerOpenReportsBrokenActiveVersion(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, dir)
	ctx := context.Background()
	for _, name := range []string{"good", "broken"} {
		if _, err := m.Deploy(ctx, name, pack(t, name, nil, map[string][]byte{"main": server(name)})); err != nil {
			t.Fatal(err)
		}
	}
	m.Close(1001, "restart", time.Second)
	m.o.DB.Close()
	if err := os.WriteFile(filepath.Join(dir, "projects", "broken", "versions", "1", "parties", "main.js"), []byte("let = ;"), 0o644); err != nil {
		t.Fatal(err)
	}
	m2 := newManager(t, dir)
	if got := get(t, m2, "good"); got != "good - -" {
		t.Fatalf("good project: %q", got)
	}
	if got := get(t, m2, "broken"); got != "(not served)" {
		t.Fatalf("broken project: %q", got)
	}
	info, err := m2.Info("broken")
	if err != nil || !strings.Contains(info.Error, "failed to load") {
		t.Fatalf("info of the broken project = %+v, %v", info, err)
	}
}
