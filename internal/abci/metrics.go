package abci

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/folkmoot/folkmoot/internal/reject"
)

// PrometheusMetrics implements Metrics with Prometheus collectors in the
// "folkmoot" namespace.
type PrometheusMetrics struct {
	txs       *prometheus.CounterVec
	open      prometheus.Gauge
	applySecs prometheus.Histogram
	blockTxs  prometheus.Histogram
}

// NewPrometheusMetrics registers the app's collectors with reg.
func NewPrometheusMetrics(reg prometheus.Registerer) (*PrometheusMetrics, error) {
	m := &PrometheusMetrics{
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "folkmoot", Name: "transactions_total",
			Help: "Transactions in committed blocks, by result code (0 accepted).",
		}, []string{"code", "reason"}),
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "folkmoot", Name: "proposals_open",
			Help: "Proposals whose voting is open.",
		}),
		applySecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "folkmoot", Name: "block_apply_seconds",
			Help:    "Time to apply a block in FinalizeBlock, signature checks included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}),
		blockTxs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "folkmoot", Name: "block_transactions",
			Help:    "Transactions per block.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 9),
		}),
	}
	for _, c := range []prometheus.Collector{m.txs, m.open, m.applySecs, m.blockTxs} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// TxResult counts one transaction outcome.
func (m *PrometheusMetrics) TxResult(code reject.Code) {
	m.txs.WithLabelValues(strconv.FormatUint(uint64(code), 10), code.String()).Inc()
}

// OpenProposals sets the number of open proposals.
func (m *PrometheusMetrics) OpenProposals(n int) { m.open.Set(float64(n)) }

// BlockApplied records one block's apply time and size.
func (m *PrometheusMetrics) BlockApplied(d time.Duration, txs int) {
	m.applySecs.Observe(d.Seconds())
	m.blockTxs.Observe(float64(txs))
}
