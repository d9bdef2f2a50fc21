package room_test

// Alarms and crons through the runtime: the store's alarm index drives
// Room.Alarm as gopk dev does (roomtest wires DB.RunAlarms), and onAlarm runs
// in the room's VM with the Durable Objects rules PARTYKIT.md lists.

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"

	"gopk/runtime/cron"
	"gopk/runtime/room"
	"gopk/runtime/roomtest"
)

// alarmServer is driven over HTTP: ?do=set&at=MS&mode=M sets the alarm (M
// tells onAlarm how to behave), ?do=delete removes it, ?do=get reads it,
// ?do=log returns what each onAlarm run saw, ?do=busy&ms=N spins for N ms.
const alarmServer = `
import type * as Party from "partykit/server";
type Entry = { at: number; inside: number | null; id?: string; idError?: string; partiesError?: string; next?: number | null };
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  async onRequest(req: Party.Request) {
    const q = new URL(req.url).searchParams;
    const s = this.room.storage;
    switch (q.get("do")) {
      case "set":
        await s.put("mode", q.get("mode") ?? "ok");
        await s.setAlarm(Number(q.get("at")));
        return new Response(String(await s.getAlarm()));
      case "delete":
        await s.deleteAlarm();
        return new Response(String(await s.getAlarm()));
      case "get":
        return new Response(String(await s.getAlarm()));
      case "log":
        return new Response(JSON.stringify((await s.get("log")) ?? []));
      case "busy": { // keeps the room's loop busy
        const until = Date.now() + Number(q.get("ms"));
        while (Date.now() < until) {}
        return new Response("done");
      }
    }
    return new Response("?", { status: 400 });
  }
  async onAlarm() {
    const s = this.room.storage;
    const e: Entry = { at: Date.now(), inside: await s.getAlarm() };
    try { e.id = this.room.id; } catch (err) { e.idError = (err as Error).message; }
    try { this.room.context.parties; } catch (err) { e.partiesError = (err as Error).message; }
    const log: Entry[] = (await s.get("log")) ?? [];
    log.push(e);
    const mode = await s.get("mode");
    if (mode === "repeat" && log.length < 3) {
      await s.setAlarm(Date.now() + 50);
      e.next = await s.getAlarm();
    }
    await s.put("log", log);
    if (mode === "throw" || (mode === "throw2" && log.length <= 2)) throw new Error("onAlarm failed on purpose, run " + log.length);
  }
}`

type alarmEntry struct {
	At           int64  `json:"at"`
	Inside       *int64 `json:"inside"`
	ID           string `json:"id"`
	IDError      string `json:"idError"`
	PartiesError string `json:"partiesError"`
	Next         *int64 `json:"next"`
}

// alarmRoom talks to one room of alarmServer.
type alarmRoom struct {
	t   *testing.T
	url string
}

func newAlarmRoom(t *testing.T, env *roomtest.Env, id string) *alarmRoom {
	return &alarmRoom{t: t, url: env.Server.URL + "/parties/main/" + id}
}

// set schedules the alarm at ms (epoch) and returns what getAlarm says after.
func (a *alarmRoom) set(ms int64, mode string) string {
	a.t.Helper()
	return httpDo(a.t, "GET", fmt.Sprintf("%s?do=set&at=%d&mode=%s", a.url, ms, mode), "")
}

func (a *alarmRoom) log() []alarmEntry {
	a.t.Helper()
	var out []alarmEntry
	body := httpDo(a.t, "GET", a.url+"?do=log", "")
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		a.t.Fatalf("log %q: %v", body, err)
	}
	return out
}

// waitLog polls until the log has n entries.
func (a *alarmRoom) waitLog(n int) []alarmEntry {
	a.t.Helper()
	var got []alarmEntry
	eventually(a.t, fmt.Sprintf("%d onAlarm runs", n), func() bool {
		got = a.log()
		return len(got) >= n
	})
	return got
}

func nowMs() int64 { return time.Now().UnixMilli() }

// onTime is the bound within which an alarm must fire after its time (and
// it must never fire before). RunAlarms sleeps on a timer until the earliest
// alarm, so the lateness is scheduling noise; the bound allows for -race and
// a busy 2-core machine.
const onTime = 500 * time.Millisecond

