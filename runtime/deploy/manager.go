package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"gopk/runtime/cron"
	"gopk/runtime/room"
	"gopk/runtime/router"
	"gopk/store"
)

// Options configure a Manager.
type Options struct {
	Dir        string // where projects live (<data>/projects)
	DB         *store.DB
	Platform   room.Platform
	Storage    room.StorageBinding
	Logger     *slog.Logger // the server's own events
	RoomLogger *slog.Logger // parent of every room's logger (the log hub); default Logger
	// MaxUpload bounds the compressed upload; the unpacked version may be 4×
	// that. Default 64 MiB.
	MaxUpload int64
	// EvalTimeout bounds the evaluation of one module body. Default 10 s.
	EvalTimeout time.Duration
	// RoomOptions tunes the rooms of every project (Store, Platform, Storage
	// and Logger are set by the Manager).
	RoomOptions room.Options
	// URL gives a project's public URL, for messages. Default "".
	URL func(project string) string
	// RoomMetrics, if set, gives the metrics sink of a project's rooms.
	RoomMetrics func(project string) room.Metrics
	// OnDeploy is told the outcome of every upload (for metrics).
	OnDeploy func(project string, ok bool)
	// OnSecrets is given every env value of every project whenever they
	// change, so that logs can mask them.
	OnSecrets func(values []string)
}

// DefaultMaxUpload is the default bound on an uploaded version.
const DefaultMaxUpload = 64 << 20

// Manager keeps the versions of every project on disk and runs the active
// one of each on live rooms.
type Manager struct {
	o Options

	ops sync.Mutex // one change at a time: deploys, rollbacks, env, deletes

	mu   sync.RWMutex
	live map[string]*Project
}

// Project is a project being served.
type Project struct {
	Name   string
	Rooms  *room.Rooms
	Router *router.Router

	// Guarded by Manager.ops (written) and Manager.mu (read by Info).
	active  VersionInfo
	checked *checked
	dir     string
	crons   *cron.Scheduler
}

// VersionInfo describes one stored version.
type VersionInfo struct {
	Version int       `json:"version"`
	Hash    string    `json:"hash"` // SHA-256 of the uploaded archive
	Created time.Time `json:"created"`
	Size    int64     `json:"size"` // bytes uploaded
	Parties []string  `json:"parties"`
	Client  string    `json:"client,omitempty"`
}

// DeployResult is what an upload achieved.
type DeployResult struct {
	Project  string      `json:"project"`
	Version  VersionInfo `json:"version"`
	URL      string      `json:"url,omitempty"`
	LiveSwap bool        `json:"liveSwap"` // live rooms kept their sockets
	TookMS   float64     `json:"tookMs"`   // from the end of the upload to active
}

// ProjectInfo is what `gopk info` and `gopk list` show.
type ProjectInfo struct {
	Name     string        `json:"name"`
	URL      string        `json:"url,omitempty"`
	Active   int           `json:"active"` // 0: none (not deployed, or failed to load)
	Versions []VersionInfo `json:"versions,omitempty"`
	Env      []string      `json:"env"` // names only
	Rooms    int           `json:"rooms"`
	Error    string        `json:"error,omitempty"` // why the active version is not running
}

// Error is a failure with the HTTP status the admin API answers it with.
type Error struct {
	Status int
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func errorf(status int, format string, args ...any) error {
	return &Error{Status: status, Err: fmt.Errorf(format, args...)}
}

// Open loads every project in o.Dir and starts serving its active version.
// A project whose active version no longer loads is reported and skipped;
// the others are served.
func Open(o Options) (*Manager, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.RoomLogger == nil {
		o.RoomLogger = o.Logger
	}
	if o.MaxUpload <= 0 {
		o.MaxUpload = DefaultMaxUpload
	}
	if o.EvalTimeout <= 0 {
		o.EvalTimeout = 10 * time.Second
	}
	if o.URL == nil {
		o.URL = func(string) string { return "" }
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("projects directory: %w", err)
	}
	m := &Manager{o: o, live: map[string]*Project{}}
	_ = os.RemoveAll(filepath.Join(o.Dir, incomingDir)) // uploads cut short by a crash
	entries, err := os.ReadDir(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("projects directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || ValidateName(name) != nil {
			continue
		}
		st, err := m.readState(name)
		if err != nil || st.Active == 0 {
			continue
		}
		if err := m.start(name, st.Active); err != nil {
			o.Logger.Error("project not served: its active version does not load", "project", name, "version", st.Active, "error", err)
		}
	}
	m.publishSecrets()
	return m, nil
}

// MaxUpload is the largest upload accepted, in bytes.
func (m *Manager) MaxUpload() int64 { return m.o.MaxUpload }

// LiveSwap reports whether activation keeps sockets open (Rooms.Swap) or
// restarts rooms (Rooms.SetCode, sockets closed with 1012).
func (m *Manager) LiveSwap() bool { return true }

// Lookup returns the live project of that name.
func (m *Manager) Lookup(name string) *Project {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.live[name]
}

// Only returns the live project when exactly one is served, and how many are.
func (m *Manager) Only() (*Project, int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.live) != 1 {
		return nil, len(m.live)
	}
	for _, p := range m.live {
		return p, 1
	}
	return nil, 0
}

