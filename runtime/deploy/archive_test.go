package deploy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPackUnpackRoundTrip(t *testing.T) {
	assets := t.TempDir()
	files := map[string]string{
		"index.html":        "<p>hi</p>",
		"css/site.css":      "p{}",
		".env":              "SECRET=no", // dotfiles are never uploaded
		"node_modules/x.js": "nope",
	}
	for name, content := range files {
		p := filepath.Join(assets, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	m := &Manifest{Name: "demo", Vars: map[string]any{"A": 1.0}, Serve: &ServeOptions{SinglePageApp: true}}
	bundles := map[string][]byte{"main": []byte("main code"), "chat": []byte("chat code")}
	var buf bytes.Buffer
	if err := Pack(&buf, m, bundles, assets); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	got, err := Unpack(&buf, dir, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "demo" || len(got.Parties) != 2 || got.Parties[0] != "chat" || got.Vars["A"] != 1.0 || !got.Serve.SinglePageApp {
		t.Fatalf("manifest = %+v", got)
	}
	for path, want := range map[string]string{"parties/main.js": "main code", "parties/chat.js": "chat code", "assets/index.html": "<p>hi</p>", "assets/css/site.css": "p{}"} {
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil || string(data) != want {
			t.Errorf("%s = %q, %v; want %q", path, data, err, want)
		}
	}
	for _, never := range []string{"assets/.env", "assets/node_modules/x.js"} {
		if _, err := os.Stat(filepath.Join(dir, never)); err == nil {
			t.Errorf("%s was packed", never)
		}
	}
}

// archive builds a tar.gz by hand, for archives Pack would never make.
func archive(t *testing.T, members ...*tar.Header) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range members {
		body := []byte(`{"format":1,"name":"demo","parties":["main"]}`)
		if h.Typeflag == tar.TypeReg {
			if h.Name != manifestFile {
				body = bytes.Repeat([]byte("x"), int(h.Size))
			}
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(body)
		}
	}
	tw.Close()
	zw.Close()
	return &buf
}

func reg(name string, size int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: size}
}

func TestUnpackRefusesHostileArchives(t *testing.T) {
	cases := []struct {
		name    string
		members []*tar.Header
		lim     Limits
		want    string
	}{
		{"parent dir", []*tar.Header{reg(manifestFile, 0), reg("parties/main.js", 1), reg("assets/../../evil", 1)}, Limits{}, "clean relative path"},
		{"absolute", []*tar.Header{reg("/etc/passwd", 1)}, Limits{}, "clean relative path"},
		{"dot-dot segment", []*tar.Header{reg("assets/..", 1)}, Limits{}, "archive member"},
		{"symlink", []*tar.Header{{Name: "assets/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}, Limits{}, "only regular files"},
		{"hard link", []*tar.Header{{Name: "assets/link", Typeflag: tar.TypeLink, Linkname: "manifest.json"}}, Limits{}, "only regular files"},
		{"unexpected top-level file", []*tar.Header{reg("run.sh", 1)}, Limits{}, "unexpected file"},
		{"bad party name", []*tar.Header{reg("parties/Main.js", 1)}, Limits{}, "invalid party name"},
		{"no manifest", []*tar.Header{reg("parties/main.js", 1)}, Limits{}, "no manifest.json"},
		{"party file missing", []*tar.Header{reg(manifestFile, 0)}, Limits{}, "no parties/main.js"},
		{"duplicate member", []*tar.Header{reg(manifestFile, 0), reg(manifestFile, 0)}, Limits{}, "file exists"},
		{"too big unpacked", []*tar.Header{reg(manifestFile, 0), reg("parties/main.js", 1), reg("assets/big", 5000)}, Limits{MaxBytes: 4096}, "more than"},
		{"too many files", []*tar.Header{reg(manifestFile, 0), reg("parties/main.js", 1), reg("assets/a", 1), reg("assets/b", 1)}, Limits{MaxFiles: 3}, "more than 3 files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Unpack(archive(t, c.members...), dir, c.lim)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Unpack error = %v, want one saying %q", err, c.want)
			}
			if strings.Contains(c.name, "big") || strings.Contains(c.name, "many") {
				if !errors.Is(err, ErrTooLarge) {
					t.Errorf("limit error does not wrap ErrTooLarge: %v", err)
				}
			}
		})
	}
	if _, err := Unpack(strings.NewReader("not gzip"), t.TempDir(), Limits{}); err == nil || !strings.Contains(err.Error(), "not a gzipped") {
		t.Fatalf("non-gzip upload: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(t.TempDir()), "evil")); err == nil {
		t.Fatal("an archive wrote outside its directory")
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"a", "my-app", "app2", strings.Repeat("a", 63)} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-a", "a-", "A", "a_b", "a.b", "../x", "a/b", strings.Repeat("a", 64), "ä"} {
		if ValidateName(bad) == nil {
			t.Errorf("ValidateName(%q) accepted it", bad)
		}
	}
}
