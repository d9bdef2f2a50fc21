package store

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestReadYourWritesBeforeFlush(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r1"})
	if _, ok := mustGet(t, r, "k"); ok {
		t.Fatal("fresh room has key k")
	}
	if err := r.Put("k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if v, ok := mustGet(t, r, "k"); !ok || v != "v1" {
		t.Fatalf("before flush: got %q %v, want v1", v, ok)
	}
	// Another handle sees only what is flushed.
	other := db.Room(RoomKey{"p", "main", "r1"})
	if _, ok := mustGet(t, other, "k"); ok {
		t.Fatal("unflushed write visible through another handle")
	}
	mustFlush(t, r)
	if v, ok := mustGet(t, other, "k"); !ok || v != "v1" {
		t.Fatalf("after flush, other handle: got %q %v", v, ok)
	}
	existed, err := r.Delete("k")
	if err != nil || !existed {
		t.Fatalf("delete existing: %v %v", existed, err)
	}
	if _, ok := mustGet(t, r, "k"); ok {
		t.Fatal("deleted key still readable before flush")
	}
	if v, ok := mustGet(t, other, "k"); !ok || v != "v1" {
		t.Fatal("unflushed delete visible through another handle")
	}
	existed, err = r.Delete("k")
	if err != nil || existed {
		t.Fatalf("second delete: existed=%v err=%v", existed, err)
	}
	existed, err = r.Delete("never")
	if err != nil || existed {
		t.Fatalf("delete missing: existed=%v err=%v", existed, err)
	}
	mustFlush(t, r)
	if _, ok := mustGet(t, other, "k"); ok {
		t.Fatal("flushed delete not visible")
	}
}

func TestValuesSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.Put("a", []byte("1"))
	_ = r.Put("empty", nil)
	waitDurable(t, db, mustFlush(t, r))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r = db.Room(RoomKey{"p", "main", "r"})
	if v, ok := mustGet(t, r, "a"); !ok || v != "1" {
		t.Fatalf("a after reopen: %q %v", v, ok)
	}
	if v, ok := mustGet(t, r, "empty"); !ok || v != "" {
		t.Fatalf("empty value after reopen: %q %v", v, ok)
	}
}

