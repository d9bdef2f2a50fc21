package cron

import (
	"log/slog"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	if err := Validate(map[string]string{"a": "*/5 * * * *", "b": "@hourly"}); err != nil {
		t.Fatal(err)
	}
	if err := Validate(map[string]string{"bad": "every minute"}); err == nil {
		t.Fatal("a bad expression passed")
	}
}

func TestStartFiresOnSchedule(t *testing.T) {
	fired := make(chan string, 1)
	s, err := Start(map[string]string{"tick": "@every 100ms"}, func(name, expr string, _ time.Time) error {
		select {
		case fired <- name + " " + expr:
		default:
		}
		return nil
	}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	select {
	case got := <-fired:
		if got != "tick @every 100ms" {
			t.Fatalf("fired %q", got)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("cron never fired")
	}
}
