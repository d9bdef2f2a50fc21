package router

import (
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"gopk/runtime/room"
)

// Assets serves a project's static files (partykit.json "serve").
type Assets struct {
	Dir           string // absolute; "" = no assets
	SinglePageApp bool
}

// contentTypes fixes the types of common files so they do not depend on the
// host's /etc/mime.types.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8", ".json": "application/json",
	".map": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".wasm": "application/wasm",
	".woff": "font/woff", ".woff2": "font/woff2", ".xml": "application/xml", ".pdf": "application/pdf",
}

// ContentType is the Content-Type gopk serves a file name with.
func ContentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// lookup finds the file for a raw URL path: percent-decoded, a trailing
// slash means index.html, dotfiles and node_modules are never served.
func (a *Assets) lookup(rawPath string) (string, bool) {
	if a == nil || a.Dir == "" {
		return "", false
	}
	p, err := url.PathUnescape(rawPath)
	if err != nil {
		return "", false
	}
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	p = strings.TrimPrefix(p, "/")
	if p == "" || strings.Contains(p, "\x00") {
		return "", false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasPrefix(seg, ".") || seg == "node_modules" {
			return "", false
		}
	}
	full := filepath.Join(a.Dir, filepath.FromSlash(p))
	st, err := os.Stat(full)
	if err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	return full, true
}

// serveFile writes a file with the status given (200, or 404 for 404.html).
func serveFile(w http.ResponseWriter, r *http.Request, file string, status int) {
	data, err := os.ReadFile(file)
	if err != nil {
		http.Error(w, "Not found", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ContentType(file))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// Response reads the asset at path (as context.assets.fetch sees it), or
// returns nil when there is none.
func (a *Assets) Response(path string) *room.HTTPResponse {
	file, ok := a.lookup(path)
	if !ok {
		return nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return &room.HTTPResponse{Status: http.StatusOK, Header: http.Header{"Content-Type": {ContentType(file)}}, Body: data}
}
