package api

import (
	"sync"
	"time"
)

// limiter is a token bucket per client address.
type limiter struct {
	rate, burst float64 // tokens per second; bucket size
	clock       func() time.Time
	mu          sync.Mutex
	buckets     map[string]*bucket
	swept       time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate, burst float64, clock func() time.Time) *limiter {
	return &limiter{rate: rate, burst: burst, clock: clock, buckets: make(map[string]*bucket)}
}

// allow takes a token from client's bucket if there is one.
func (l *limiter) allow(client string) bool { return l.allowN(client, 1) }

// allowN takes n tokens from client's bucket if it holds that many, and
// none otherwise.
func (l *limiter) allowN(client string, n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	// Forget full buckets now and then, so the map stays as small as the
	// set of recent clients.
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[client]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[client] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < float64(n) {
		return false
	}
	b.tokens -= float64(n)
	return true
}
