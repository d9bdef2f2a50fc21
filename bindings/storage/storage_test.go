package storage

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"

	"gopk/store"
	"gopk/store/storetest"
)

func TestGetPutDelete(t *testing.T) {
	h := newHarness(t)
	h.run(`
		eq(await storage.get("a"), undefined, "missing key");
		eq(await storage.put("a", 1), undefined, "put resolves with");
		eq(await storage.get("a"), 1, "read back");
		await storage.put("a", "two");
		eq(await storage.get("a"), "two", "overwrite");
		eq(await storage.delete("a"), true, "delete existing");
		eq(await storage.delete("a"), false, "delete again");
		eq(await storage.get("a"), undefined, "after delete");
		// Keys are strings: other values are converted.
		await storage.put(42, "n");
		eq(await storage.get("42"), "n", "numeric key");
	`)
}

func TestMultiKeyCalls(t *testing.T) {
	h := newHarness(t)
	h.run(`
		eq(await storage.put({b: 2, a: 1, c: 3, skipped: undefined}), undefined);
		eq(await storage.get("skipped"), undefined, "undefined entry is not stored");
		const m = await storage.get(["c", "missing", "a", "a"]);
		eq(m instanceof Map, true, "get(array) is a Map");
		eq(m, new Map([["a", 1], ["c", 3]]), "sorted, missing omitted, duplicates once");
		eq(await storage.get([]), new Map(), "empty key list");
		eq(await storage.delete(["a", "b", "nope", "a"]), 2, "delete(array) counts what existed");
		eq(await storage.list(), new Map([["c", 3]]), "what is left");
		await storage.put({x: 1}, {allowUnconfirmed: true, noCache: true});
		await rejects(storage.put({x: 1}, 5), "TypeError",
			"put() may only be called with a single key-value pair and optional options as put(key, value, options) or with multiple key-value pairs and optional options as put(entries, options)");
		await rejects(storage.put("k"), "TypeError", "put() called with undefined value.");
		await rejects(storage.put("k", undefined), "TypeError", "put() called with undefined value.");
	`)
}

func TestOptionsAccepted(t *testing.T) {
	h := newHarness(t)
	h.run(`
		const o = {allowConcurrency: true, allowUnconfirmed: true, noCache: true};
		await storage.put("k", 1, o);
		eq(await storage.get("k", o), 1);
		eq(await storage.get(["k"], o), new Map([["k", 1]]));
		eq(await storage.list({...o, prefix: "k"}), new Map([["k", 1]]));
		await storage.setAlarm(Date.now() + 60000, o);
		eq(typeof await storage.getAlarm(o), "number");
		await storage.deleteAlarm(o);
		eq(await storage.delete("k", o), true);
		await storage.deleteAll(o);
	`)
}

func TestDeleteAll(t *testing.T) {
	h := newHarness(t)
	h.run(`
		await storage.put({a: 1, b: 2});
		await storage.setAlarm(Date.now() + 60000);
	`)
	h.run(`
		eq(await storage.deleteAll(), undefined);
		eq(await storage.list(), new Map(), "no keys after deleteAll");
		eq(typeof await storage.getAlarm(), "number", "the alarm is separate state");
		await storage.put("c", 3);
	`)
	h.run(`eq(await storage.list(), new Map([["c", 3]]), "next turn")`)
}