func TestListMergesBufferedWrites(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	for _, k := range []string{"a", "b", "c", "d"} {
		_ = r.Put(k, []byte("flushed-"+k))
	}
	mustFlush(t, r)
	_ = r.Put("b", []byte("new-b")) // overwrite
	_, _ = r.Delete("c")            // hide a flushed key
	_ = r.Put("bb", []byte("new-bb"))
	_ = r.Put("e", []byte("new-e"))
	want := []kv{{"a", "flushed-a"}, {"b", "new-b"}, {"bb", "new-bb"}, {"d", "flushed-d"}, {"e", "new-e"}}
	if got := listAll(t, r, ListOptions{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("list before flush:\n got %v\nwant %v", got, want)
	}
	mustFlush(t, r)
	if got := listAll(t, r, ListOptions{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("list after flush:\n got %v\nwant %v", got, want)
	}
}

func TestListUTF8ByteOrder(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	// In UTF-16 order (JS string comparison) "\uFF5E" sorts before "😀"
	// (a surrogate pair starting 0xD83D); in UTF-8 byte order it is after.
	keys := []string{"a", "B", "é", "e", "Z", "\uff5e", "😀", "", "a\x00", "a\x00b", "A", "ab"}
	for i, k := range keys {
		_ = r.Put(k, []byte{byte(i)})
		if i == 5 {
			mustFlush(t, r) // half flushed, half buffered
		}
	}
	var got []string
	for _, e := range listAll(t, r, ListOptions{}) {
		got = append(got, e.k)
	}
	want := []string{"", "A", "B", "Z", "a", "a\x00", "a\x00b", "ab", "e", "é", "\uff5e", "😀"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order:\n got %q\nwant %q", got, want)
	}
}

func TestListOptions(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	for _, k := range []string{"a", "b", "ba", "bb", "bc", "c", "d"} {
		_ = r.Put(k, []byte(k))
	}
	mustFlush(t, r)
	keys := func(o ListOptions) string {
		var ks []string
		for _, e := range listAll(t, r, o) {
			ks = append(ks, e.k)
		}
		return strings.Join(ks, ",")
	}
	cases := []struct {
		name string
		o    ListOptions
		want string
	}{
		{"all", ListOptions{}, "a,b,ba,bb,bc,c,d"},
		{"start inclusive", ListOptions{Start: "bb"}, "bb,bc,c,d"},
		{"startAfter exclusive", ListOptions{StartAfter: "bb"}, "bc,c,d"},
		{"end exclusive", ListOptions{End: "bb"}, "a,b,ba"},
		{"start and end", ListOptions{Start: "b", End: "c"}, "b,ba,bb,bc"},
		{"prefix", ListOptions{Prefix: "b"}, "b,ba,bb,bc"},
		{"prefix and start", ListOptions{Prefix: "b", Start: "bb"}, "bb,bc"},
		{"prefix and end", ListOptions{Prefix: "b", End: "bb"}, "b,ba"},
		{"limit", ListOptions{Limit: 2}, "a,b"},
		{"reverse", ListOptions{Reverse: true}, "d,c,bc,bb,ba,b,a"},
		{"reverse limit", ListOptions{Reverse: true, Limit: 1}, "d"},
		{"reverse start end limit", ListOptions{Start: "a", End: "bb", Reverse: true, Limit: 2}, "ba,b"},
		{"reverse startAfter", ListOptions{StartAfter: "bc", Reverse: true}, "d,c"},
		{"reverse prefix", ListOptions{Prefix: "b", Reverse: true}, "bc,bb,ba,b"},
		{"empty range", ListOptions{Start: "c", End: "b"}, ""},
		{"start equals end", ListOptions{Start: "b", End: "b"}, ""},
		{"missing prefix", ListOptions{Prefix: "x"}, ""},
		{"startAfter last", ListOptions{StartAfter: "d"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := keys(c.o); got != c.want {
				t.Fatalf("%+v: got %q, want %q", c.o, got, c.want)
			}
		})
	}
	// The callback can stop early.
	n := 0
	_ = r.List(ListOptions{}, func(string, []byte) bool { n++; return n < 3 })
	if n != 3 {
		t.Fatalf("callback returning false: listed %d keys, want 3", n)
	}
}

// model is the reference the randomized test checks the store against.
type model map[string]string

func (m model) list(o ListOptions) []kv {
	var out []kv
	for k, v := range m {
		if k < o.Start || (o.StartAfter != "" && k <= o.StartAfter) ||
			(o.End != "" && k >= o.End) || !strings.HasPrefix(k, o.Prefix) {
			continue
		}
		out = append(out, kv{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].k < out[j].k })
	if o.Reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	if o.Limit > 0 && len(out) > o.Limit {
		out = out[:o.Limit]
	}
	return out
}

func (m model) clone() model {
	c := model{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

// TestRandomOpsMatchModel drives a room and its transactions with random
// puts, deletes, deleteAlls, flushes, commits and rollbacks, and after every
// step compares Get and List (with random options) against a plain map.
func TestRandomOpsMatchModel(t *testing.T) {
	alphabet := []string{"", "a", "A", "ab", "a\x00", "b", "ba", "é", "éa", "z", "\xff", "😀", "a/b"}
	randKey := func(rng *rand.Rand) string { return alphabet[rng.Intn(len(alphabet))] }
	for seed := int64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			db, _ := openDisk(t)
			r := db.Room(RoomKey{"p", "main", fmt.Sprint(seed)})
			room := model{}
			var txn *Txn
			var txnModel model
			for step := 0; step < 400; step++ {
				// Writes go to the open transaction if there is one.
				var w interface {
					Get(string) ([]byte, bool, error)
					Put(string, []byte) error
					Delete(string) (bool, error)
					DeleteAll() error
					List(ListOptions, func(string, []byte) bool) error
				} = r
				m := room
				if txn != nil {
					w, m = txn, txnModel
				}
				switch op := rng.Intn(20); {
				case op < 8:
					k, v := randKey(rng), fmt.Sprint(step)
					_ = w.Put(k, []byte(v))
					m[k] = v
				case op < 12:
					k := randKey(rng)
					existed, err := w.Delete(k)
					if err != nil {
						t.Fatal(err)
					}
					if _, want := m[k]; existed != want {
						t.Fatalf("step %d: delete %q existed=%v, want %v", step, k, existed, want)
					}
					delete(m, k)
				case op == 12:
					_ = w.DeleteAll()
					for k := range m {
						delete(m, k)
					}
				case op == 13:
					if txn != nil {
						if err := txn.Commit(); err != nil {
							t.Fatal(err)
						}
						room, txn = txnModel, nil
					}
					mustFlush(t, r)
				case op == 14 && txn == nil:
					txn, txnModel = r.Begin(), room.clone()
				case op == 15 && txn != nil:
					if err := txn.Commit(); err != nil {
						t.Fatal(err)
					}
					room, txn = txnModel, nil
				case op == 16 && txn != nil:
					txn.Rollback()
					txn = nil
				}
				if txn != nil {
					w, m = txn, txnModel
				} else {
					w, m = r, room
				}
				k := randKey(rng)
				v, ok := mustGet(t, w, k)
				if mv, mok := m[k]; ok != mok || v != mv {
					t.Fatalf("step %d: get %q = %q,%v; model %q,%v", step, k, v, ok, mv, mok)
				}
				o := ListOptions{Reverse: rng.Intn(2) == 0, Limit: rng.Intn(4)}
				switch rng.Intn(4) {
				case 0:
					o.Start = randKey(rng)
				case 1:
					o.StartAfter = randKey(rng)
				case 2:
					o.Prefix = randKey(rng)
				}
				if rng.Intn(2) == 0 {
					o.End = randKey(rng)
				}
				got, want := listAll(t, w, o), m.list(o)
				if len(got) != 0 || len(want) != 0 {
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("step %d: list %+v\n got %q\nwant %q", step, o, got, want)
					}
				}
			}
		})
	}
}

