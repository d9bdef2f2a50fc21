package deploy

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ManifestFormat is the version of the archive layout this gopk writes and
// reads.
const ManifestFormat = 1

// Manifest is the run-time part of a project's config, as a version keeps it.
type Manifest struct {
	Format  int      `json:"format"`
	Name    string   `json:"name"`
	Parties []string `json:"parties"` // each bundle is parties/<name>.js; "main" is always there
	// Vars are the vars given with this deploy (--var, or all with
	// --with-vars); they win over the project's env (`gopk env`).
	Vars map[string]any `json:"vars,omitempty"`
	// ProcessEnv is process.env: the project's .env, as `partykit deploy`
	// bakes it into the bundle.
	ProcessEnv         map[string]string `json:"processEnv,omitempty"`
	Crons              map[string]string `json:"crons,omitempty"`
	Serve              *ServeOptions     `json:"serve,omitempty"` // nil: no static assets
	CompatibilityDate  string            `json:"compatibilityDate,omitempty"`
	CompatibilityFlags []string          `json:"compatibilityFlags,omitempty"`
	Client             string            `json:"client,omitempty"` // gopk version that built it
}

// ServeOptions are partykit.json "serve" settings that matter once the
// assets are uploaded.
type ServeOptions struct {
	SinglePageApp bool `json:"singlePageApp,omitempty"`
}

// Archive member names.
const (
	manifestFile = "manifest.json"
	partiesDir   = "parties"
	assetsDir    = "assets"
)

// Pack writes a version archive (gzipped tar) to w: the manifest, one bundle
// per party and every file under assets (dotfiles and node_modules
// excepted, since they are never served). assets may be "".
func Pack(w io.Writer, m *Manifest, bundles map[string][]byte, assets string) error {
	if m.Format == 0 {
		m.Format = ManifestFormat
	}
	m.Parties = m.Parties[:0]
	for name := range bundles {
		m.Parties = append(m.Parties, name)
	}
	sort.Strings(m.Parties)
	if err := m.check(); err != nil {
		return err
	}
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := addFile(tw, manifestFile, manifest); err != nil {
		return err
	}
	for _, name := range m.Parties {
		if err := addFile(tw, partiesDir+"/"+name+".js", bundles[name]); err != nil {
			return err
		}
	}
	if assets != "" {
		if err := packAssets(tw, assets); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func addFile(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

func packAssets(tw *tar.Writer, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading assets: %w", err)
		}
		if p == dir {
			return nil
		}
		if hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		st, err := os.Stat(p) // follows symlinks, as serving from disk would
		if err != nil || !st.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading asset %s: %w", p, err)
		}
		return addFile(tw, assetsDir+"/"+filepath.ToSlash(rel), data)
	})
}

// hidden names are never served as assets (router.Assets refuses them too).
func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

func (m *Manifest) check() error {
	if m.Format != ManifestFormat {
		return fmt.Errorf("manifest format %d is not supported by this gopk (it reads %d); upgrade the older of gopk client and server", m.Format, ManifestFormat)
	}
	if err := ValidateName(m.Name); err != nil {
		return err
	}
	hasMain := false
	for _, p := range m.Parties {
		if err := validateParty(p); err != nil {
			return err
		}
		hasMain = hasMain || p == "main"
	}
	if !hasMain {
		return errors.New(`the version has no "main" party`)
	}
	return nil
}

// Limits bound what Unpack accepts.
type Limits struct {
	MaxBytes int64 // total size of the unpacked files
	MaxFiles int
}

// ErrTooLarge is wrapped by Unpack's error when a limit is passed.
var ErrTooLarge = errors.New("too large")

// Unpack extracts a version archive into dir (which must exist and be
// empty) and returns its manifest. It accepts only regular files at the
// places Pack puts them, with clean relative names, so an archive cannot
// write outside dir.
func Unpack(r io.Reader, dir string, lim Limits) (*Manifest, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("the upload is not a gzipped version archive: %w", err)
	}
	tr := tar.NewReader(zr)
	var total int64
	files := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the version archive: %w", err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("archive member %q: only regular files are accepted", h.Name)
		}
		name, err := memberName(h.Name)
		if err != nil {
			return nil, err
		}
		files++
		total += h.Size
		if lim.MaxFiles > 0 && files > lim.MaxFiles {
			return nil, fmt.Errorf("the version has more than %d files: %w", lim.MaxFiles, ErrTooLarge)
		}
		if lim.MaxBytes > 0 && total > lim.MaxBytes {
			return nil, fmt.Errorf("the version unpacks to more than %d MiB: %w", lim.MaxBytes>>20, ErrTooLarge)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, fmt.Errorf("archive member %q: %w", h.Name, err)
		}
		_, err = io.Copy(f, io.LimitReader(tr, h.Size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("archive member %q: %w", h.Name, err)
		}
	}
	return ReadManifest(dir)
}

// memberName checks an archive path: relative, clean, under a known top
// directory.
func memberName(name string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("archive member %q: %s", name, why)
	}
	if name == "" || strings.Contains(name, "\\") || strings.ContainsRune(name, 0) || len(name) > 1024 {
		return bad("invalid name")
	}
	if path.IsAbs(name) || path.Clean(name) != name {
		return bad("the name must be a clean relative path")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." || seg == "." {
			return bad("the name must stay inside the archive")
		}
	}
	switch {
	case name == manifestFile:
	case strings.HasPrefix(name, partiesDir+"/"):
		party, ok := strings.CutSuffix(strings.TrimPrefix(name, partiesDir+"/"), ".js")
		if !ok {
			return bad("party bundles are parties/<name>.js")
		}
		if err := validateParty(party); err != nil {
			return bad(err.Error())
		}
	case strings.HasPrefix(name, assetsDir+"/"):
	default:
		return bad("unexpected file (a version holds manifest.json, parties/ and assets/)")
	}
	return name, nil
}

// ReadManifest reads and checks the manifest of an unpacked version.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("the version archive has no manifest.json")
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	for _, p := range m.Parties {
		if _, err := os.Stat(filepath.Join(dir, partiesDir, p+".js")); err != nil {
			return nil, fmt.Errorf("manifest.json lists party %q but the archive has no %s/%s.js", p, partiesDir, p)
		}
	}
	return &m, nil
}