func TestListOrderAndOptions(t *testing.T) {
	h := newHarness(t)
	h.run(`
		// UTF-8 byte order: "B" before "a"; U+FF5E before U+1F600 (UTF-16
		// order would put the emoji's surrogates first).
		await storage.put({"a": 0, "B": 0, "😀": 0, "\uff5e": 0, "é": 0, "": 0, "ab": 0, "b": 0, "ba": 0, "c": 0});
	`)
	h.run(`
		const keys = async o => [...(await storage.list(o)).keys()];
		eq(await keys(), ["", "B", "a", "ab", "b", "ba", "c", "é", "\uff5e", "😀"], "order");
		eq(await keys({start: "ab"}), ["ab", "b", "ba", "c", "é", "\uff5e", "😀"], "start inclusive");
		eq(await keys({startAfter: "ab"}), ["b", "ba", "c", "é", "\uff5e", "😀"], "startAfter exclusive");
		eq(await keys({startAfter: ""}), ["B", "a", "ab", "b", "ba", "c", "é", "\uff5e", "😀"], "startAfter empty key");
		eq(await keys({end: "b"}), ["", "B", "a", "ab"], "end exclusive");
		eq(await keys({end: ""}), [], "end empty");
		eq(await keys({start: "b", end: "b"}), [], "start equals end");
		eq(await keys({start: "c", end: "a"}), [], "end before start");
		eq(await keys({prefix: "b"}), ["b", "ba"], "prefix");
		eq(await keys({prefix: "b", start: "a"}), ["b", "ba"], "prefix clamps start");
		eq(await keys({prefix: "a", start: "b"}), [], "start after the prefix");
		eq(await keys({limit: 3}), ["", "B", "a"], "limit");
		eq(await keys({reverse: true, limit: 3}), ["😀", "\uff5e", "é"], "reverse + limit");
		eq(await keys({reverse: true, start: "a", end: "b"}), ["ab", "a"], "reverse keeps bound meaning");
		eq(await keys({reverse: true, startAfter: "ba", limit: 2}), ["😀", "\uff5e"], "reverse + startAfter");
		eq(await keys({prefix: "", start: "c"}), ["c", "é", "\uff5e", "😀"], "empty prefix is no prefix");
		await rejects(storage.list({start: "a", startAfter: "b"}), "TypeError", "list() cannot be called with both start and startAfter values.");
		await rejects(storage.list({limit: 0}), "TypeError", "List limit must be positive.");
		await rejects(storage.list({limit: -1}), "TypeError", "List limit must be positive.");
		await rejects(storage.list({limit: 0.5}), "TypeError", "List limit must be positive.");
		eq(await keys({limit: 2.9}), ["", "B"], "limit is truncated");
	`)
}

func TestListSeesThisTurnsWrites(t *testing.T) {
	h := newHarness(t)
	h.run(`await storage.put({a: 1, b: 2, c: 3})`)
	h.run(`
		storage.put("b", 20);
		storage.delete("c");
		storage.put("d", 4);
		eq(await storage.list(), new Map([["a", 1], ["b", 20], ["d", 4]]));
	`)
}

func TestLimits(t *testing.T) {
	h := newHarness(t)
	h.run(`
		const maxKey = "k".repeat(2048);
		await storage.put(maxKey, 1);
		eq(await storage.get(maxKey), 1, "a key of 2048 bytes is allowed");
		// "é" is 2 bytes in UTF-8: 1025 of them are 2050 bytes.
		const longKey = "é".repeat(1025);
		for (const p of [storage.get(longKey), storage.put(longKey, 1), storage.delete(longKey),
		                 storage.get(["a", longKey]), storage.put({[longKey]: 1}), storage.delete([longKey])]) {
			await rejects(p, "RangeError", "Keys cannot be larger than 2048 bytes. A key of size 2050 was provided.");
		}

		await storage.put("big", "x".repeat(131072));
		eq((await storage.get("big")).length, 131072, "a 128 KiB string fits");
		const e = await rejects(storage.put("huge", "x".repeat(131200)), "RangeError");
		if (!/^Values cannot be larger than 131072 bytes\. A value of size \d+ was provided\.$/.test(e.message)) throw new Error(e.message);
		eq(await storage.get("huge"), undefined, "a rejected put writes nothing");
		// Sizes are V8's: Latin-1 text takes one byte a character, other
		// text two per UTF-16 unit, whatever our own encoding uses.
		await storage.put("latin1", "é".repeat(131000));
		await storage.put("cjk", "中".repeat(65500));
		await rejects(storage.put("cjk2", "中".repeat(65600)), "RangeError");
		await storage.put("bytes", new Uint8Array(131072));
		await rejects(storage.put("bytes2", new Uint8Array(131200)), "RangeError");

		const keys = n => Array.from({length: n}, (_, i) => "k" + i);
		const entries = n => Object.fromEntries(keys(n).map(k => [k, 1]));
		await storage.put(entries(128));
		eq((await storage.get(keys(128))).size, 128, "128 keys per call are allowed");
		const msg = "Maximum number of key value pairs is 128. 129 pairs were provided.";
		await rejects(storage.get(keys(129)), "RangeError", msg);
		await rejects(storage.put(entries(129)), "RangeError", msg);
		await rejects(storage.delete(keys(129)), "RangeError", msg);
		eq(await storage.get("k128"), undefined, "the rejected multi-put wrote nothing");
		eq(await storage.delete(keys(128)), 128);
	`)
}

