package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dop251/goja"
)

// maxRedirects matches workerd's and browsers' limit.
const maxRedirects = 20

func (g *Globals) httpClient() *http.Client {
	if g.opts.HTTPClient != nil {
		return g.opts.HTTPClient
	}
	return http.DefaultClient
}

// fetchNative(method, url, headers, body, redirect, done) starts an HTTP
// request off the loop and calls done(err, response) on it. It returns an
// abort(reason) function: aborting cancels the request, and errors a body
// still streaming with reason (the signal's), as the Fetch spec says.
func (g *Globals) fetchNative(c goja.FunctionCall) goja.Value {
	method := c.Argument(0).String()
	url := c.Argument(1).String()
	hl, ok := c.Argument(2).Export().(*headerList)
	if !ok {
		g.throwTypeError("fetch: bad headers")
	}
	var body []byte
	if b, ok := g.bufferSourceCopy(c.Argument(3)); ok {
		body = b
	}
	redirect := c.Argument(4).String()
	done, ok := goja.AssertFunction(c.Argument(5))
	if !ok {
		g.throwTypeError("fetch: bad callback")
	}

	ctx, cancelCtx := context.WithCancel(g.env.Loop.Context())
	// Close aborts what is still in flight; finished fetches leave the set.
	key := new(int)
	if g.inflight == nil {
		g.inflight = make(map[*int]context.CancelFunc)
	}
	g.inflight[key] = cancelCtx
	cancel := func() {
		cancelCtx()
		delete(g.inflight, key)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		cancel()
		g.throwTypeError("fetch: %v", err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	req.Header = hl.httpHeader()
	if req.Header.Get("User-Agent") == "" {
		// net/http would add its own; workerd sends none unless asked.
		req.Header["User-Agent"] = nil
	}
	client := *g.httpClient()
	redirected := false
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		switch redirect {
		case "manual":
			return http.ErrUseLastResponse
		case "error":
			return errRedirectRefused
		}
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		redirected = true
		return nil
	}

	var bodyStream goja.Value // the response body, once there is one
	g.env.Loop.Go(func(context.Context) func() {
		resp, err := client.Do(req)
		return func() {
			if err != nil {
				cancel()
				msg := "fetch failed: " + err.Error()
				if errors.Is(err, errRedirectRefused) {
					msg = "Fetch API cannot load: redirect mode is \"error\" and the response redirected"
				}
				_, _ = done(goja.Undefined(), g.vm.NewTypeError(msg))
				return
			}
			if g.closed {
				resp.Body.Close()
				return
			}
			var bodyVal goja.Value = goja.Null()
			if method != http.MethodHead && resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified {
				bodyVal = g.callStreams("goStream", g.vm.ToValue(&goBody{rc: resp.Body, done: cancel}))
				bodyStream = bodyVal
			} else {
				resp.Body.Close()
				cancel()
			}
			status := strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
			res, err := g.fetchHooks().makeFetched(goja.Undefined(), g.vm.ToValue(resp.StatusCode), g.vm.ToValue(status),
				g.vm.ToValue(newHeaderList(resp.Header)), bodyVal, g.vm.ToValue(resp.Request.URL.String()), g.vm.ToValue(redirected))
			if err != nil {
				_, _ = done(goja.Undefined(), g.vm.NewGoError(err))
				return
			}
			_, _ = done(goja.Undefined(), goja.Null(), res)
		}
	})
	return g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		cancel()
		if bodyStream != nil {
			g.callStreams("errorGoStream", bodyStream, c.Argument(0))
		}
		return goja.Undefined()
	})
}

var errRedirectRefused = errors.New("redirect refused")
