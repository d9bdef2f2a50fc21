package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"gopk/runtime/deploy"
	"gopk/runtime/platform"
	"gopk/runtime/room"
	"gopk/runtime/serve"
)

func serveCommand() *cobra.Command {
	var (
		o         serve.Options
		ro        room.Options
		tokenFile string
		maxUpMiB  int64
		logLevel  string
		grace     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Host deployed projects in production (gopk deploy uploads to it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level %q: use debug, info, warn or error", logLevel)
			}
			if tokenFile == "" {
				return fmt.Errorf("--token-file is required: make a token with `gopk token` and put the sha256: line it prints in that file")
			}
			tokens, err := deploy.LoadTokens(tokenFile)
			if err != nil {
				return err
			}
			o.Tokens = tokens
			o.MaxUpload = maxUpMiB << 20
			o.Logger = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			if st, err := os.Stat(tokenFile); err == nil && st.Mode().Perm()&0o004 != 0 {
				o.Logger.Warn("the token file is readable by every user; chmod o-r it", "file", tokenFile)
			}
			o.Version = version
			o.Platform = platform.New(platform.Options{})
			o.Storage = platform.Storage{}
			o.Rooms = ro
			srv, err := serve.Start(o)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			stop() // a second signal kills at once
			shutdown, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			return srv.Shutdown(shutdown)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DataDir, "data", "/var/lib/gopk", "where versions and room storage live")
	f.StringVar(&o.Listen, "listen", ":8080", "address for rooms (and, without --admin-listen, the admin API under /_gopk/ and /metrics)")
	f.StringVar(&tokenFile, "token-file", "", "file of admin tokens, one per line (sha256:<hex> from `gopk token`, or the token itself)")
	f.StringVar(&o.Domain, "domain", "", "serve each project at <project>.<domain>; without it the server hosts its one project")
	f.StringVar(&o.AdminListen, "admin-listen", "", "serve the admin API and /metrics on this address instead (e.g. 127.0.0.1:9090)")
	f.Int64Var(&maxUpMiB, "max-upload", deploy.DefaultMaxUpload>>20, "largest version upload accepted, in MiB (compressed)")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.DurationVar(&grace, "shutdown-timeout", 15*time.Second, "how long SIGTERM waits for requests in flight")
	f.DurationVar(&o.CloseWait, "close-wait", 5*time.Second, "how long SIGTERM waits for rooms to flush and sockets to close")
	roomFlags(f, &ro)
	return cmd
}