func TestValuesRoundTripThroughDisk(t *testing.T) {
	dir := t.TempDir()
	db := openStore(t, nil, dir)
	h := newRoomHarness(t, db, testRoom)
	const write = `
		const obj = {u: undefined, n: null, s: "str", num: -0.5, big: 12345678901234567890n};
		obj.self = obj;
		const sparse = [1, , 3]; sparse[10] = "x";
		const err = new RangeError("boom");
		await storage.put({
			obj, sparse, err,
			map: new Map([[1, "one"], ["k", {deep: [1, 2]}]]),
			set: new Set(["a", 1]),
			date: new Date(1700000000123),
			re: /a+b/gi,
			boxed: [new Number(3), new String("s"), new Boolean(false), Object(5n)],
			bytes: new Uint8Array([1, 2, 255]),
			f64: new Float64Array([1.5, -2]),
			view: new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2),
			buf: new Uint16Array([1, 65535]).buffer,
		});
	`
	h.run(write)
	h.loop.Stop()
	<-h.loop.Done()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openStore(t, nil, dir)
	defer db.Close()
	h = newRoomHarness(t, db, testRoom)
	h.run(`
		const obj = await storage.get("obj");
		eq("u" in obj, true, "undefined member kept");
		eq(obj.u, undefined); eq(obj.n, null); eq(obj.s, "str"); eq(obj.num, -0.5);
		eq(obj.big, 12345678901234567890n, "bigint");
		eq(obj.self === obj, true, "cycle");
		const sparse = await storage.get("sparse");
		eq(sparse.length, 11); eq(1 in sparse, false, "hole kept"); eq(sparse[10], "x");
		const err = await storage.get("err");
		eq(err instanceof RangeError, true, "error type"); eq(err.message, "boom");
		const map = await storage.get("map");
		eq(map, new Map([[1, "one"], ["k", {deep: [1, 2]}]]), "map");
		eq([...(await storage.get("set"))], ["a", 1], "set");
		eq((await storage.get("date")).getTime(), 1700000000123, "date");
		const re = await storage.get("re");
		eq(re instanceof RegExp && re.source === "a+b" && re.flags === "gi", true, "regexp");
		const boxed = await storage.get("boxed");
		eq(boxed.map(b => typeof b), ["object", "object", "object", "object"], "boxed stay boxed");
		eq(boxed.map(b => b.valueOf()), [3, "s", false, 5n]);
		const bytes = await storage.get("bytes");
		eq(bytes instanceof Uint8Array, true); eq([...bytes], [1, 2, 255]);
		eq([...(await storage.get("f64"))], [1.5, -2], "float64array");
		const view = await storage.get("view");
		eq(view instanceof DataView && view.byteLength === 2 && view.getUint8(0) === 8, true, "dataview");
		eq([...new Uint16Array(await storage.get("buf"))], [1, 65535], "arraybuffer");
	`)
}

func TestReturnedValuesAreCopies(t *testing.T) {
	h := newHarness(t)
	h.run(`
		const v = {list: [1]};
		await storage.put("k", v);
		v.list.push(2); // mutating the argument after put changes nothing stored
		const a = await storage.get("k");
		a.list.push(3);
		const b = await storage.get("k");
		eq(b, {list: [1]}, "stored value");
		eq(a === b, false, "each get is a fresh copy");
	`)
}

func TestDataCloneError(t *testing.T) {
	h := newHarness(t)
	h.run(`
		await rejects(storage.put("f", () => 1), "DataCloneError");
		await rejects(storage.put("s", Symbol("x")), "DataCloneError");
		await rejects(storage.put({ok: 1, bad: {fn() {}}}), "DataCloneError");
		eq(await storage.get("ok"), undefined, "a multi-put with one bad value writes nothing");
	`)
}