// Live lists the projects being served.
func (m *Manager) Live() []*Project {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*Project, 0, len(m.live))
	for _, p := range m.live {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// --- on-disk layout -----------------------------------------------------------
//
//	<Dir>/<project>/state.json           {"active": n}
//	<Dir>/<project>/env.json             the project's env vars (0600)
//	<Dir>/<project>/versions/<n>/        manifest.json, parties/*.js, assets/, version.json
//	<Dir>/.incoming/<project>-<tmp>/     an upload being checked

// incomingDir is not a valid project name, so scans skip it.
const incomingDir = ".incoming"

type state struct {
	Active int `json:"active"`
}

func (m *Manager) projectDir(name string) string { return filepath.Join(m.o.Dir, name) }
func (m *Manager) versionDir(name string, n int) string {
	return filepath.Join(m.o.Dir, name, "versions", strconv.Itoa(n))
}

func (m *Manager) readState(name string) (state, error) {
	var st state
	err := readJSON(filepath.Join(m.projectDir(name), "state.json"), &st)
	return st, err
}

func (m *Manager) writeState(name string, st state) error {
	return writeJSONAtomic(filepath.Join(m.projectDir(name), "state.json"), st, 0o644)
}

func (m *Manager) versions(name string) ([]VersionInfo, error) {
	entries, err := os.ReadDir(filepath.Join(m.projectDir(name), "versions"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []VersionInfo
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		var vi VersionInfo
		if err := readJSON(filepath.Join(m.versionDir(name, n), "version.json"), &vi); err != nil {
			continue
		}
		out = append(out, vi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func (m *Manager) readEnv(name string) (map[string]any, error) {
	env := map[string]any{}
	err := readJSON(filepath.Join(m.projectDir(name), "env.json"), &env)
	if errors.Is(err, os.ErrNotExist) {
		return env, nil
	}
	return env, err
}

// --- deploy, activate, rollback ---------------------------------------------

// Deploy reads an uploaded version archive, checks it and makes it the
// active version of project name. On any failure nothing changes: the
// previous version keeps serving.
func (m *Manager) Deploy(ctx context.Context, name string, body io.Reader) (res *DeployResult, err error) {
	if err := ValidateName(name); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Err: err}
	}
	defer func() {
		if m.o.OnDeploy != nil {
			m.o.OnDeploy(name, err == nil)
		}
	}()
	// Uploads unpack outside the project, so a refused first upload leaves
	// no project behind.
	incoming := filepath.Join(m.o.Dir, incomingDir)
	if err := os.MkdirAll(incoming, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(incoming, name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(body, h)}
	man, err := Unpack(counted, tmp, Limits{MaxBytes: 4 * m.o.MaxUpload, MaxFiles: 100000})
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return nil, errorf(http.StatusRequestEntityTooLarge, "the upload is larger than this server accepts (%s; gopk serve --max-upload)", mib(m.o.MaxUpload))
		case errors.Is(err, ErrTooLarge):
			return nil, &Error{Status: http.StatusRequestEntityTooLarge, Err: err}
		}
		return nil, &Error{Status: http.StatusBadRequest, Err: err}
	}
	_, _ = io.Copy(io.Discard, counted) // the tar's trailing padding, into the hash
	start := time.Now()
	// The upload is read without the lock: a slow client holds up nobody.
	m.ops.Lock()
	defer m.ops.Unlock()
	if man.Name != name {
		return nil, errorf(http.StatusBadRequest, "the version is for project %q, not %q", man.Name, name)
	}
	ck, err := check(tmp, m.o.Platform, m.o.RoomLogger.With("project", name), m.o.EvalTimeout)
	if err != nil {
		m.o.Logger.Warn("version rejected", "project", name, "error", err)
		return nil, &Error{Status: http.StatusUnprocessableEntity, Err: err}
	}

	existing, err := m.versions(name)
	if err != nil {
		return nil, err
	}
	n := 1
	if len(existing) > 0 {
		n = existing[len(existing)-1].Version + 1
	}
	vi := VersionInfo{
		Version: n, Hash: hex.EncodeToString(h.Sum(nil)), Created: time.Now().UTC(),
		Size: counted.n, Parties: man.Parties, Client: man.Client,
	}
	if err := writeJSONAtomic(filepath.Join(tmp, "version.json"), vi, 0o644); err != nil {
		return nil, err
	}
	if err := syncTree(tmp); err != nil {
		return nil, err
	}
	dir := m.versionDir(name, n)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return nil, err
	}
	if err := m.activate(name, vi, ck, dir); err != nil {
		return nil, err
	}
	m.publishSecrets()
	took := time.Since(start)
	m.o.Logger.Info("deployed", "project", name, "version", n, "hash", vi.Hash[:12], "took_ms", float64(took.Microseconds())/1000)
	return &DeployResult{Project: name, Version: vi, URL: m.o.URL(name), LiveSwap: true, TookMS: float64(took.Microseconds()) / 1000}, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// activate records version vi as active and switches the live project to it.
// Called with ops held.
func (m *Manager) activate(name string, vi VersionInfo, ck *checked, dir string) error {
	if err := m.writeState(name, state{Active: vi.Version}); err != nil {
		return fmt.Errorf("recording the active version: %w", err)
	}
	env, err := m.readEnv(name)
	if err != nil {
		return fmt.Errorf("reading the env of %s: %w", name, err)
	}
	assets := assetsOf(ck.manifest, dir)
	code := m.code(name, vi, ck, env, assets)
	site := func(rooms *room.Rooms) *router.Site {
		return &router.Site{Rooms: rooms, Assets: assets}
	}
	m.mu.Lock()
	p := m.live[name]
	if p == nil {
		ro := m.o.RoomOptions
		ro.Store, ro.Platform, ro.Storage = m.o.DB, m.o.Platform, m.o.Storage
		ro.Logger = m.o.RoomLogger.With("project", name)
		if m.o.RoomMetrics != nil {
			ro.Metrics = m.o.RoomMetrics(name)
		}
		rooms := room.New(code, ro)
		p = &Project{Name: name, Rooms: rooms, Router: router.New(site(rooms), m.o.Logger.With("project", name))}
		p.active, p.checked, p.dir = vi, ck, dir
		m.live[name] = p
		m.mu.Unlock()
		m.schedule(p, ck.manifest.Crons)
		return nil
	}
	p.active, p.checked, p.dir = vi, ck, dir
	m.mu.Unlock()
	p.Router.SetSite(site(p.Rooms))
	p.Rooms.Swap(code)
	m.schedule(p, ck.manifest.Crons)
	return nil
}

// schedule (re)starts a project's crons: each runs the main party's onCron.
// Called with ops held.
func (m *Manager) schedule(p *Project, crons map[string]string) {
	p.crons.Stop()
	p.crons = nil
	if len(crons) == 0 {
		return
	}
	log := m.o.Logger.With("project", p.Name)
	sc, err := cron.Start(crons, func(name, expr string, at time.Time) error {
		e, err := p.Rooms.Edge("main")
		if err != nil {
			return err
		}
		if !e.Has("onCron") {
			return errors.New("the main party has no onCron")
		}
		return e.Cron(name, expr, at)
	}, log)
	if err != nil { // checked at deploy; an older version may still fail here
		log.Error("crons not scheduled", "error", err)
		return
	}
	p.crons = sc
}

func (m *Manager) code(name string, vi VersionInfo, ck *checked, env map[string]any, assets *router.Assets) *room.Code {
	vars := maps.Clone(env)
	maps.Copy(vars, ck.manifest.Vars) // the deploy's own --var wins
	c := &room.Code{
		Version:    strconv.Itoa(vi.Version) + "-" + vi.Hash[:12],
		Project:    name, // the storage namespace: projects never share keys
		Programs:   ck.programs,
		Vars:       vars,
		ProcessEnv: ck.manifest.ProcessEnv,
	}
	if assets.Dir != "" {
		c.Asset = assets.Response
	}
	return c
}

func assetsOf(man *Manifest, dir string) *router.Assets {
	a := filepath.Join(dir, assetsDir)
	if man.Serve == nil {
		return &router.Assets{}
	}
	if st, err := os.Stat(a); err != nil || !st.IsDir() {
		return &router.Assets{}
	}
	return &router.Assets{Dir: a, SinglePageApp: man.Serve.SinglePageApp}
}

// start loads version n of a project from disk and serves it (at Open).
func (m *Manager) start(name string, n int) error {
	dir := m.versionDir(name, n)
	var vi VersionInfo
	if err := readJSON(filepath.Join(dir, "version.json"), &vi); err != nil {
		return err
	}
	ck, err := check(dir, m.o.Platform, m.o.RoomLogger.With("project", name), m.o.EvalTimeout)
	if err != nil {
		return err
	}
	return m.activate(name, vi, ck, dir)
}

// Rollback makes a stored version active again: version n, or with n == 0
// the newest version older than the active one. It is checked again first
// (this gopk may not run what an older one accepted).
func (m *Manager) Rollback(name string, n int) (*DeployResult, error) {
	if err := ValidateName(name); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Err: err}
	}
	m.ops.Lock()
	defer m.ops.Unlock()
	start := time.Now()
	vs, err := m.versions(name)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, errorf(http.StatusNotFound, "project %q is not deployed", name)
	}
	st, _ := m.readState(name)
	if n == 0 {
		for _, v := range vs {
			if v.Version < st.Active {
				n = v.Version
			}
		}
		if n == 0 {
			return nil, errorf(http.StatusConflict, "project %q has no version older than the active one (%d)", name, st.Active)
		}
	}
	i := slices.IndexFunc(vs, func(v VersionInfo) bool { return v.Version == n })
	if i < 0 {
		return nil, errorf(http.StatusNotFound, "project %q has no version %d", name, n)
	}
	dir := m.versionDir(name, n)
	ck, err := check(dir, m.o.Platform, m.o.RoomLogger.With("project", name), m.o.EvalTimeout)
	if err != nil {
		return nil, &Error{Status: http.StatusUnprocessableEntity, Err: err}
	}
	if err := m.activate(name, vs[i], ck, dir); err != nil {
		return nil, err
	}
	m.publishSecrets()
	took := time.Since(start)
	m.o.Logger.Info("rolled back", "project", name, "version", n, "took_ms", float64(took.Microseconds())/1000)
	return &DeployResult{Project: name, Version: vs[i], URL: m.o.URL(name), LiveSwap: true, TookMS: float64(took.Microseconds()) / 1000}, nil
}

