package router

import (
	"net/http"
	"time"
)

// Timeouts against slow clients. Upgraded WebSockets are not bound by them
// (gorilla clears the deadlines at the upgrade; sockets have pings).
const (
	ReadHeaderTimeout = 10 * time.Second // slowloris: headers must arrive in time
	BodyTimeout       = 60 * time.Second // a request body must arrive in time
	IdleTimeout       = 2 * time.Minute  // keep-alive connections between requests
	MaxHeaderBytes    = 64 << 10
)

// HTTPServer is the http.Server every gopk listener uses, with the limits
// above.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}