func TestTransaction(t *testing.T) {
	h := newHarness(t)
	h.run(`
		await storage.put({a: 1, b: 2});
		const r = await storage.transaction(async txn => {
			eq(await txn.get("a"), 1, "txn reads the room");
			await txn.put("a", 10);
			await txn.delete("b");
			await txn.put("c", 3);
			eq(await txn.get("a"), 10, "txn reads its writes");
			eq(await txn.list(), new Map([["a", 10], ["c", 3]]), "txn list merges");
			eq(await storage.get("a"), 1, "room does not see the open txn");
			await txn.setAlarm(Date.now() + 60000);
			eq(typeof await txn.getAlarm(), "number");
			return "result";
		});
		eq(r, "result", "transaction resolves with the closure's value");
		eq(await storage.list(), new Map([["a", 10], ["c", 3]]), "committed");
		eq(typeof await storage.getAlarm(), "number", "alarm committed");

		// Explicit rollback.
		await storage.transaction(async txn => {
			await txn.put("a", 99);
			txn.rollback();
			txn.rollback(); // allowed twice
			await rejects(txn.get("a"), "Error", "Cannot get() on rolled back transaction");
		});
		eq(await storage.get("a"), 10, "rolled back");

		// A throw rolls back and rejects with the same error.
		const boom = new Error("boom");
		const e = await rejects(storage.transaction(async txn => { await txn.put("a", 7); throw boom; }), "Error");
		eq(e === boom, true, "same error");
		eq(await storage.get("a"), 10, "rolled back on throw");
		// A synchronous closure that throws, too.
		await rejects(storage.transaction(txn => { txn.put("a", 8); throw new TypeError("sync"); }), "TypeError", "sync");
		eq(await storage.get("a"), 10, "rolled back on sync throw");

		// A txn used after the closure finished.
		let kept;
		await storage.transaction(async txn => { kept = txn; });
		await rejects(kept.put("z", 1), "Error",
			"Cannot call put() on transaction that has already committed: did you move ` + "`txn`" + ` outside of the closure?");
		let threw = false;
		await storage.transaction(async txn => { try { txn.deleteAll(); } catch (e) { threw = e.message; } });
		eq(threw, "Cannot call deleteAll() within a transaction");
	`)
	if h.flushErr != nil {
		t.Fatal(h.flushErr)
	}
	// After the turns end, the committed state is what a fresh handle reads.
	fresh := h.db.Room(testRoom)
	if v, ok, _ := fresh.Get("a"); !ok || len(v) == 0 {
		t.Fatal("committed transaction not flushed")
	}
	if _, ok, _ := fresh.Get("c"); !ok {
		t.Fatal("committed key c not flushed")
	}
}

// TestTransactionHoldsOtherEvents: while a transaction's closure waits (here
// on a timer), the room's other events wait too, as under workerd's
// blockConcurrencyWhile.
func TestTransactionHoldsOtherEvents(t *testing.T) {
	h := newHarness(t)
	var order []string
	h.on(func() {
		_ = h.vm.Set("mark", func(s string) { order = append(order, s) })
	})
	done := h.start(`
		await storage.transaction(async txn => {
			mark("txn start");
			await later(30);
			await txn.put("k", 1);
			mark("txn end");
		});
	`)
	time.Sleep(5 * time.Millisecond)
	ran := make(chan struct{})
	h.loop.PostEvent(func() { order = append(order, "event"); close(ran) })
	if o := <-done; o.err != nil {
		t.Fatal(o.err)
	}
	<-ran
	var got string
	h.on(func() { got = strings.Join(order, ",") })
	if got != "txn start,txn end,event" {
		t.Fatalf("order %q: an event ran inside the transaction", got)
	}
}

func TestAlarms(t *testing.T) {
	h := newHarness(t)
	h.run(`
		eq(await storage.getAlarm(), null, "no alarm");
		const at = Date.now() + 60000;
		await storage.setAlarm(new Date(at));
		eq(await storage.getAlarm(), at, "Date");
		await storage.setAlarm(at + 1);
		eq(await storage.getAlarm(), at + 1, "ms");
		const before = Date.now();
		await storage.setAlarm(1000); // in the past: fires as soon as possible
		const got = await storage.getAlarm();
		if (got < before || got > Date.now()) throw new Error("past alarm became " + got + ", want now (" + before + ")");
		await rejects(storage.setAlarm(0), "TypeError", "setAlarm() cannot be called with an alarm time <= 0");
		await rejects(storage.setAlarm(-5), "TypeError", "setAlarm() cannot be called with an alarm time <= 0");
		await rejects(storage.setAlarm("soon"), "TypeError");
		await rejects(storage.setAlarm(NaN), "TypeError");
		await storage.setAlarm(at);
	`)
	alarms, err := h.db.Alarms()
	if err != nil {
		t.Fatal(err)
	}
	if len(alarms) != 1 || alarms[0].Room != testRoom {
		t.Fatalf("alarm index after the turn: %v, want one entry for the room", alarms)
	}
	h.run(`await storage.deleteAlarm(); eq(await storage.getAlarm(), null, "deleted")`)
	if alarms, _ := h.db.Alarms(); len(alarms) != 0 {
		t.Fatalf("alarm index after deleteAlarm: %v", alarms)
	}
}