// Delete stops a project's rooms (sockets close with 1001) and removes its
// versions and env. Room storage stays in the data directory.
func (m *Manager) Delete(name string) error {
	if err := ValidateName(name); err != nil {
		return &Error{Status: http.StatusBadRequest, Err: err}
	}
	m.ops.Lock()
	defer m.ops.Unlock()
	dir := m.projectDir(name)
	if _, err := os.Stat(dir); err != nil {
		return errorf(http.StatusNotFound, "project %q does not exist", name)
	}
	m.mu.Lock()
	p := m.live[name]
	delete(m.live, name)
	m.mu.Unlock()
	if p != nil {
		p.crons.Stop()
		p.Rooms.Close(1001, "Project deleted", 5*time.Second)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	m.o.Logger.Info("deleted", "project", name)
	m.publishSecrets()
	return nil
}

// Close stops every project's rooms: sockets close with code and reason,
// storage is flushed. It returns when all have stopped or deadline passed.
func (m *Manager) Close(code int, reason string, deadline time.Duration) {
	var wg sync.WaitGroup
	for _, p := range m.Live() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.ops.Lock()
			p.crons.Stop()
			m.ops.Unlock()
			p.Rooms.Close(code, reason, deadline)
		}()
	}
	wg.Wait()
}

// --- info ---------------------------------------------------------------------

