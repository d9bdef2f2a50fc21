package store

import (
	"fmt"
	"io"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/vfs"
)

// Checkpoint writes a consistent copy of the live database to destDir, which
// must not exist. It holds every flush applied before the call (durable or
// not yet), and nothing after it. Files are hard-linked where the file system
// allows, so it is cheap; the copy is a database that Open (or Restore) reads.
func (db *DB) Checkpoint(destDir string) error {
	if err := db.acquire(); err != nil {
		return err
	}
	defer db.release()
	if err := db.pdb.Checkpoint(destDir, pebble.WithFlushedWAL()); err != nil {
		return fmt.Errorf("store: checkpoint %s to %s: %w", db.dir, destDir, err)
	}
	return nil
}

// Backup checkpoints the database in dataDir, which no server may have open,
// into destDir. A running server must take the checkpoint itself
// (DB.Checkpoint), because Pebble lets one process open a directory.
func Backup(dataDir, destDir string, opts Options) error {
	if opts.FS == nil {
		opts.FS = vfs.Default
	}
	if _, err := opts.FS.Stat(dataDir); err != nil {
		return fmt.Errorf("store: backup: data directory %s: %w", dataDir, err)
	}
	// Pebble's own lock file tells whether a server has the directory open.
	lock, err := opts.FS.Lock(opts.FS.PathJoin(dataDir, "LOCK"))
	if err != nil {
		return fmt.Errorf("store: backup: %s is in use by a running server; take the backup through that server (%v)", dataDir, err)
	}
	_ = lock.Close()
	db, err := Open(dataDir, opts)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := db.Checkpoint(destDir); err != nil {
		_ = db.Close()
		return err
	}
	return db.Close()
}

// Restore makes dataDir a copy of the checkpoint in from. dataDir must not
// exist. The copy is assembled beside dataDir, opened once to check that it is
// a readable database, synced, and renamed into place, so an interrupted
// restore leaves no half-written data directory behind.
func Restore(from, dataDir string, opts Options) error {
	fs := opts.FS
	if fs == nil {
		fs = vfs.Default
		opts.FS = fs
	}
	if _, err := fs.Stat(dataDir); err == nil {
		return fmt.Errorf("store: restore: %s already exists; move it away first", dataDir)
	}
	names, err := fs.List(from)
	if err != nil {
		return fmt.Errorf("store: restore: read checkpoint %s: %w", from, err)
	}
	tmp := dataDir + ".restoring"
	if err := fs.RemoveAll(tmp); err != nil {
		return fmt.Errorf("store: restore: clear %s: %w", tmp, err)
	}
	if err := fs.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	for _, name := range names {
		if err := copyFile(fs, fs.PathJoin(from, name), fs.PathJoin(tmp, name)); err != nil {
			return fmt.Errorf("store: restore: copy %s: %w", name, err)
		}
	}
	db, err := Open(tmp, opts)
	if err != nil {
		return fmt.Errorf("store: restore: %s is not a readable checkpoint: %w", from, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := syncDir(fs, tmp); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := fs.Rename(tmp, dataDir); err != nil {
		return fmt.Errorf("store: restore: move %s into place: %w", tmp, err)
	}
	return syncDir(fs, fs.PathDir(dataDir))
}

func copyFile(fs vfs.FS, src, dst string) error {
	in, err := fs.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := fs.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

func syncDir(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
