package store

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCheckpointAndRestore(t *testing.T) {
	db, _ := openDisk(t)
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.Put("before", []byte("1"))
	_ = r.SetAlarm(timeMs(42))
	mustFlush(t, r) // applied but not necessarily durable: still in the checkpoint

	backup := filepath.Join(t.TempDir(), "backup")
	if err := db.Checkpoint(backup); err != nil {
		t.Fatal(err)
	}
	_ = r.Put("after", []byte("2"))
	mustFlush(t, r)
	if err := db.Checkpoint(backup); err == nil {
		t.Fatal("checkpoint over an existing directory succeeded")
	}

	restored := filepath.Join(t.TempDir(), "data")
	if err := Restore(backup, restored, Options{Logger: quietLogger()}); err != nil {
		t.Fatal(err)
	}
	if err := Restore(backup, restored, Options{Logger: quietLogger()}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("restore over an existing data dir: %v", err)
	}
	db2, err := Open(restored, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	r2 := db2.Room(RoomKey{"p", "main", "r"})
	if got := listAll(t, r2, ListOptions{}); !reflect.DeepEqual(got, []kv{{"before", "1"}}) {
		t.Fatalf("restored keys %v, want only what preceded the checkpoint", got)
	}
	if at, ok, _ := r2.GetAlarm(); !ok || at.UnixMilli() != 42 {
		t.Fatalf("restored alarm %v %v", at, ok)
	}
	if alarms, _ := db2.Alarms(); len(alarms) != 1 {
		t.Fatalf("restored alarm index %v", alarms)
	}
}

func TestBackupStoppedAndRunning(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	db, err := Open(data, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	r := db.Room(RoomKey{"p", "main", "r"})
	_ = r.Put("k", []byte("v"))
	mustFlush(t, r)

	err = Backup(data, filepath.Join(dir, "b1"), Options{Logger: quietLogger()})
	if err == nil || !strings.Contains(err.Error(), "running server") {
		t.Fatalf("backup of an open data dir: %v, want a hint about the running server", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Backup(data, filepath.Join(dir, "b2"), Options{Logger: quietLogger()}); err != nil {
		t.Fatal(err)
	}
	if err := Restore(filepath.Join(dir, "b2"), filepath.Join(dir, "again"), Options{Logger: quietLogger()}); err != nil {
		t.Fatal(err)
	}
	db, err = Open(filepath.Join(dir, "again"), Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, ok := mustGet(t, db.Room(RoomKey{"p", "main", "r"}), "k"); !ok || v != "v" {
		t.Fatalf("restored backup: %q %v", v, ok)
	}
	if err := Backup(filepath.Join(dir, "missing"), filepath.Join(dir, "b3"), Options{}); err == nil {
		t.Fatal("backup of a missing data dir succeeded")
	}
}
