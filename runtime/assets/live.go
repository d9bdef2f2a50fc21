package assets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// LivePath is where `gopk dev` serves the live-reload event stream. It sits
// on the dev server's own port, under a prefix no PartyKit route uses.
const LivePath = "/__gopk/live"

// liveBanner is put at the top of every built JS file when live reload is
// on, as PartyKit's `--live` does with esbuild's event stream. Code
// splitting gives a page several files, so only the first one subscribes.
// The URL is relative to the page, which gopk serves.
func liveBanner(path string) string {
	p, _ := json.Marshal(path)
	return `(() => { if (typeof EventSource === "undefined" || typeof location === "undefined" || globalThis.__gopkLiveReload) return; ` +
		`globalThis.__gopkLiveReload = new EventSource(` + string(p) + `); ` +
		`globalThis.__gopkLiveReload.addEventListener("change", () => location.reload()); })();`
}

// Change lists what a rebuild changed, as URL paths under the served
// directory: the payload of esbuild's live-reload "change" event, so
// snippets written for esbuild (say, swapping a stylesheet in place) work.
type Change struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Updated []string `json:"updated"`
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool { return len(c.Added)+len(c.Removed)+len(c.Updated) == 0 }

// Changes compares two builds. URL paths are relative to servedir (the
// served directory); outputs outside it are left out, since no page can
// load them. old may be nil (everything is added).
func Changes(old, cur *Result, servedir string) Change {
	var c Change
	var before, after map[string]string
	if old != nil {
		before = old.Outputs
	}
	if cur != nil {
		after = cur.Outputs
	}
	for f, h := range after {
		prev, ok := before[f]
		switch {
		case !ok:
			c.Added = appendURL(c.Added, servedir, f)
		case prev != h:
			c.Updated = appendURL(c.Updated, servedir, f)
		}
	}
	for f := range before {
		if _, ok := after[f]; !ok {
			c.Removed = appendURL(c.Removed, servedir, f)
		}
	}
	sort.Strings(c.Added)
	sort.Strings(c.Removed)
	sort.Strings(c.Updated)
	return c
}

func appendURL(list []string, servedir, file string) []string {
	rel, err := filepath.Rel(servedir, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return list
	}
	return append(list, "/"+filepath.ToSlash(rel))
}

// Live is the live-reload channel: an http.Handler serving a server-sent
// event stream to the pages, and Publish to tell them a rebuild happened.
// Each event carries the build's version as its id, so a page whose stream
// reconnects after `gopk dev` restarted on changed code reloads too.
type Live struct {
	mu      sync.Mutex
	version string
	subs    map[chan Change]struct{}
	closed  bool
	done    chan struct{}
}

// NewLive makes a live-reload channel for pages built at version.
func NewLive(version string) *Live {
	return &Live{version: version, subs: map[chan Change]struct{}{}, done: make(chan struct{})}
}

// Publish records a new build and, when its version differs from the last
// one, sends a "change" event to every open page. It never blocks: a page
// that has not read the previous event yet gets one event for both.
func (l *Live) Publish(version string, c Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if version == l.version || l.closed {
		return
	}
	l.version = version
	for ch := range l.subs {
		select {
		case ch <- c:
		default:
		}
	}
}

// Subscribers is the number of pages listening now.
func (l *Live) Subscribers() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.subs)
}

// Close ends every stream; http.Server.Shutdown waits for handlers, and
// these would otherwise never return.
func (l *Live) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
}

// heartbeat keeps idle streams from being cut by proxies.
const heartbeat = 25 * time.Second

func (l *Live) subscribe() (chan Change, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, "", false
	}
	ch := make(chan Change, 1)
	l.subs[ch] = struct{}{}
	return ch, l.version, true
}

func (l *Live) unsubscribe(ch chan Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs, ch)
}

// ServeHTTP streams events until the page goes away or Close is called.
func (l *Live) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, version, ok := l.subscribe()
	if !ok {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	defer l.unsubscribe(ch)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(http.StatusOK)
	// An id with no data sets the page's last event id without an event.
	fmt.Fprintf(w, "retry: 1000\nid: %s\n\n", version)
	if last := r.Header.Get("Last-Event-ID"); last != "" && last != version {
		// The page was loaded from an older build (the stream reconnected
		// after a restart): it is stale.
		writeChange(w, version, Change{})
	}
	fl.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case c := <-ch:
			l.mu.Lock()
			version = l.version
			l.mu.Unlock()
			writeChange(w, version, c)
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case <-r.Context().Done():
			return
		case <-l.done:
			return
		}
		fl.Flush()
	}
}

func writeChange(w http.ResponseWriter, version string, c Change) {
	for _, list := range []*[]string{&c.Added, &c.Removed, &c.Updated} {
		if *list == nil {
			*list = []string{}
		}
	}
	data, _ := json.Marshal(c)
	fmt.Fprintf(w, "id: %s\nevent: change\ndata: %s\n\n", version, data)
}
