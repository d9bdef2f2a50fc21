package e2e

import (
	"encoding/json"
	"reflect"
	"testing"

	"gopk/e2e/testkit"
)

// TestCronTrigger runs onCron through dev's /__scheduled__?cron=NAME, as
// `partykit dev` does: the answer names the cron, and onCron gets cron.name,
// cron.cron and the lobby (which reaches rooms and env). (A schedule firing on its own is tested in
// runtime/room, where it need not wait for a whole minute.)
func TestCronTrigger(t *testing.T) {
	s := startFixture(t, "cron")
	type run struct {
		Name          string   `json:"name"`
		Cron          string   `json:"cron"`
		ScheduledTime string   `json:"scheduledTime"`
		Lobby         []string `json:"lobby"`
		Greeting      string   `json:"greeting"`
	}
	log := func() []run {
		t.Helper()
		var got []run
		res := testkit.Get(t, s.URL()+"/parties/main/log")
		if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
			t.Fatalf("log: HTTP %d %q", res.Status, res.Body)
		}
		return got
	}

	res := testkit.Get(t, s.URL()+"/__scheduled__?cron=hourly")
	if res.Status != 200 || res.Body != "ran cron hourly: 0 * * * *" {
		t.Fatalf("/__scheduled__?cron=hourly: HTTP %d %q, want 200 \"ran cron hourly: 0 * * * *\"", res.Status, res.Body)
	}
	want := []run{{
		Name: "hourly", Cron: "0 * * * *", ScheduledTime: "number",
		Lobby:    []string{"ai", "analytics", "assets", "bindings", "env", "parties", "vectorize"},
		Greeting: "hello from vars",
	}}
	if got := log(); !reflect.DeepEqual(got, want) {
		t.Fatalf("onCron saw %+v, want %+v", got, want)
	}

	if res := testkit.Get(t, s.URL()+"/__scheduled__?cron=nightly"); res.Body != "ran cron nightly: 30 2 * * *" {
		t.Errorf("/__scheduled__?cron=nightly: HTTP %d %q", res.Status, res.Body)
	}
	if got := log(); len(got) != 2 || got[1].Name != "nightly" {
		t.Errorf("after hourly and nightly, onCron ran for %+v", got)
	}

	// partykit dev runs onCron for any name, with the expression "* * * * *"
	// when the name is not in partykit.json and the name "unknown" when
	// there is none (facade: url.searchParams.get("cron") || "unknown").
	t.Run("a name not in partykit.json", func(t *testing.T) {
		for _, c := range []struct{ query, name, body string }{
			{"?cron=nope", "nope", "ran cron nope: * * * * *"},
			{"", "unknown", "ran cron unknown: * * * * *"},
		} {
			if res := testkit.Get(t, s.URL()+"/__scheduled__"+c.query); res.Status != 200 || res.Body != c.body {
				t.Errorf("/__scheduled__%s: HTTP %d %q, want 200 %q", c.query, res.Status, res.Body, c.body)
			}
			got := log()
			if last := got[len(got)-1]; last.Name != c.name || last.Cron != "* * * * *" {
				t.Errorf("/__scheduled__%s: onCron got name %q cron %q, want %q and * * * * *", c.query, last.Name, last.Cron, c.name)
			}
		}
	})
}