func TestAlarmFiresOnTime(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": alarmServer})
	a := newAlarmRoom(t, env, "ontime")
	due := nowMs() + 300
	if got := a.set(due, "ok"); got != fmt.Sprint(due) {
		t.Fatalf("getAlarm after setAlarm(%d) = %s", due, got)
	}
	e := a.waitLog(1)[0]
	late := time.Duration(e.At-due) * time.Millisecond
	if late < 0 || late > onTime {
		t.Fatalf("onAlarm ran %v after its time, want within [0, %v]", late, onTime)
	}
	t.Logf("alarm fired %v after its time", late)
	if e.Inside != nil {
		t.Errorf("getAlarm() inside onAlarm = %d, want null (the alarm is cleared as it starts)", *e.Inside)
	}
	// PartyKit's facade hides room.id and room.context.parties for the
	// whole of every onAlarm, even in a room that was live already.
	if e.ID != "" || !strings.Contains(e.IDError, "`Party.id` in the `onAlarm` handler") ||
		!strings.Contains(e.PartiesError, "`Party.context.parties` in the `onAlarm` handler") {
		t.Errorf("in a live room onAlarm saw id %q (error %q, parties error %q), want PartyKit's errors", e.ID, e.IDError, e.PartiesError)
	}
	if got := httpDo(t, "GET", a.url+"?do=get", ""); got != "null" {
		t.Errorf("getAlarm after the alarm ran = %s, want null", got)
	}

	// A time in the past fires at once.
	past := newAlarmRoom(t, env, "past")
	past.set(nowMs()-10_000, "ok")
	start := time.Now()
	past.waitLog(1)
	if d := time.Since(start); d > onTime {
		t.Errorf("an alarm in the past fired after %v, want at once", d)
	}
}

