package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopk/e2e/testkit"
)

// alarmOnTime bounds how late an alarm may fire in the binary (never
// early). It is a bound for a shared CI machine, not a speed claim.
const alarmOnTime = time.Second

type alarmRun struct {
	At      int64  `json:"at"`
	Inside  *int64 `json:"inside"`
	ID      string `json:"id"`
	IDError string `json:"idError"`
}

// TestAlarms runs testdata/alarm on the binary: an alarm fires on time, is
// retried 2 s after onAlarm throws (the default backoff), and fires after
// the server was killed before it was due and started again after.
func TestAlarms(t *testing.T) {
	dir := testkit.CopyProject(t, filepath.Join("testdata", "alarm"))
	s := testkit.Start(t, dir)
	now := func() int64 { return time.Now().UnixMilli() }
	set := func(t *testing.T, room string, at int64, mode string) {
		t.Helper()
		res := testkit.Get(t, s.URL()+fmt.Sprintf("/parties/main/%s?do=set&at=%d&mode=%s", room, at, mode))
		if res.Body != fmt.Sprint(at) {
			t.Fatalf("setAlarm(%d) in %s: getAlarm gave HTTP %d %q", at, room, res.Status, res.Body)
		}
	}
	runs := func(t *testing.T, room string, n int) []alarmRun {
		t.Helper()
		var got []alarmRun
		testkit.Eventually(t, 15*time.Second, func() (bool, string) {
			res := testkit.Get(t, s.URL()+"/parties/main/"+room+"?do=log")
			got = nil
			_ = json.Unmarshal([]byte(res.Body), &got)
			return len(got) >= n, res.Body
		})
		return got
	}
	checkOnTime := func(t *testing.T, what string, at, due int64) {
		t.Helper()
		late := time.Duration(at-due) * time.Millisecond
		if late < 0 || late > alarmOnTime {
			t.Errorf("%s ran %v after its time, want within [0, %v]", what, late, alarmOnTime)
		}
		t.Logf("%s ran %v after its time", what, late)
	}

	t.Run("fires on time", func(t *testing.T) {
		due := now() + 500
		set(t, "ontime", due, "ok")
		r := runs(t, "ontime", 1)[0]
		checkOnTime(t, "the alarm", r.At, due)
		if r.Inside != nil {
			t.Errorf("getAlarm() inside onAlarm = %d, want null", *r.Inside)
		}
		// PartyKit throws for room.id in every onAlarm, a live room's too;
		// gopk does the same, with the same message.
		if r.ID != "" || !strings.Contains(r.IDError, "`Party.id` in the `onAlarm` handler") {
			t.Errorf("onAlarm in a live room saw id %q (error %q), want PartyKit's error", r.ID, r.IDError)
		}
	})

	t.Run("retried 2 s after a throw", func(t *testing.T) {
		set(t, "retry", now()+100, "throw1")
		got := runs(t, "retry", 2)
		gap := time.Duration(got[1].At-got[0].At) * time.Millisecond
		if gap < 2*time.Second-time.Millisecond || gap > 2*time.Second+alarmOnTime {
			t.Errorf("retry came %v after the failure, want 2 s (Durable Objects' first backoff)", gap)
		}
		t.Logf("retry came %v after the failure", gap)
		if !strings.Contains(s.Logs(), "onAlarm fails on its first run") {
			t.Error("the server log does not show onAlarm's error")
		}
	})

	t.Run("fires after a crash and restart", func(t *testing.T) {
		testkit.SkipOnPartyKit(t, "partykit dev did not run an alarm set before a SIGKILL within 15 s of its restart (measured)")
		due := now() + 1000
		set(t, "sleeper", due, "ok")
		s.Kill() // before it is due
		time.Sleep(time.Until(time.UnixMilli(due)) + 300*time.Millisecond)
		s.Restart()
		// Wait for the log line before any request starts the room, so the
		// alarm is what wakes it.
		if !s.WaitLog("onAlarm run 1 in a room the alarm woke", 10*time.Second) {
			t.Fatalf("no onAlarm run in a room the alarm woke after the restart")
		}
		r := runs(t, "sleeper", 1)[0]
		if r.At < due {
			t.Fatalf("fired at %d, before its time %d", r.At, due)
		}
		if r.ID != "" || r.IDError == "" {
			t.Errorf("room.id in an onAlarm that woke the room: id %q, error %q; want it to throw", r.ID, r.IDError)
		}
		if res := testkit.Get(t, s.URL()+"/parties/main/sleeper?do=get"); res.Body != "null" {
			t.Errorf("getAlarm after it fired = %q, want null", res.Body)
		}
		if n := len(runs(t, "sleeper", 1)); n != 1 {
			t.Errorf("%d runs after the restart, want 1", n)
		}
	})
}