// Info describes one project.
func (m *Manager) Info(name string) (*ProjectInfo, error) {
	if err := ValidateName(name); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Err: err}
	}
	vs, err := m.versions(name)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, errorf(http.StatusNotFound, "project %q is not deployed", name)
	}
	info := &ProjectInfo{Name: name, URL: m.o.URL(name), Versions: vs, Env: []string{}}
	env, err := m.readEnv(name)
	if err != nil {
		return nil, err
	}
	info.Env = slices.Sorted(maps.Keys(env))
	if p := m.Lookup(name); p != nil {
		m.mu.RLock()
		info.Active = p.active.Version
		m.mu.RUnlock()
		info.Rooms = p.Rooms.Live()
	} else if st, err := m.readState(name); err == nil && st.Active != 0 {
		info.Error = fmt.Sprintf("version %d is active but failed to load; see the server log", st.Active)
	}
	return info, nil
}

// List describes every deployed project.
func (m *Manager) List() ([]ProjectInfo, error) {
	entries, err := os.ReadDir(m.o.Dir)
	if err != nil {
		return nil, err
	}
	out := []ProjectInfo{}
	for _, e := range entries {
		if !e.IsDir() || ValidateName(e.Name()) != nil {
			continue
		}
		info, err := m.Info(e.Name())
		if err != nil {
			continue // env set, never deployed
		}
		info.Versions = info.Versions[len(info.Versions)-1:]
		out = append(out, *info)
	}
	return out, nil
}