func TestOneAlarmPerRoom(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": alarmServer})
	a := newAlarmRoom(t, env, "one")
	first, second := nowMs()+200, nowMs()+500
	a.set(first, "ok")
	if got := a.set(second, "ok"); got != fmt.Sprint(second) {
		t.Fatalf("getAlarm after the second setAlarm = %s, want %d", got, second)
	}
	e := a.waitLog(1)[0]
	if e.At < second {
		t.Fatalf("onAlarm ran at %d, before the replacing alarm's time %d: the first alarm fired", e.At, second)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(a.log()); n != 1 {
		t.Fatalf("%d onAlarm runs, want 1", n)
	}
	if alarms, _ := env.DB.Alarms(); len(alarms) != 0 {
		t.Fatalf("alarm index still holds %v", alarms)
	}

	// A deleted alarm does not fire.
	d := newAlarmRoom(t, env, "deleted")
	d.set(nowMs()+200, "ok")
	if got := httpDo(t, "GET", d.url+"?do=delete", ""); got != "null" {
		t.Fatalf("getAlarm after deleteAlarm = %s", got)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(d.log()); n != 0 {
		t.Fatalf("a deleted alarm fired %d times", n)
	}
}

func TestOnAlarmCanSetTheNextAlarm(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": alarmServer})
	a := newAlarmRoom(t, env, "repeat")
	a.set(nowMs()+50, "repeat")
	log := a.waitLog(3)
	for i, e := range log[:2] {
		if e.Inside != nil || e.Next == nil || *e.Next < e.At+50 {
			t.Errorf("run %d: getAlarm was %v on entry and %v after setting the next one", i, e.Inside, e.Next)
		}
		if log[i+1].At < *e.Next {
			t.Errorf("run %d came at %d, before the alarm set for %d", i+1, log[i+1].At, *e.Next)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(a.log()); n != 3 {
		t.Fatalf("%d runs, want 3 (the third sets no new alarm)", n)
	}
}

func TestThrowingOnAlarmIsRetriedWithBackoff(t *testing.T) {
	const base = 20 * time.Millisecond
	env := roomtest.Start(t, map[string]string{"party/index.ts": alarmServer},
		roomtest.Options{Rooms: room.Options{AlarmRetryBase: base}})

	t.Run("until it succeeds", func(t *testing.T) {
		a := newAlarmRoom(t, env, "flaky")
		a.set(nowMs(), "throw2")
		log := a.waitLog(3)
		time.Sleep(8 * base)
		if n := len(a.log()); n != 3 {
			t.Fatalf("%d runs, want 3 (two failures, then success)", n)
		}
		checkBackoff(t, log, base)
	})

	t.Run("gives up after the last retry", func(t *testing.T) {
		a := newAlarmRoom(t, env, "broken")
		a.set(nowMs(), "throw")
		want := 1 + room.MaxAlarmRetries
		log := a.waitLog(want)
		// The last delay was base << (MaxAlarmRetries-1); a further retry
		// would come after twice that.
		time.Sleep(base<<room.MaxAlarmRetries + 200*time.Millisecond)
		if n := len(a.log()); n != want {
			t.Fatalf("%d runs, want %d (one and %d retries)", n, want, room.MaxAlarmRetries)
		}
		checkBackoff(t, log, base)
		if got := httpDo(t, "GET", a.url+"?do=get", ""); got != "null" {
			t.Fatalf("getAlarm after giving up = %s, want null", got)
		}
		if !strings.Contains(env.Logs.String(), "onAlarm failed on purpose") {
			t.Error("the server log does not show onAlarm's error")
		}
	})
}

// checkBackoff checks that retry i came no sooner than base·2^i after the
// failure before it.
func checkBackoff(t *testing.T, log []alarmEntry, base time.Duration) {
	t.Helper()
	var gaps []string
	for i := 1; i < len(log); i++ {
		gap := time.Duration(log[i].At-log[i-1].At) * time.Millisecond
		gaps = append(gaps, gap.String())
		// Alarm times are stored in whole milliseconds: allow one.
		if min := base<<(i-1) - time.Millisecond; gap < min {
			t.Errorf("retry %d came %v after the failure, want at least %v", i, gap, base<<(i-1))
		}
	}
	t.Logf("gaps between runs: %s", strings.Join(gaps, " "))
}

// TestAlarmFiresAfterRestart sets an alarm, stops the server before it is
// due and starts a new one on the same store after: the alarm fires from the
// index alone, in a room it wakes, where room.id and room.context.parties
// throw as on PartyKit.
func TestAlarmFiresAfterRestart(t *testing.T) {
	fs := vfs.NewMem()
	files := map[string]string{"party/index.ts": alarmServer}
	env := roomtest.Start(t, files, roomtest.Options{StoreFS: fs})
	due := nowMs() + 300
	newAlarmRoom(t, env, "sleeper").set(due, "ok")
	env.Close()
	time.Sleep(time.Until(time.UnixMilli(due)) + 100*time.Millisecond)

	env = roomtest.Start(t, files, roomtest.Options{StoreFS: fs})
	// Wait for the alarm to have run before any request starts the room.
	eventually(t, "the alarm to fire after the restart", func() bool {
		alarms, err := env.DB.Alarms()
		return err == nil && len(alarms) == 0
	})
	log := newAlarmRoom(t, env, "sleeper").waitLog(1)
	e := log[0]
	if e.At < due {
		t.Fatalf("fired at %d, before its time %d", e.At, due)
	}
	if e.ID != "" || !strings.Contains(e.IDError, "`Party.id`") {
		t.Errorf("room.id in an onAlarm that woke the room: got id %q, error %q; want it to throw", e.ID, e.IDError)
	}
	if !strings.Contains(e.PartiesError, "`Party.context.parties`") {
		t.Errorf("room.context.parties in an onAlarm that woke the room: error %q, want it to throw", e.PartiesError)
	}
	if got := httpDo(t, "GET", env.Server.URL+"/parties/main/sleeper?do=get", ""); got != "null" {
		t.Errorf("getAlarm after the alarm = %s", got)
	}
}

// TestAlarmSurvivesARoomRestart lets an alarm come due while its room is
// busy, then restarts the room (as a new version in gopk dev, a deploy or a
// shutdown does) before the alarm's event has run. The alarm must still
// fire. The control without a restart shows the busy room alone is fine.
func TestAlarmSurvivesARoomRestart(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart=%v", restart), func(t *testing.T) {
			env := roomtest.Start(t, map[string]string{"party/index.ts": alarmServer})
			a := newAlarmRoom(t, env, "restarted")
			due := nowMs() + 300
			a.set(due, "ok")
			busy := make(chan string, 1)
			go func() { busy <- httpDo(t, "GET", a.url+"?do=busy&ms=700", "") }()
			// Due while the room is busy: its event waits in the queue.
			time.Sleep(time.Until(time.UnixMilli(due)) + 150*time.Millisecond)
			if restart {
				// Queued before the alarm's event runs, as jobs run first.
				env.Rooms.SetCode(env.Rooms.Code())
			}
			<-busy
			var log []alarmEntry
			deadline := time.Now().Add(3 * time.Second)
			for len(log) == 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				log = a.log()
			}
			if len(log) == 0 {
				alarms, _ := env.DB.Alarms()
				t.Fatalf("the alarm due at %d never ran (3 s later; the index holds %v)", due, alarms)
			}
		})
	}
}

const legacyAlarmServer = `
export default {
  async onRequest(req, room) {
    if (req.method === "POST") {
      await room.storage.setAlarm(Date.now() + 50);
      return new Response("set");
    }
    return new Response(JSON.stringify((await room.storage.get("seen")) ?? null));
  },
  async onAlarm(room) {
    let id; try { id = room.id; } catch { id = "hidden"; } // PartyKit hides it in onAlarm
    await room.storage.put("seen", { name: room.name, id, alarm: await room.storage.getAlarm(), args: arguments.length });
  },
};`