// TestCoalescedPutsAreOneBatch: the writes of one turn become one flush.
func TestCoalescedPutsAreOneBatch(t *testing.T) {
	h := newHarness(t)
	before := h.db.Stats().Flushes
	h.run(`
		storage.put("a", 1);
		storage.put({b: 2, c: 3});
		storage.delete("a");
		await storage.put("d", 4);
		await storage.setAlarm(Date.now() + 60000);
	`)
	if got := h.db.Stats().Flushes - before; got != 1 {
		t.Fatalf("%d flushes for one turn, want 1", got)
	}
}

// TestCoalescedPutsAllOrNone cuts the power after a turn whose batch was not
// synced, and after one that was: the first turn's puts are all gone, the
// second's all there.
func TestCoalescedPutsAllOrNone(t *testing.T) {
	fs := vfs.NewStrictMem()
	mustSyncedDir(t, fs, "/db")
	db := openStore(t, fs, "/db")
	h := newRoomHarness(t, db, testRoom)
	h.run(`
		for (let i = 0; i < 50; i++) storage.put("synced" + i, i);
		await storage.sync();
	`)
	h.run(`for (let i = 0; i < 50; i++) storage.put("unsynced" + i, i);`)
	h.loop.Stop()
	<-h.loop.Done()

	fs.SetIgnoreSyncs(true)
	_ = db.Close()
	fs.ResetToSyncedState()
	fs.SetIgnoreSyncs(false)

	db = openStore(t, fs, "/db")
	defer db.Close()
	h = newRoomHarness(t, db, testRoom)
	h.run(`
		eq((await storage.list({prefix: "synced"})).size, 50, "the synced turn");
		eq((await storage.list({prefix: "unsynced"})).size, 0, "the unsynced turn");
	`)
}

func mustSyncedDir(t *testing.T, fs *vfs.MemFS, dir string) {
	t.Helper()
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := fs.OpenDir("/")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := root.Sync(); err != nil {
		t.Fatal(err)
	}
}

// TestSyncWaitsForTheDisk: sync() stays pending while fsync is held back.
func TestSyncWaitsForTheDisk(t *testing.T) {
	gate := storetest.NewSyncGate(vfs.NewMem())
	db := openStore(t, gate, "/db")
	defer db.Close()
	defer gate.Release()
	h := newRoomHarness(t, db, testRoom)
	h.run(`await storage.put("warm", 1); await storage.sync();`)

	gate.Hold()
	done := h.start(`await storage.put("k", 1); await storage.sync(); return "synced"`)
	select {
	case o := <-done:
		t.Fatalf("sync() settled while the fsync was held: %+v", o)
	case <-time.After(50 * time.Millisecond):
	}
	gate.Release()
	select {
	case o := <-done:
		if o.err != nil || o.val != "synced" {
			t.Fatalf("sync(): %+v", o)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sync() never settled")
	}
}

func TestClosedStoreRejects(t *testing.T) {
	db := openStore(t, nil, t.TempDir())
	h := newRoomHarness(t, db, testRoom)
	_ = db.Close()
	h.run(`
		const e = await rejects(storage.get("k"), "Error");
		if (!e.message.includes("closed")) throw new Error(e.message);
	`)
}

// TestHostileRoomIDs: rooms whose ids try to escape their key space read
// only their own keys through the JS API.
func TestHostileRoomIDs(t *testing.T) {
	db := openStore(t, nil, t.TempDir())
	defer db.Close()
	ids := []string{"a", "a/b", "a%2Fb", "..", "../a", "a\x00", "\x00", "", strings.Repeat("é", 1024)}
	var hs []*harness
	for i, id := range ids {
		h := newRoomHarness(t, db, store.RoomKey{Project: "p", Party: "main", Room: id})
		h.run(fmt.Sprintf(`await storage.put({k: %d, ["k/" + %d]: %d}); await storage.sync();`, i, i, i))
		hs = append(hs, h)
	}
	for i, h := range hs {
		h.run(fmt.Sprintf(`eq(await storage.list(), new Map([["k", %d], ["k/%d", %d]]), "room %d sees only its keys")`, i, i, i, i))
	}
}