// --- env ------------------------------------------------------------------------

// Env returns a project's env vars. Callers must not log the values.
func (m *Manager) Env(name string) (map[string]any, error) {
	if err := ValidateName(name); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Err: err}
	}
	return m.readEnv(name)
}

// SetEnv adds or replaces env vars (all of them with replace) and applies
// them to live rooms at once, by a swap to the same code with the new env.
func (m *Manager) SetEnv(name string, vars map[string]any, replace bool) error {
	if err := ValidateName(name); err != nil {
		return &Error{Status: http.StatusBadRequest, Err: err}
	}
	for k := range vars {
		if err := validateEnvKey(k); err != nil {
			return &Error{Status: http.StatusBadRequest, Err: err}
		}
	}
	return m.changeEnv(name, func(env map[string]any) error {
		if replace {
			clear(env)
		}
		maps.Copy(env, vars)
		return nil
	})
}

// RemoveEnv deletes one env var, or every one when key is "".
func (m *Manager) RemoveEnv(name, key string) error {
	if err := ValidateName(name); err != nil {
		return &Error{Status: http.StatusBadRequest, Err: err}
	}
	return m.changeEnv(name, func(env map[string]any) error {
		if key == "" {
			clear(env)
			return nil
		}
		if _, ok := env[key]; !ok {
			return errorf(http.StatusNotFound, "project %q has no env var %q", name, key)
		}
		delete(env, key)
		return nil
	})
}

func validateEnvKey(k string) error {
	if k == "" || len(k) > 256 {
		return fmt.Errorf("invalid env var name %q", k)
	}
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("invalid env var name %q: use letters, digits and '_'", k)
		}
	}
	return nil
}

func (m *Manager) changeEnv(name string, change func(map[string]any) error) error {
	m.ops.Lock()
	defer m.ops.Unlock()
	env, err := m.readEnv(name)
	if err != nil {
		return err
	}
	if err := change(env); err != nil {
		return err
	}
	if err := os.MkdirAll(m.projectDir(name), 0o755); err != nil {
		return err
	}
	if err := writeJSONAtomic(filepath.Join(m.projectDir(name), "env.json"), env, 0o600); err != nil {
		return err
	}
	m.publishSecrets()
	if p := m.Lookup(name); p != nil {
		m.mu.RLock()
		vi, ck, dir := p.active, p.checked, p.dir
		m.mu.RUnlock()
		p.Rooms.Swap(m.code(name, vi, ck, env, assetsOf(ck.manifest, dir)))
		m.o.Logger.Info("env changed", "project", name, "vars", len(env))
	}
	return nil
}

// publishSecrets hands OnSecrets every value that may be a secret: the
// env vars of every project and the process.env (.env) of every live
// version.
func (m *Manager) publishSecrets() {
	if m.o.OnSecrets == nil {
		return
	}
	entries, _ := os.ReadDir(m.o.Dir)
	var values []string
	for _, e := range entries {
		if !e.IsDir() || ValidateName(e.Name()) != nil {
			continue
		}
		env, _ := m.readEnv(e.Name())
		for _, v := range env {
			if s, ok := v.(string); ok {
				values = append(values, s)
			}
		}
	}
	m.mu.RLock()
	for _, p := range m.live {
		for _, v := range p.checked.manifest.ProcessEnv {
			values = append(values, v)
		}
	}
	m.mu.RUnlock()
	m.o.OnSecrets(values)
}

// CopyProjects copies every project's versions, state and env into dst (a
// new directory), holding off changes meanwhile so the copy is consistent.
// Version files are hard-linked where possible: versions never change.
func (m *Manager) CopyProjects(dst string) error {
	m.ops.Lock()
	defer m.ops.Unlock()
	return filepath.Walk(m.o.Dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(m.o.Dir, p)
		if err != nil {
			return err
		}
		if info.IsDir() && info.Name() == incomingDir {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		if err := os.Link(p, target); err == nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}
