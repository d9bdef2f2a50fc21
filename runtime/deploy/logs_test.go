package deploy

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHubFiltersAndMasks(t *testing.T) {
	var base bytes.Buffer
	var mu sync.Mutex
	errs := map[string]int{}
	hub := NewHub(slog.NewJSONHandler(&base, nil), func(project, party string) {
		mu.Lock()
		errs[project+"/"+party]++
		mu.Unlock()
	})
	hub.SetSecrets([]string{"hunter2-the-password", "short"})
	log := slog.New(hub.Handler())
	room := log.With("project", "app", "party", "main", "room", "r1")
	other := log.With("project", "app", "party", "chat", "room", "r2")

	all := hub.Subscribe(Filter{Project: "app", Level: slog.LevelDebug}, 16)
	errOnly := hub.Subscribe(Filter{Project: "app", Level: slog.LevelError}, 16)
	chat := hub.Subscribe(Filter{Project: "app", Party: "chat", Level: slog.LevelDebug}, 16)
	otherProject := hub.Subscribe(Filter{Project: "else", Level: slog.LevelDebug}, 16)

	room.Info("password is hunter2-the-password", "source", "console")
	room.Error("onMessage threw", "error", errors.New("Error: hunter2-the-password leaked\n\tat party/index.ts:3:7"))
	room.Error("console error", "source", "console")
	other.Info("short stays")

	got := func(s *Subscription) []Entry {
		var out []Entry
		for {
			select {
			case e := <-s.C:
				out = append(out, e)
			case <-time.After(50 * time.Millisecond):
				return out
			}
		}
	}
	a := got(all)
	if len(a) != 4 {
		t.Fatalf("all got %d entries, want 4: %+v", len(a), a)
	}
	if a[0].Message != "password is "+Redacted || a[0].Source != "console" || a[0].Party != "main" || a[0].Room != "r1" || a[0].Project != "app" {
		t.Errorf("console entry = %+v", a[0])
	}
	if strings.Contains(a[1].Error, "hunter2") || !strings.Contains(a[1].Error, "party/index.ts:3:7") {
		t.Errorf("error entry = %+v, want the stack with the secret masked", a[1])
	}
	if a[3].Message != "short stays" {
		t.Errorf("values under 8 characters are not masked: %q", a[3].Message)
	}
	if e := got(errOnly); len(e) != 2 {
		t.Errorf("level filter: %d entries, want the 2 errors", len(e))
	}
	if c := got(chat); len(c) != 1 || c[0].Party != "chat" {
		t.Errorf("party filter: %+v", c)
	}
	if o := got(otherProject); len(o) != 0 {
		t.Errorf("another project's tail got %+v", o)
	}
	if strings.Contains(base.String(), "hunter2") {
		t.Errorf("the server log shows the secret:\n%s", base.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if errs["app/main"] != 1 {
		t.Errorf("errors counted = %v, want 1 for app/main (console.error is not a runtime error)", errs)
	}
}

func TestHubDropsForSlowSubscribers(t *testing.T) {
	hub := NewHub(slog.NewTextHandler(&bytes.Buffer{}, nil), nil)
	sub := hub.Subscribe(Filter{Project: "p"}, 2)
	log := slog.New(hub.Handler()).With("project", "p")
	done := make(chan struct{})
	go func() {
		for i := 0; i < 100; i++ {
			log.Info("line")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("logging blocked on a subscriber that does not read")
	}
	if sub.Dropped() != 98 {
		t.Fatalf("dropped %d, want 98", sub.Dropped())
	}
	sub.Close()
	log.Info("after close") // must not panic or block
}
