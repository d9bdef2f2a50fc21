package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"gopk/runtime/config"
	"gopk/runtime/devserver"
	"gopk/runtime/platform"
	"gopk/runtime/room"
)

func devCommand() *cobra.Command {
	var (
		lo      config.LoadOptions
		ro      room.Options
		persist string
		verbose bool
		ignored struct {
			live, https, noHotkeys, disableCF bool // noHotkeys and disableCF are accepted only
			httpsKey, httpsCert               string
		}
	)
	cmd := &cobra.Command{
		Use:   "dev [script]",
		Short: "Serve a PartyKit project locally, rebuilding on change (like `partykit dev`)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				lo.Main = args[0]
			}
			if cmd.Flags().Changed("persist") {
				lo.Persist = &persist
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			logger := slog.New(platform.NewDevLogHandler(os.Stderr, level))
			srv, err := devserver.Start(devserver.Options{
				Load:     lo,
				Out:      cmd.OutOrStdout(),
				Logger:   logger,
				Platform: platform.New(platform.Options{}),
				Storage:  platform.Storage{},
				Watch:    true,
				Live:     ignored.live,
				TLS:      devserver.TLS{Enabled: ignored.https, KeyPath: ignored.httpsKey, CertPath: ignored.httpsCert},
				Rooms:    ro,
			})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() { _ = srv.Watch(ctx) }()
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return srv.Shutdown(shutdown)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&lo.Port, "port", "p", 0, "port to listen on (default 1999)")
	f.StringVarP(&lo.ConfigPath, "config", "c", "", "path to partykit.json")
	f.StringVar(&persist, "persist", "", "where to keep room storage (default .partykit/state); false keeps it in memory")
	f.Lookup("persist").NoOptDefVal = "true"
	f.StringArrayVarP(&lo.Vars, "var", "v", nil, "a variable for room.env, KEY=VALUE (repeatable)")
	f.StringArrayVarP(&lo.Defines, "define", "d", nil, "a build-time define, KEY=VALUE (repeatable)")
	f.StringVar(&lo.Serve, "serve", "", "serve static assets from this directory")
	f.BoolVar(&lo.Minify, "minify", false, "minify the server bundle")
	f.BoolVar(&lo.WithEnv, "with-env", false, "define every .env key as a global")
	f.StringVar(&lo.CompatibilityDate, "compatibility-date", "", "accepted for PartyKit compatibility")
	f.StringSliceVar(&lo.CompatibilityFlags, "compatibility-flags", nil, "accepted for PartyKit compatibility")
	f.BoolVar(&verbose, "verbose", false, "log more")
	roomFlags(f, &ro)
	f.BoolVar(&ignored.live, "live", false, "reload open pages after a rebuild")
	f.BoolVar(&ignored.noHotkeys, "no-hotkeys", false, "accepted for PartyKit compatibility (gopk has no hotkeys)")
	f.BoolVar(&ignored.disableCF, "disable-request-cf-fetch", false, "accepted for PartyKit compatibility")
	f.BoolVar(&ignored.https, "https", false, "serve over HTTPS (a self-signed certificate for localhost unless the paths below are given)")
	f.StringVar(&ignored.httpsKey, "https-key-path", "", "TLS private key (PEM) for --https")
	f.StringVar(&ignored.httpsCert, "https-cert-path", "", "TLS certificate (PEM) for --https")
	addPprofFlag(cmd)
	return cmd
}
