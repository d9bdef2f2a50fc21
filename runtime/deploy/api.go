package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// APIPrefix is where the admin API lives on the listener that serves it.
const APIPrefix = "/_gopk/v1/"

// ServerInfo is GET /_gopk/v1/server.
type ServerInfo struct {
	Version   string `json:"version"`
	Domain    string `json:"domain,omitempty"`
	MaxUpload int64  `json:"maxUpload"`
	LiveSwap  bool   `json:"liveSwap"`
}

// APIOptions configure the admin API.
type APIOptions struct {
	Manager *Manager
	Tokens  *Tokens
	Hub     *Hub
	Logger  *slog.Logger
	Version string // gopk's version
	Domain  string
	// Checkpoint takes a consistent copy of the server's data (storage and
	// versions) while it serves, and says where it is; nil = not offered.
	Checkpoint func() (string, error)
}

// NewAPI is the admin API: every route needs a bearer token; a request
// without a valid one gets 401 and changes nothing.
//
//	GET    /_gopk/v1/server
//	GET    /_gopk/v1/projects
//	GET    /_gopk/v1/projects/{name}
//	DELETE /_gopk/v1/projects/{name}
//	POST   /_gopk/v1/projects/{name}/versions        body: a version archive (Pack)
//	POST   /_gopk/v1/projects/{name}/rollback        body: {"version": n} (0 = the previous one)
//	GET    /_gopk/v1/projects/{name}/env             names; ?values=1 for the values
//	PATCH  /_gopk/v1/projects/{name}/env             body: {"KEY": value, …} added or replaced
//	PUT    /_gopk/v1/projects/{name}/env/{key}       body: the value (a string)
//	DELETE /_gopk/v1/projects/{name}/env[/{key}]
//	GET    /_gopk/v1/projects/{name}/tail?party=&room=&level=   NDJSON stream of Entry
//	POST   /_gopk/v1/checkpoint                       a backup of the data directory, on the server
func NewAPI(o APIOptions) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	a := &api{o: o, m: o.Manager}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_gopk/v1/server", a.server)
	mux.HandleFunc("GET /_gopk/v1/projects", a.list)
	mux.HandleFunc("GET /_gopk/v1/projects/{name}", a.info)
	mux.HandleFunc("DELETE /_gopk/v1/projects/{name}", a.delete)
	mux.HandleFunc("POST /_gopk/v1/projects/{name}/versions", a.deploy)
	mux.HandleFunc("POST /_gopk/v1/projects/{name}/rollback", a.rollback)
	mux.HandleFunc("GET /_gopk/v1/projects/{name}/env", a.envGet)
	mux.HandleFunc("PATCH /_gopk/v1/projects/{name}/env", a.envPatch)
	mux.HandleFunc("PUT /_gopk/v1/projects/{name}/env/{key}", a.envPut)
	mux.HandleFunc("DELETE /_gopk/v1/projects/{name}/env/{key}", a.envDelete)
	mux.HandleFunc("DELETE /_gopk/v1/projects/{name}/env", a.envDelete)
	mux.HandleFunc("GET /_gopk/v1/projects/{name}/tail", a.tail)
	mux.HandleFunc("POST /_gopk/v1/checkpoint", a.checkpoint)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(http.StatusNotFound, "no admin API route %s %s", r.Method, r.URL.Path))
	})
	return a.auth(mux)
}

type api struct {
	o APIOptions
	m *Manager
}

