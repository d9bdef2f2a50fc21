package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gopk/runtime/config"
	"gopk/runtime/deploy"
)

func deployCommand() *cobra.Command {
	var (
		r        remote
		lo       config.LoadOptions
		withVars bool
		ignored  struct {
			preview, domain string
			tail            []string
		}
	)
	cmd := &cobra.Command{
		Use:     "deploy [script]",
		Aliases: []string{"publish"},
		Short:   "Build the project and make it the live version on a gopk server (like `partykit deploy`)",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				lo.Main = args[0]
			}
			lo.ConfigPath, lo.Name = r.configPath, r.name
			c, err := r.client()
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			server, err := c.Server(ctx) // checks the token before the build
			if err != nil {
				return err
			}
			packed, err := deploy.Build(deploy.BuildOptions{
				Load: lo, WithVars: withVars, Client: version,
				Host: func(name string) string { return publicHost(c.Base, server.Domain, name) },
			})
			if err != nil {
				return err
			}
			for _, w := range packed.Warnings {
				fmt.Fprintf(out, "warning: %s\n", w)
			}
			size := int64(len(packed.Archive))
			fmt.Fprintf(out, "Built %s (%d parties, %s) in %s\n", packed.Name, len(packed.Manifest.Parties), humanBytes(size), packed.Took.Round(time.Millisecond))
			if size > server.MaxUpload {
				return fmt.Errorf("the version is %s but %s accepts at most %s (gopk serve --max-upload)", humanBytes(size), c.Base, humanBytes(server.MaxUpload))
			}
			res, err := c.Deploy(ctx, packed.Name, packed.Archive, progress(out))
			fmt.Fprintln(out)
			if err != nil {
				return fmt.Errorf("deploy of %s refused: %w\nThe previous version is still serving.", packed.Name, err)
			}
			link := res.URL
			if link == "" {
				link = c.Base
			}
			fmt.Fprintf(out, "Deployed %s version %d to %s (active %.0f ms after upload)\n", res.Project, res.Version.Version, link, res.TookMS)
			return nil
		},
	}
	f := cmd.Flags()
	r.flags(f, true)
	f.StringArrayVarP(&lo.Vars, "var", "v", nil, "a variable for room.env, KEY=VALUE (repeatable); sent with this version")
	f.BoolVar(&withVars, "with-vars", false, "send every var (partykit.json vars, .env, --var) with this version")
	f.StringArrayVarP(&lo.Defines, "define", "d", nil, "a build-time define, KEY=VALUE (repeatable)")
	f.StringVar(&lo.Serve, "serve", "", "upload static assets from this directory")
	f.BoolVar(&lo.Minify, "minify", false, "minify the server bundle")
	f.BoolVar(&lo.WithEnv, "with-env", false, "define every .env key as a global")
	f.StringVar(&lo.CompatibilityDate, "compatibility-date", "", "accepted for PartyKit compatibility")
	f.StringSliceVar(&lo.CompatibilityFlags, "compatibility-flags", nil, "accepted for PartyKit compatibility")
	f.StringVar(&ignored.preview, "preview", "", "not supported: deploy previews as projects of their own (-n)")
	f.StringVar(&ignored.domain, "domain", "", "not supported: the server's --domain decides")
	f.StringSliceVar(&ignored.tail, "tail-consumer", nil, "not supported")
	return cmd
}

// publicHost is PARTYKIT_HOST for a bundle: <name>.<domain> when the server
// routes by host, else the host the client deploys to.
func publicHost(base, domain, name string) string {
	if domain != "" {
		return name + "." + domain
	}
	if u, err := url.Parse(base); err == nil {
		return u.Host
	}
	return ""
}

// progress draws one line that redraws itself while the upload goes.
func progress(w io.Writer) func(sent, total int64) {
	last := -1
	return func(sent, total int64) {
		pct := 100
		if total > 0 {
			pct = int(sent * 100 / total)
		}
		if pct == last {
			return
		}
		last = pct
		bar := strings.Repeat("#", pct/5) + strings.Repeat(".", 20-pct/5)
		fmt.Fprintf(w, "\rUploading [%s] %3d%% %s / %s", bar, pct, humanBytes(sent), humanBytes(total))
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