func TestLegacyOnAlarmGetsTheRoom(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": legacyAlarmServer})
	url := env.Server.URL + "/parties/main/old"
	if got := httpDo(t, "POST", url, ""); got != "set" {
		t.Fatalf("POST gave %q", got)
	}
	var got string
	eventually(t, "the legacy onAlarm(room) to run", func() bool {
		got = httpDo(t, "GET", url, "")
		return got != "null"
	})
	if want := `{"name":"main","id":"hidden","alarm":null,"args":1}`; got != want {
		t.Fatalf("legacy onAlarm saw %s, want %s", got, want)
	}
}

// cronServer's onCron stores what it got in the room "log" through the lobby.
const cronServer = `
import type * as Party from "partykit/server";
export default class S implements Party.Server {
  constructor(readonly room: Party.Room) {}
  static async onCron(cron: Party.Cron, lobby: Party.CronLobby) {
    await lobby.parties.main.get("log").fetch({ method: "POST", body: JSON.stringify({
      name: cron.name, cron: cron.cron, scheduledTime: cron.scheduledTime, lobby: Object.keys(lobby).sort() }) });
  }
  async onRequest(req: Party.Request) {
    const log = (await this.room.storage.get<unknown[]>("log")) ?? [];
    if (req.method === "POST") {
      log.push({ ...(await req.json()), ranAt: Date.now() });
      await this.room.storage.put("log", log);
    }
    return new Response(JSON.stringify(log));
  }
}`

// TestCronFiresOnSchedule runs a schedule through runtime/cron into the main
// party's onCron, as gopk dev and serve do. robfig/cron rounds @every to
// whole seconds, so the schedule is @every 1s rather than every minute.
func TestCronFiresOnSchedule(t *testing.T) {
	env := roomtest.Start(t, map[string]string{"party/index.ts": cronServer})
	var mu sync.Mutex
	var fireErrs []error
	fire := func(name, expr string, at time.Time) error {
		e, err := env.Rooms.Edge("main")
		if err == nil {
			err = e.Cron(name, expr, at)
		}
		if err != nil {
			mu.Lock()
			fireErrs = append(fireErrs, err)
			mu.Unlock()
		}
		return err
	}
	start := time.Now()
	sched, err := cron.Start(map[string]string{"tick": "@every 1s"}, fire, slog.New(slog.NewTextHandler(env.Logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond)
	sched.Stop()
	stop := time.Now()

	var log []struct {
		Name          string   `json:"name"`
		Cron          string   `json:"cron"`
		ScheduledTime int64    `json:"scheduledTime"`
		Lobby         []string `json:"lobby"`
		RanAt         int64    `json:"ranAt"`
	}
	body := httpDo(t, "GET", env.Server.URL+"/parties/main/log", "")
	if err := json.Unmarshal([]byte(body), &log); err != nil {
		t.Fatalf("log %q: %v", body, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fireErrs) > 0 {
		t.Fatalf("onCron failed: %v", fireErrs)
	}
	// robfig/cron fires @every 1s on whole seconds: 3 or 4 of them fit in
	// 3.5 s.
	if len(log) < 3 || len(log) > 4 {
		t.Fatalf("%d runs in 3.5 s of @every 1s, want 3 or 4: %s", len(log), body)
	}
	wantLobby := "ai analytics assets bindings env parties vectorize"
	for i, e := range log {
		if e.Name != "tick" || e.Cron != "@every 1s" || strings.Join(e.Lobby, " ") != wantLobby {
			t.Errorf("run %d: %+v; want cron.name tick, cron.cron @every 1s and lobby keys %s", i, e, wantLobby)
		}
		at := time.UnixMilli(e.ScheduledTime)
		if at.Before(start) || at.After(stop) {
			t.Errorf("run %d scheduled at %v, outside the %v the schedule ran", i, at.Sub(start), stop.Sub(start))
		}
		if i > 0 {
			// scheduledTime is when runtime/cron fired, not the tick itself.
			gap := time.Duration(e.ScheduledTime-log[i-1].ScheduledTime) * time.Millisecond
			if gap < time.Second-onTime || gap > time.Second+onTime {
				t.Errorf("runs %d and %d came %v apart, want 1s", i-1, i, gap)
			}
		}
		if late := time.Duration(e.RanAt-e.ScheduledTime) * time.Millisecond; late < 0 || late > onTime {
			t.Errorf("run %d ran %v after its time, want within [0, %v]", i, late, onTime)
		}
	}
}
