package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/spf13/pflag"

	"gopk/runtime/config"
	"gopk/runtime/deploy"
)

// remote are the flags of every command that talks to a gopk server.
type remote struct {
	host, token string
	name        string // -n
	configPath  string // -c
}

func (r *remote) flags(f *pflag.FlagSet, withProject bool) {
	f.StringVar(&r.host, "host", "", "the gopk server, e.g. https://rooms.example.com (default $GOPK_HOST)")
	f.StringVar(&r.token, "token", "", "admin token (default $GOPK_TOKEN)")
	if withProject {
		f.StringVarP(&r.name, "name", "n", "", "project name (default: \"name\" in partykit.json)")
		f.StringVarP(&r.configPath, "config", "c", "", "path to partykit.json")
	}
}

func (r *remote) client() (*deploy.Client, error) {
	host := r.host
	if host == "" {
		host = os.Getenv("GOPK_HOST")
	}
	if host == "" {
		return nil, errors.New("no server: pass --host https://your.server or set GOPK_HOST")
	}
	token := r.token
	if token == "" {
		token = os.Getenv("GOPK_TOKEN")
	}
	if token == "" {
		return nil, errors.New("no token: pass --token or set GOPK_TOKEN")
	}
	return deploy.NewClient(host, token), nil
}

// project is -n, or the name in the project's config.
func (r *remote) project() (string, error) {
	name := r.name
	if name == "" {
		p, err := config.Load(config.LoadOptions{ConfigPath: r.configPath})
		if err != nil {
			return "", err
		}
		name = p.Name
	}
	if name == "" {
		return "", errors.New(`no project name: pass -n NAME or set "name" in partykit.json`)
	}
	return name, deploy.ValidateName(name)
}

// projectClient is what every per-project command starts with: the
// project's name (-n or partykit.json) and a client for the server.
func (r *remote) projectClient() (*deploy.Client, string, error) {
	name, err := r.project()
	if err != nil {
		return nil, "", err
	}
	c, err := r.client()
	if err != nil {
		return nil, "", err
	}
	return c, name, nil
}

func timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}
