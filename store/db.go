// Package store keeps every room's key-value storage in one Pebble database,
// with the guarantees Durable Objects give PartyKit code:
//
//   - A room's writes are buffered in memory and readable at once (Room.Get
//     sees them). Room.Flush applies them as one atomic Pebble batch: after a
//     crash they are all there or none is.
//   - Flush does not wait for the disk. A single syncer goroutine fsyncs the
//     write-ahead log once for every flush that arrived meanwhile (group
//     commit) and then tells each waiter (DB.WhenDurable). The runtime holds a
//     room's outgoing messages until then: the output gate.
//   - Rooms cannot reach each other's keys (see the layout in keys.go).
//   - Each room has at most one alarm, indexed by time, so alarms fire after a
//     restart too (DB.RunAlarms).
//
// The package knows nothing of JavaScript; values are opaque bytes.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/vfs"
)

// ErrClosed is returned by operations on a closed DB.
var ErrClosed = errors.New("store: database is closed")

// Options tune a DB. The zero value is ready to use.
type Options struct {
	// FS is the file system the database lives on. Default: the real one
	// (vfs.Default). Tests pass vfs.NewStrictMem() to simulate crashes.
	FS vfs.FS

	// Logger receives Pebble's messages and the store's own. Default:
	// slog.Default().
	Logger *slog.Logger

	// CacheSize is Pebble's block cache in bytes. Default: 64 MiB.
	CacheSize int64

	// Tune, if set, may change Pebble's options after the store has filled
	// them in (memtable size, compaction settings). It must not change FS,
	// Logger or the comparer.
	Tune func(*pebble.Options)
}

const defaultCacheSize = 64 << 20

// Ticket identifies one Flush in the order flushes were applied. A flush is
// durable once the WAL has been synced past its ticket.
type Ticket uint64

// Stats counts what the DB has done since Open.
type Stats struct {
	Flushes uint64 // batches applied by Room.Flush
	Syncs   uint64 // WAL fsyncs made by the syncer
}

// DB is one Pebble database holding every room of a data directory.
type DB struct {
	pdb    *pebble.DB
	cache  *pebble.Cache
	log    *slog.Logger
	dir    string
	closed atomic.Bool

	// live guards Pebble against Close: every operation that touches pdb
	// holds it for reading; Close takes it for writing.
	live sync.RWMutex

	// Group commit. issued is the ticket of the newest applied flush; durable
	// the newest one known to be synced.
	syncMu     sync.Mutex
	issued     Ticket
	durable    Ticket
	syncErr    error // sticky: after a failed sync nothing more is promised
	waiters    []waiter
	stopping   bool // Close is waiting for the last round
	syncExited bool
	syncWake   chan struct{}
	syncDone   chan struct{}
	flushes    atomic.Uint64
	syncCount  atomic.Uint64

	alarms alarmState
}

type waiter struct {
	t  Ticket
	fn func(error)
}

// Open opens (or creates) the database in dir.
func Open(dir string, opts Options) (*DB, error) {
	if opts.FS == nil {
		opts.FS = vfs.Default
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = defaultCacheSize
	}
	cache := pebble.NewCache(opts.CacheSize)
	popts := &pebble.Options{
		FS:                 opts.FS,
		Cache:              cache,
		Logger:             pebbleLogger{opts.Logger},
		FormatMajorVersion: pebble.FormatNewest,
	}
	if opts.Tune != nil {
		opts.Tune(popts)
	}
	pdb, err := pebble.Open(dir, popts)
	cache.Unref() // Pebble holds its own reference
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	db := &DB{
		pdb:      pdb,
		log:      opts.Logger,
		dir:      dir,
		syncWake: make(chan struct{}, 1),
		syncDone: make(chan struct{}),
	}
	db.alarms.init()
	if err := db.checkFormat(); err != nil {
		_ = pdb.Close()
		return nil, err
	}
	go db.syncLoop()
	return db, nil
}

// checkFormat stamps a new database with the layout version and refuses one
// written with another layout.
func (db *DB) checkFormat() error {
	v, closer, err := db.pdb.Get(formatKey)
	if errors.Is(err, pebble.ErrNotFound) {
		v := binary.AppendUvarint(nil, layoutVersion)
		if err := db.pdb.Set(formatKey, v, pebble.Sync); err != nil {
			return fmt.Errorf("store: %s: write layout version: %w", db.dir, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %s: read layout version: %w", db.dir, err)
	}
	defer closer.Close()
	got, n := binary.Uvarint(v)
	if n <= 0 || got != layoutVersion {
		return fmt.Errorf("store: %s: key layout version %d, this build reads %d", db.dir, got, layoutVersion)
	}
	return nil
}

// Close waits for operations in progress, syncs every applied flush, answers
// the remaining WhenDurable waiters and closes Pebble. Rooms must not be used
// afterwards; their calls return ErrClosed.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return ErrClosed
	}
	db.alarms.stop()
	db.live.Lock() // no operation is running, and none will start
	defer db.live.Unlock()
	db.syncMu.Lock()
	db.stopping = true
	db.syncMu.Unlock()
	db.signalSync()
	<-db.syncDone
	if err := db.pdb.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", db.dir, err)
	}
	return nil
}

