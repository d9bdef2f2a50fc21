package assets

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// sseEvent is one dispatched server-sent event.
type sseEvent struct{ id, event, data string }

// stream reads events from an event-stream response on a goroutine.
func stream(t *testing.T, url, lastID string) (<-chan sseEvent, func()) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := make(chan sseEvent, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				events <- ev
				ev = sseEvent{}
				continue
			}
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				ev.id = value
			case "event":
				ev.event = value
			case "data":
				ev.data = value
			}
		}
	}()
	return events, func() { resp.Body.Close() }
}

func next(t *testing.T, events <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return sseEvent{}
}

func waitSubscribers(t *testing.T, l *Live, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for l.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", l.Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLivePublishesChangesToEveryPage(t *testing.T) {
	l := NewLive("v1")
	srv := httptest.NewServer(l)
	defer srv.Close()
	defer l.Close()

	a, closeA := stream(t, srv.URL, "")
	defer closeA()
	b, closeB := stream(t, srv.URL, "")
	defer closeB()
	for _, s := range []<-chan sseEvent{a, b} {
		if hello := next(t, s); hello.id != "v1" || hello.event != "" {
			t.Errorf("first event %+v, want only the id v1", hello)
		}
	}
	waitSubscribers(t, l, 2)

	l.Publish("v1", Change{Updated: []string{"/dist/x.js"}})
	l.Publish("v2", Change{Updated: []string{"/dist/app.js"}})
	for _, s := range []<-chan sseEvent{a, b} {
		ev := next(t, s)
		if ev.event != "change" || ev.id != "v2" {
			t.Fatalf("got %+v, want a change event with id v2 (the same version is not news)", ev)
		}
		var c Change
		if err := json.Unmarshal([]byte(ev.data), &c); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Updated, []string{"/dist/app.js"}) || c.Added == nil || c.Removed == nil {
			t.Errorf("payload %s, want esbuild's shape with /dist/app.js updated", ev.data)
		}
	}

	closeA()
	waitSubscribers(t, l, 1)
}

func TestLiveStalePageReloadsOnReconnect(t *testing.T) {
	l := NewLive("v2")
	srv := httptest.NewServer(l)
	defer srv.Close()
	defer l.Close()

	stale, closeStale := stream(t, srv.URL, "v1")
	defer closeStale()
	next(t, stale) // the id
	if ev := next(t, stale); ev.event != "change" {
		t.Errorf("a page built at v1 reconnecting to v2 got %+v, want a change", ev)
	}

	fresh, closeFresh := stream(t, srv.URL, "v2")
	defer closeFresh()
	next(t, fresh)
	waitSubscribers(t, l, 2)
	select {
	case ev := <-fresh:
		t.Errorf("an up-to-date page got %+v", ev)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestLiveCloseEndsStreams(t *testing.T) {
	l := NewLive("v1")
	srv := httptest.NewServer(l)
	defer srv.Close()
	s, closeS := stream(t, srv.URL, "")
	defer closeS()
	next(t, s)
	l.Close()
	select {
	case _, ok := <-s:
		if ok {
			t.Error("an event after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream is still open after Close")
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Close a new stream got %d, want 503", resp.StatusCode)
	}
}

func TestChangesSkipsFilesOutsideServedir(t *testing.T) {
	old := &Result{Outputs: map[string]string{"/p/public/dist/a.js": "1", "/p/public/dist/gone.js": "1", "/p/other/x.js": "1"}}
	cur := &Result{Outputs: map[string]string{"/p/public/dist/a.js": "2", "/p/public/dist/new.js": "1", "/p/other/x.js": "2"}}
	c := Changes(old, cur, "/p/public")
	want := Change{Added: []string{"/dist/new.js"}, Removed: []string{"/dist/gone.js"}, Updated: []string{"/dist/a.js"}}
	if !slices.Equal(c.Added, want.Added) || !slices.Equal(c.Removed, want.Removed) || !slices.Equal(c.Updated, want.Updated) {
		t.Errorf("Changes = %+v, want %+v", c, want)
	}
	if !Changes(cur, cur, "/p/public").Empty() {
		t.Error("a build compared with itself changed")
	}
}
