package serve

import (
	"strings"
	"time"

	"github.com/cockroachdb/pebble/vfs"
)

// timedWAL is the file system Pebble runs on, with the fsyncs of its
// write-ahead log timed: a storage batch is acknowledged when its WAL sync
// ends (group commit), so this is the latency storage adds to every write.
type timedWAL struct {
	vfs.FS
	observe func(time.Duration)
}

func (fs timedWAL) Create(name string) (vfs.File, error) {
	f, err := fs.FS.Create(name)
	return fs.wrap(name, f), err
}

func (fs timedWAL) ReuseForWrite(oldname, newname string) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(oldname, newname)
	return fs.wrap(newname, f), err
}

func (fs timedWAL) wrap(name string, f vfs.File) vfs.File {
	if f == nil || !strings.HasSuffix(name, ".log") {
		return f
	}
	return timedFile{File: f, observe: fs.observe}
}

type timedFile struct {
	vfs.File
	observe func(time.Duration)
}

func (f timedFile) Sync() error {
	start := time.Now()
	err := f.File.Sync()
	f.observe(time.Since(start))
	return err
}

// SyncData is what Pebble's WAL writer calls (vfs.syncingFile.Sync).
func (f timedFile) SyncData() error {
	start := time.Now()
	err := f.File.SyncData()
	f.observe(time.Since(start))
	return err
}