func (a *api) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.o.Hub != nil {
			w = redactingWriter{ResponseWriter: w, redact: a.o.Hub.Redact}
		}
		if !a.o.Tokens.Allow(r) {
			// Say which, never what was sent.
			a.o.Logger.Warn("admin API: unauthorized", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="gopk"`)
			msg := "missing bearer token (gopk: --token or GOPK_TOKEN)"
			if r.Header.Get("Authorization") != "" {
				msg = "invalid token"
			}
			writeError(w, errorf(http.StatusUnauthorized, "%s", msg))
			return
		}
		next.ServeHTTP(w, r)
	})
}

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var e *Error
	if errors.As(err, &e) {
		status = e.Status
	}
	msg := err.Error()
	if r, ok := w.(redactingWriter); ok {
		msg = r.redact(msg)
	}
	writeJSON(w, status, apiError{Error: msg})
}

// redactingWriter masks secrets in error messages (a module that throws an
// env value while loading must not hand it back in the refusal).
type redactingWriter struct {
	http.ResponseWriter
	redact func(string) string
}

func (w redactingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w redactingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (a *api) server(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, ServerInfo{Version: a.o.Version, Domain: a.o.Domain, MaxUpload: a.m.MaxUpload(), LiveSwap: a.m.LiveSwap()})
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	list, err := a.m.List()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (a *api) info(w http.ResponseWriter, r *http.Request) {
	info, err := a.m.Info(r.PathValue("name"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (a *api) delete(w http.ResponseWriter, r *http.Request) {
	if err := a.m.Delete(r.PathValue("name")); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted": r.PathValue("name")})
}

func (a *api) deploy(w http.ResponseWriter, r *http.Request) {
	max := a.m.MaxUpload()
	if r.ContentLength > max {
		// Refused before reading: with Expect: 100-continue the client has
		// not sent the body yet.
		writeError(w, errorf(http.StatusRequestEntityTooLarge, "the upload (%s) is larger than this server accepts (%s; gopk serve --max-upload)", mib(r.ContentLength), mib(max)))
		return
	}
	body := http.MaxBytesReader(w, r.Body, max)
	res, err := a.m.Deploy(r.Context(), r.PathValue("name"), body)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *api) rollback(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Version int `json:"version"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, errorf(http.StatusBadRequest, "rollback body: %v", err))
		return
	}
	res, err := a.m.Rollback(r.PathValue("name"), req.Version)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *api) envGet(w http.ResponseWriter, r *http.Request) {
	env, err := a.m.Env(r.PathValue("name"))
	if err != nil {
		writeError(w, err)
		return
	}
	if r.URL.Query().Get("values") == "1" {
		writeJSON(w, http.StatusOK, env)
		return
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sortStrings(names)
	writeJSON(w, http.StatusOK, names)
}

// maxEnvBody bounds env uploads (values are small; this is not a file store).
const maxEnvBody = 1 << 20

func (a *api) envPatch(w http.ResponseWriter, r *http.Request) {
	var vars map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxEnvBody)).Decode(&vars); err != nil {
		writeError(w, errorf(http.StatusBadRequest, "env body must be a JSON object of vars (at most 1 MiB): %v", err))
		return
	}
	if err := a.m.SetEnv(r.PathValue("name"), vars, false); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"set": len(vars)})
}

func (a *api) envPut(w http.ResponseWriter, r *http.Request) {
	value, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEnvBody))
	if err != nil {
		writeError(w, errorf(http.StatusRequestEntityTooLarge, "env value larger than 1 MiB"))
		return
	}
	key := r.PathValue("key")
	if err := a.m.SetEnv(r.PathValue("name"), map[string]any{key: string(value)}, false); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"set": key})
}

func (a *api) envDelete(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if err := a.m.RemoveEnv(r.PathValue("name"), key); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"removed": key})
}

// tail streams log entries as NDJSON until the client goes away. A line is
// sent every 15 s even when nothing happens, so proxies keep it open.
func (a *api) tail(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := ValidateName(name); err != nil {
		writeError(w, &Error{Status: http.StatusBadRequest, Err: err})
		return
	}
	q := r.URL.Query()
	f := Filter{Project: name, Party: q.Get("party"), Room: q.Get("room"), Level: -100}
	if lv := q.Get("level"); lv != "" {
		if err := f.Level.UnmarshalText([]byte(lv)); err != nil {
			writeError(w, errorf(http.StatusBadRequest, "level %q: use debug, info, warn or error", lv))
			return
		}
	}
	sub := a.o.Hub.Subscribe(f, 1024)
	defer sub.Close()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	enc := json.NewEncoder(w)
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	var reported int64
	for {
		select {
		case <-r.Context().Done():
			return
		case e := <-sub.C:
			if d := sub.Dropped(); d > reported {
				_ = enc.Encode(Entry{Time: time.Now(), Level: "WARN", Project: name, Message: strconv.FormatInt(d-reported, 10) + " log lines dropped: the tail client was too slow"})
				reported = d
			}
			if err := enc.Encode(e); err != nil {
				return
			}
		case <-keepalive.C:
			if _, err := fmt.Fprintln(w, "{}"); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// Checkpoint is the answer of POST /_gopk/v1/checkpoint.
type Checkpoint struct {
	Dir string `json:"dir"` // on the server
}

func (a *api) checkpoint(w http.ResponseWriter, r *http.Request) {
	if a.o.Checkpoint == nil {
		writeError(w, errorf(http.StatusNotImplemented, "this server does not take checkpoints"))
		return
	}
	dir, err := a.o.Checkpoint()
	if err != nil {
		writeError(w, err)
		return
	}
	a.o.Logger.Info("checkpoint taken", "dir", dir)
	writeJSON(w, http.StatusOK, Checkpoint{Dir: dir})
}
