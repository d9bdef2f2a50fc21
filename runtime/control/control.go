// Package control lets gopk commands reach the gopk process that holds a
// data directory: Pebble lets one process open a directory, so `gopk backup`
// of a running server asks that server to take the checkpoint itself.
//
// The channel is a Linux abstract Unix socket named after the data
// directory's absolute path: nothing is written to disk, nothing is left
// behind by a crash, and only processes on the same machine can connect.
package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"gopk/store"
)

// address is the abstract socket name for a data directory.
func address(dataDir string) (string, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	return "@gopk-" + hex.EncodeToString(sum[:12]), nil
}

// Serve answers control requests for db (opened from dataDir) until the
// returned closer is closed.
func Serve(dataDir string, db *store.DB) (io.Closer, error) {
	addr, err := address(dataDir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", addr)
	if err != nil {
		return nil, fmt.Errorf("control socket for %s: %w", dataDir, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkpoint", func(w http.ResponseWriter, r *http.Request) {
		dest := r.URL.Query().Get("dest")
		if !filepath.IsAbs(dest) {
			http.Error(w, "dest must be an absolute path", http.StatusBadRequest)
			return
		}
		if err := db.Checkpoint(dest); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, nil
}

// ErrNotRunning means no process holds the data directory.
var ErrNotRunning = errors.New("no gopk process holds this data directory")

// Checkpoint asks the process holding dataDir to checkpoint it into dest.
func Checkpoint(ctx context.Context, dataDir, dest string) error {
	addr, err := address(dataDir)
	if err != nil {
		return err
	}
	dest, err = filepath.Abs(dest)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", addr)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://gopk/checkpoint?dest="+url.QueryEscape(dest), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return ErrNotRunning
		}
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("checkpoint failed: %s", strings.TrimSpace(string(body)))
	}
	return nil
}