// Stats reports counters since Open.
func (db *DB) Stats() Stats {
	return Stats{Flushes: db.flushes.Load(), Syncs: db.syncCount.Load()}
}

// Room returns the handle through which one room reads and writes. A room
// must use a single handle, from one goroutine at a time; handles are cheap
// and hold the room's unflushed writes.
func (db *DB) Room(k RoomKey) *Room {
	return newRoom(db, k)
}

// issue records that a flush has been applied and returns its ticket. It is
// called after Apply returns, so every ticket up to issued is in the WAL
// before the syncer reads issued.
func (db *DB) issue() Ticket {
	db.syncMu.Lock()
	db.issued++
	t := db.issued
	db.syncMu.Unlock()
	db.flushes.Add(1)
	return t
}

// WhenDurable calls fn once every flush up to t is on disk, or with an error
// if that can no longer happen. fn runs on a store goroutine after
// WhenDurable has returned, even if t is already durable; it must be quick
// (post to a loop, close a channel) because it delays other waiters.
func (db *DB) WhenDurable(t Ticket, fn func(error)) {
	db.syncMu.Lock()
	if db.syncExited {
		err := ErrClosed
		if t <= db.durable {
			err = nil
		}
		db.syncMu.Unlock()
		go fn(err)
		return
	}
	db.waiters = append(db.waiters, waiter{t: t, fn: fn})
	db.syncMu.Unlock()
	db.signalSync()
}

func (db *DB) signalSync() {
	select {
	case db.syncWake <- struct{}{}:
	default:
	}
}

// syncLoop is the group commit. Each round reads the newest issued ticket,
// writes one synced empty record to the WAL and answers every waiter up to
// that ticket. Flushes that arrive during the fsync wait for the next round
// and share it.
//
// Why one synced record covers earlier NoSync batches (pebble v1.1.5,
// record/log_writer.go and db.go): batches are written to the WAL in ticket
// order before Apply returns; the log writer's sync covers everything queued
// before the synced record; and a WAL file is synced when Pebble rotates to a
// new one (rotateWAL closes it). Pebble's own Checkpoint(WithFlushedWAL) relies
// on the same LogData(nil, Sync).
func (db *DB) syncLoop() {
	defer close(db.syncDone)
	for {
		db.syncMu.Lock()
		for len(db.waiters) == 0 && !db.stopping {
			db.syncMu.Unlock()
			<-db.syncWake
			db.syncMu.Lock()
		}
		stopping := db.stopping
		target := db.issued
		need := target > db.durable && db.syncErr == nil
		db.syncMu.Unlock()

		if need {
			err := db.pdb.LogData(nil, pebble.Sync)
			db.syncCount.Add(1)
			db.syncMu.Lock()
			if err != nil {
				db.syncErr = fmt.Errorf("store: sync WAL: %w", err)
				db.log.Error("store: WAL sync failed; unsynced writes may be lost", "err", err)
			} else if target > db.durable {
				db.durable = target
			}
			db.syncMu.Unlock()
		}

		db.syncMu.Lock()
		ready, rest := db.takeReady()
		db.waiters = rest
		if stopping {
			// Close has waited for every flush, so target was the last ticket;
			// whatever is left asked for a ticket that will never exist.
			for _, w := range rest {
				ready = append(ready, answered{fn: w.fn, err: ErrClosed})
			}
			db.waiters = nil
			db.syncExited = true
		}
		db.syncMu.Unlock()

		for _, a := range ready {
			a.fn(a.err)
		}
		if stopping {
			return
		}
	}
}

type answered struct {
	fn  func(error)
	err error
}

// takeReady splits waiters into those that can be answered now and the rest.
// Called with syncMu held.
func (db *DB) takeReady() (ready []answered, rest []waiter) {
	for _, w := range db.waiters {
		switch {
		case w.t <= db.durable:
			ready = append(ready, answered{fn: w.fn})
		case db.syncErr != nil:
			ready = append(ready, answered{fn: w.fn, err: db.syncErr})
		default:
			rest = append(rest, w)
		}
	}
	return ready, rest
}

// pebbleLogger sends Pebble's messages to slog. A fatal Pebble error (a
// failed WAL write or sync, which leaves the commit pipeline unusable) ends
// the process, as Pebble's default logger does: the data on disk is then
// exactly what was acknowledged as durable, and a restart recovers it.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Info(fmt.Sprintf("pebble: "+format, args...))
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	p.l.Error(fmt.Sprintf("pebble: "+format, args...))
	os.Exit(1)
}

// acquire takes the read side of db.live, failing once the DB is closed.
func (db *DB) acquire() error {
	db.live.RLock()
	if db.closed.Load() {
		db.live.RUnlock()
		return ErrClosed
	}
	return nil
}

// release ends what acquire began.
func (db *DB) release() { db.live.RUnlock() }