func TestDeleteAllKeepsAlarmAndOtherRooms(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	neighbour := db.Room(RoomKey{"p", "main", "r2"})
	_ = neighbour.Put("k", []byte("n"))
	mustFlush(t, neighbour)
	_ = r.Put("a", []byte("1"))
	_ = r.Put("b", []byte("2"))
	at := timeMs(1_900_000_000_000)
	_ = r.SetAlarm(at)
	mustFlush(t, r)

	_ = r.DeleteAll()
	_ = r.Put("c", []byte("3")) // written after deleteAll in the same turn: kept
	if got := listAll(t, r, ListOptions{}); !reflect.DeepEqual(got, []kv{{"c", "3"}}) {
		t.Fatalf("after deleteAll, before flush: %v", got)
	}
	if _, ok := mustGet(t, r, "a"); ok {
		t.Fatal("a readable after deleteAll")
	}
	mustFlush(t, r)
	fresh := db.Room(RoomKey{"p", "main", "r"})
	if got := listAll(t, fresh, ListOptions{}); !reflect.DeepEqual(got, []kv{{"c", "3"}}) {
		t.Fatalf("after deleteAll, flushed: %v", got)
	}
	if got, ok, _ := fresh.GetAlarm(); !ok || !got.Equal(at) {
		t.Fatalf("alarm after deleteAll: %v %v, want %v", got, ok, at)
	}
	if v, ok := mustGet(t, neighbour, "k"); !ok || v != "n" {
		t.Fatal("deleteAll reached the neighbouring room")
	}
}

