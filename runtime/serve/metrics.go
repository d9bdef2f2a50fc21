package serve

import (
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gopk/runtime/deploy"
	"gopk/runtime/room"
)

// metrics are what /metrics shows. Every series is labelled by project;
// nothing a user typed other than project and party names (both validated)
// becomes a label, and no value of any var ever does.
type metrics struct {
	reg *prometheus.Registry

	connsOpen    *prometheus.GaugeVec
	connsTotal   *prometheus.CounterVec
	messages     *prometheus.CounterVec
	wsBytes      *prometheus.CounterVec
	httpRequests *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	deploys      *prometheus.CounterVec
	errors       *prometheus.CounterVec
	storageSync  prometheus.Histogram
	handlers     *prometheus.HistogramVec

	open atomic.Int64 // sockets open right now, all projects (for shutdown)
}

func newMetrics(mgr func() *deploy.Manager) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.connsOpen = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gopk_connections_open", Help: "WebSocket connections open now.",
	}, []string{"project"})
	m.connsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gopk_connections_total", Help: "WebSocket connections accepted.",
	}, []string{"project"})
	m.messages = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gopk_websocket_messages_total", Help: "WebSocket data messages, in (from clients) and out (to clients).",
	}, []string{"project", "direction"})
	m.wsBytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gopk_websocket_bytes_total", Help: "WebSocket bytes on the wire, in and out.",
	}, []string{"project", "direction"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gopk_http_requests_total", Help: "HTTP requests to projects, by status code (101 for WebSocket upgrades).",
	}, []string{"project", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "gopk_event_duration_seconds",
		Help:    "Time to answer an event: kind=request from request to response head, kind=connect from upgrade request to 101 (edge hook, room start, onConnect).",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
	}, []string{"project", "kind"})
	m.deploys = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gopk_deploys_total", Help: "Version uploads, by result (ok, rejected).",
	}, []string{"project", "result"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gopk_errors_total", Help: "Errors the runtime reported for a party (throws, failed starts, unhandled rejections, crashes).",
	}, []string{"project", "party"})
	m.storageSync = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "gopk_storage_sync_duration_seconds",
		Help:    "Storage write-ahead-log fsyncs: a batch of writes is acknowledged when its sync ends.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
	})
	m.handlers = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "gopk_handler_duration_seconds",
		Help:    "Time from calling a server's handler (onConnect, onMessage, onClose, onError, onRequest, onAlarm) to its settling, promise included.",
		Buckets: prometheus.ExponentialBuckets(0.00005, 2, 18),
	}, []string{"project", "party", "handler"})
	m.reg.MustRegister(m.handlers)
	m.reg.MustRegister(m.connsOpen, m.connsTotal, m.messages, m.wsBytes, m.httpRequests, m.latency, m.deploys, m.errors, m.storageSync,
		roomsCollector{mgr: mgr},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) deployed(project string, ok bool) {
	result := "ok"
	if !ok {
		result = "rejected"
	}
	m.deploys.WithLabelValues(project, result).Inc()
}

func (m *metrics) roomError(project, party string) {
	m.errors.WithLabelValues(project, party).Inc()
}

func (m *metrics) observeSync(d time.Duration) { m.storageSync.Observe(d.Seconds()) }

// serve runs a project's router, counting the request and, for an upgrade,
// the connection it becomes.
func (m *metrics) serve(project string, h http.Handler, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	rec.hijack = func(c net.Conn) net.Conn { return m.meter(project, c) }
	h.ServeHTTP(rec, r)
	kind := "request"
	if rec.hijacked.Load() {
		kind = "connect"
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	m.latency.WithLabelValues(project, kind).Observe(time.Since(start).Seconds())
	m.httpRequests.WithLabelValues(project, strconv.Itoa(status)).Inc()
}

func (m *metrics) meter(project string, c net.Conn) net.Conn {
	open := m.connsOpen.WithLabelValues(project)
	open.Inc()
	m.open.Add(1)
	m.connsTotal.WithLabelValues(project).Inc()
	msgIn, msgOut := m.messages.WithLabelValues(project, "in"), m.messages.WithLabelValues(project, "out")
	bytesIn, bytesOut := m.wsBytes.WithLabelValues(project, "in"), m.wsBytes.WithLabelValues(project, "out")
	mc := &meteredConn{
		Conn:     c,
		inBytes:  func(n int) { bytesIn.Add(float64(n)) },
		outBytes: func(n int) { bytesOut.Add(float64(n)) },
		onClose: func() {
			open.Dec()
			m.open.Add(-1)
		},
	}
	mc.in.onMessage = msgIn.Inc
	mc.out.onMessage = msgOut.Inc
	return mc
}

// roomsCollector reports live rooms per project at scrape time.
type roomsCollector struct{ mgr func() *deploy.Manager }

var roomsDesc = prometheus.NewDesc("gopk_rooms_live", "Rooms running now (an actor, with or without its VM).", []string{"project"}, nil)

func (c roomsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- roomsDesc }

func (c roomsCollector) Collect(ch chan<- prometheus.Metric) {
	mgr := c.mgr()
	if mgr == nil {
		return
	}
	for _, p := range mgr.Live() {
		ch <- prometheus.MustNewConstMetric(roomsDesc, prometheus.GaugeValue, float64(p.Rooms.Live()), p.Name)
	}
}

// rooms is the room.Metrics of one project.
func (m *metrics) rooms(project string) room.Metrics { return roomMetrics{m, project} }

type roomMetrics struct {
	m       *metrics
	project string
}

func (r roomMetrics) Event(party, handler string, took time.Duration) {
	r.m.handlers.WithLabelValues(r.project, party, handler).Observe(took.Seconds())
}
