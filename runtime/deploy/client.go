package deploy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to a gopk server's admin API.
type Client struct {
	Base  string // "https://rooms.example.com" (or the --admin-listen address)
	Token string
	HTTP  *http.Client
}

// NewClient makes a client for base with token.
func NewClient(base, token string) *Client {
	base = strings.TrimRight(base, "/")
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Let the server refuse an oversize upload before the body is sent.
	tr.ExpectContinueTimeout = 2 * time.Second
	return &Client{Base: base, Token: token, HTTP: &http.Client{Transport: tr}}
}

// APIError is an error answer of the server.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status)
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, size int64, ctype string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	if size >= 0 && body != nil {
		req.ContentLength = size
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if method == http.MethodPost && size > 0 {
		req.Header.Set("Expect", "100-continue")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, c.Base+path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, c.Base+path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e apiError
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return &APIError{Status: resp.StatusCode, Message: e.Error}
		}
		msg := strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &APIError{Status: resp.StatusCode, Message: msg + " (is " + c.Base + " a gopk server?)"}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not what gopk sends: %w", method, c.Base+path, err)
	}
	return nil
}

func projectPath(name string, rest string) string {
	return APIPrefix + "projects/" + url.PathEscape(name) + rest
}

// Server describes the server (and checks the token).
func (c *Client) Server(ctx context.Context) (*ServerInfo, error) {
	var s ServerInfo
	return &s, c.do(ctx, http.MethodGet, APIPrefix+"server", nil, -1, "", &s)
}

// Deploy uploads a version archive; progress (may be nil) is called as the
// body is sent.
func (c *Client) Deploy(ctx context.Context, name string, archive []byte, progress func(sent, total int64)) (*DeployResult, error) {
	var body io.Reader = bytes.NewReader(archive)
	if progress != nil {
		body = &progressReader{r: body, total: int64(len(archive)), fn: progress}
	}
	var res DeployResult
	err := c.do(ctx, http.MethodPost, projectPath(name, "/versions"), body, int64(len(archive)), "application/gzip", &res)
	return &res, err
}

type progressReader struct {
	r     io.Reader
	sent  int64
	total int64
	fn    func(sent, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.sent += int64(n)
	if n > 0 {
		p.fn(p.sent, p.total)
	}
	return n, err
}

// Projects lists the deployed projects.
func (c *Client) Projects(ctx context.Context) ([]ProjectInfo, error) {
	var out []ProjectInfo
	return out, c.do(ctx, http.MethodGet, APIPrefix+"projects", nil, -1, "", &out)
}

// Project describes one project.
func (c *Client) Project(ctx context.Context, name string) (*ProjectInfo, error) {
	var out ProjectInfo
	return &out, c.do(ctx, http.MethodGet, projectPath(name, ""), nil, -1, "", &out)
}

// Delete removes a project.
func (c *Client) Delete(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, projectPath(name, ""), nil, -1, "", nil)
}

// Rollback activates version n (0: the one before the active one).
func (c *Client) Rollback(ctx context.Context, name string, n int) (*DeployResult, error) {
	var res DeployResult
	body := `{"version":` + strconv.Itoa(n) + `}`
	return &res, c.do(ctx, http.MethodPost, projectPath(name, "/rollback"), strings.NewReader(body), int64(len(body)), "application/json", &res)
}

// EnvNames lists the names of a project's env vars.
func (c *Client) EnvNames(ctx context.Context, name string) ([]string, error) {
	var out []string
	return out, c.do(ctx, http.MethodGet, projectPath(name, "/env"), nil, -1, "", &out)
}

// EnvValues fetches a project's env vars with their values.
func (c *Client) EnvValues(ctx context.Context, name string) (map[string]any, error) {
	out := map[string]any{}
	return out, c.do(ctx, http.MethodGet, projectPath(name, "/env?values=1"), nil, -1, "", &out)
}

// EnvSet stores one env var.
func (c *Client) EnvSet(ctx context.Context, name, key, value string) error {
	return c.do(ctx, http.MethodPut, projectPath(name, "/env/"+url.PathEscape(key)), strings.NewReader(value), int64(len(value)), "text/plain", nil)
}

// EnvPush adds or replaces several env vars.
func (c *Client) EnvPush(ctx context.Context, name string, vars map[string]any) error {
	data, err := json.Marshal(vars)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPatch, projectPath(name, "/env"), bytes.NewReader(data), int64(len(data)), "application/json", nil)
}

// EnvRemove deletes one env var, or all with key "".
func (c *Client) EnvRemove(ctx context.Context, name, key string) error {
	p := "/env"
	if key != "" {
		p += "/" + url.PathEscape(key)
	}
	return c.do(ctx, http.MethodDelete, projectPath(name, p), nil, -1, "", nil)
}

// TailFilter selects what Tail streams.
type TailFilter struct {
	Party, Room, Level string
}

// Tail streams a project's log entries to fn until ctx ends or the server
// closes the stream.
func (c *Client) Tail(ctx context.Context, name string, f TailFilter, fn func(Entry)) error {
	q := url.Values{}
	for k, v := range map[string]string{"party": f.Party, "room": f.Room, "level": f.Level} {
		if v != "" {
			q.Set(k, v)
		}
	}
	path := projectPath(name, "/tail")
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("tail %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		var e apiError
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return &APIError{Status: resp.StatusCode, Message: e.Error}
		}
		return &APIError{Status: resp.StatusCode, Message: strings.TrimSpace(string(data))}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("tail %s: bad line from the server: %w", name, err)
		}
		if e.Message == "" && e.Level == "" {
			continue // keepalive
		}
		fn(e)
	}
	if err := sc.Err(); err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
		return fmt.Errorf("tail %s: %w", name, err)
	}
	return nil
}

// Checkpoint asks the server for a backup of its data directory and
// returns where the server wrote it.
func (c *Client) Checkpoint(ctx context.Context) (string, error) {
	var out Checkpoint
	err := c.do(ctx, http.MethodPost, APIPrefix+"checkpoint", nil, -1, "", &out)
	return out.Dir, err
}