func TestTxnCommitAndRollback(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.Put("keep", []byte("0"))
	_ = r.Put("gone", []byte("0"))
	mustFlush(t, r)

	tx := r.Begin()
	_ = tx.Put("keep", []byte("1"))
	_ = tx.Put("new", []byte("1"))
	if existed, _ := tx.Delete("gone"); !existed {
		t.Fatal("txn delete of an existing key said it did not exist")
	}
	if v, _ := mustGet(t, tx, "keep"); v != "1" {
		t.Fatal("txn does not read its own write")
	}
	if v, _ := mustGet(t, r, "keep"); v != "0" {
		t.Fatal("room sees an uncommitted txn write")
	}
	if got := listAll(t, tx, ListOptions{}); !reflect.DeepEqual(got, []kv{{"keep", "1"}, {"new", "1"}}) {
		t.Fatalf("txn list: %v", got)
	}
	tx.Rollback()
	if err := tx.Put("x", nil); err != ErrTxnDone {
		t.Fatalf("put after rollback: %v", err)
	}
	if got := listAll(t, r, ListOptions{}); !reflect.DeepEqual(got, []kv{{"gone", "0"}, {"keep", "0"}}) {
		t.Fatalf("after rollback: %v", got)
	}
	if r.Pending() {
		t.Fatal("rollback left writes in the room buffer")
	}

	tx = r.Begin()
	_ = tx.Put("keep", []byte("2"))
	_, _ = tx.Delete("gone")
	_ = tx.SetAlarm(timeMs(5000))
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != ErrTxnDone {
		t.Fatalf("second commit: %v", err)
	}
	if got := listAll(t, r, ListOptions{}); !reflect.DeepEqual(got, []kv{{"keep", "2"}}) {
		t.Fatalf("after commit: %v", got)
	}
	if at, ok, _ := r.GetAlarm(); !ok || at.UnixMilli() != 5000 {
		t.Fatalf("alarm after commit: %v %v", at, ok)
	}
	mustFlush(t, r)
	if got := listAll(t, db.Room(r.Key()), ListOptions{}); !reflect.DeepEqual(got, []kv{{"keep", "2"}}) {
		t.Fatalf("after commit and flush: %v", got)
	}

	// A txn's deleteAll hides the room's keys, keeps its own later writes.
	tx = r.Begin()
	_ = tx.DeleteAll()
	_ = tx.Put("only", []byte("x"))
	if got := listAll(t, tx, ListOptions{}); !reflect.DeepEqual(got, []kv{{"only", "x"}}) {
		t.Fatalf("txn deleteAll list: %v", got)
	}
	if v, _ := mustGet(t, r, "keep"); v != "2" {
		t.Fatal("txn deleteAll leaked into the room before commit")
	}
	_ = tx.Commit()
	if got := listAll(t, r, ListOptions{}); !reflect.DeepEqual(got, []kv{{"only", "x"}}) {
		t.Fatalf("room after txn deleteAll commit: %v", got)
	}
}

func TestFlushWithoutWritesReturnsPreviousTicket(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	if tk := mustFlush(t, r); tk != 0 {
		t.Fatalf("first empty flush: ticket %d, want 0", tk)
	}
	_ = r.Put("a", nil)
	t1 := mustFlush(t, r)
	if t1 == 0 {
		t.Fatal("flush with a write returned ticket 0")
	}
	if t2 := mustFlush(t, r); t2 != t1 {
		t.Fatalf("empty flush after a write: ticket %d, want %d", t2, t1)
	}
	if st := db.Stats(); st.Flushes != 1 {
		t.Fatalf("Stats.Flushes = %d, want 1", st.Flushes)
	}
}

func TestClosedDB(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.Put("a", nil)
	tk := mustFlush(t, r)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != ErrClosed {
		t.Fatalf("second close: %v", err)
	}
	if _, _, err := r.Get("zzz"); err != ErrClosed {
		t.Fatalf("get after close: %v", err)
	}
	_ = r.Put("b", nil)
	if _, err := r.Flush(); err != ErrClosed {
		t.Fatalf("flush after close: %v", err)
	}
	// A ticket flushed before Close is durable (Close synced it).
	done := make(chan error, 1)
	db.WhenDurable(tk, func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Fatalf("WhenDurable of a flushed ticket after close: %v", err)
	}
	db.WhenDurable(tk+1, func(err error) { done <- err })
	if err := <-done; err != ErrClosed {
		t.Fatalf("WhenDurable of a ticket never issued, after close: %v", err)
	}
}

func TestOpenRefusesOtherLayoutVersion(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.pdb.Set(formatKey, []byte{99}, nil); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	_, err = Open(dir, Options{Logger: quietLogger()})
	if err == nil || !strings.Contains(err.Error(), "key layout version 99") {
		t.Fatalf("open with layout version 99: %v", err)
	}
}
