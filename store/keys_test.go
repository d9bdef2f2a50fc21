package store

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func timeMs(ms int64) time.Time { return time.UnixMilli(ms) }

var hostileIDs = []string{
	"", "a", "a/b", "a%2Fb", "%2F", "..", "../a", ".", "a\x00", "\x00", "\x00a", "a\x00b",
	"\x01", "\x02", "\xff", "a\x01", "b", "ab", strings.Repeat("é", 1024), strings.Repeat("😀", 512),
	"main", "main/r", "\x03abc", "\x01\x01a",
}

// TestHostileRoomIDsStayApart puts one key into every room built from hostile
// ids (in every field) and checks that each room reads only its own key.
func TestHostileRoomIDsStayApart(t *testing.T) {
	db, _ := openDisk(t)
	var rooms []RoomKey
	for _, id := range hostileIDs {
		rooms = append(rooms, RoomKey{"p", "main", id}, RoomKey{"p", id, "r"}, RoomKey{id, "main", "r"})
	}
	seen := map[RoomKey]bool{}
	var unique []RoomKey
	for _, k := range rooms {
		if !seen[k] {
			seen[k] = true
			unique = append(unique, k)
		}
	}
	for _, k := range unique {
		r := db.Room(k)
		_ = r.Put("k", []byte(k.String()))
		_ = r.Put("", []byte(k.String()))
		_ = r.Put("\xff\xff", []byte(k.String()))
		_ = r.SetAlarm(timeMs(1000))
		mustFlush(t, r)
	}
	for _, k := range unique {
		r := db.Room(k)
		got := listAll(t, r, ListOptions{})
		want := []kv{{"", k.String()}, {"k", k.String()}, {"\xff\xff", k.String()}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("room %s lists %q, want only its own keys", k, got)
		}
	}
	// deleteAll in one room touches no other.
	victim := db.Room(RoomKey{"p", "main", "a"})
	_ = victim.DeleteAll()
	mustFlush(t, victim)
	for _, k := range unique {
		n := len(listAll(t, db.Room(k), ListOptions{}))
		if k == victim.Key() && n != 0 {
			t.Fatalf("deleteAll left %d keys", n)
		}
		if k != victim.Key() && n != 3 {
			t.Fatalf("deleteAll of %s removed keys of %s", victim.Key(), k)
		}
	}
	alarms, err := db.Alarms()
	if err != nil {
		t.Fatal(err)
	}
	if len(alarms) != len(unique) {
		t.Fatalf("%d alarm index entries for %d rooms", len(alarms), len(unique))
	}
	for _, a := range alarms {
		if !seen[a.Room] {
			t.Fatalf("alarm index names unknown room %s", a.Room)
		}
	}
}

func TestKeyLayoutIsStable(t *testing.T) {
	// The on-disk layout must not change by accident: existing data would
	// become unreachable.
	got := roomPrefix(RoomKey{"p", "main", "a/b"}, kindData)
	want := []byte("\x01\x01p\x04main\x03a/b\x01")
	if !bytes.Equal(got, want) {
		t.Fatalf("room prefix %q, want %q", got, want)
	}
	idx := alarmIndexKey(time.Unix(0, 1), RoomKey{"", "x", ""})
	wantIdx := []byte("\x02\x80\x00\x00\x00\x00\x00\x00\x01\x00\x01x\x00")
	if !bytes.Equal(idx, wantIdx) {
		t.Fatalf("alarm index key %q, want %q", idx, wantIdx)
	}
}

func TestAlarmIndexSortsByTime(t *testing.T) {
	times := []time.Time{time.Unix(-5, 0), time.Unix(0, 0), time.Unix(0, 1), timeMs(1), timeMs(1 << 40)}
	for i := 1; i < len(times); i++ {
		a := alarmIndexKey(times[i-1], RoomKey{"z", "z", "z"})
		b := alarmIndexKey(times[i], RoomKey{"", "", ""})
		if bytes.Compare(a, b) >= 0 {
			t.Fatalf("index key of %v does not sort before %v", times[i-1], times[i])
		}
	}
}

// overlaps reports whether [aLo, aHi) and [bLo, bHi) share a key.
func overlaps(aLo, aHi, bLo, bHi []byte) bool {
	return bytes.Compare(aLo, bHi) < 0 && bytes.Compare(bLo, aHi) < 0
}

func FuzzRoomKeys(f *testing.F) {
	for i, a := range hostileIDs {
		b := hostileIDs[(i+1)%len(hostileIDs)]
		f.Add("p", "main", a, "p", "main", b, "k")
		f.Add(a, b, "", b, a, "", "")
	}
	f.Add("a", "b", "c", "a", "bc", "", "x")
	f.Add("", "\x01", "a", "\x01", "a", "", "\x00")
	f.Fuzz(func(t *testing.T, p1, q1, r1, p2, q2, r2, user string) {
		a, b := RoomKey{p1, q1, r1}, RoomKey{p2, q2, r2}

		// Round trips: a value key and an alarm index entry decode to what
		// was encoded.
		dk := append(roomPrefix(a, kindData), user...)
		gotRoom, gotUser, err := decodeDataKey(dk)
		if err != nil || gotRoom != a || gotUser != user {
			t.Fatalf("decodeDataKey(%q) = %v %q %v; want %v %q", dk, gotRoom, gotUser, err, a, user)
		}
		at := time.Unix(0, int64(len(user))*1e9)
		gotAt, gotRoom, err := decodeAlarmIndexKey(alarmIndexKey(at, a))
		if err != nil || gotRoom != a || !gotAt.Equal(at) {
			t.Fatalf("alarm index round trip of %v %v: %v %v %v", at, a, gotAt, gotRoom, err)
		}

		if a == b {
			return
		}
		// Distinct rooms: neither the value span nor the alarm key of one
		// touches the other's.
		aLo, bLo := roomPrefix(a, kindData), roomPrefix(b, kindData)
		aHi, bHi := prefixEnd(aLo), prefixEnd(bLo)
		if overlaps(aLo, aHi, bLo, bHi) {
			t.Fatalf("value spans of %v [%q,%q) and %v [%q,%q) overlap", a, aLo, aHi, b, bLo, bHi)
		}
		aAlarm := roomPrefix(a, kindAlarm)
		if bytes.Compare(aAlarm, bLo) >= 0 && bytes.Compare(aAlarm, bHi) < 0 {
			t.Fatalf("alarm key of %v lies in the value span of %v", a, b)
		}
		if bytes.Equal(aAlarm, roomPrefix(b, kindAlarm)) {
			t.Fatalf("rooms %v and %v share an alarm key", a, b)
		}
		if bytes.Equal(alarmIndexKey(at, a), alarmIndexKey(at, b)) {
			t.Fatalf("rooms %v and %v share an alarm index entry", a, b)
		}
	})
}
