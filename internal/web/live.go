package web

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/query"
)

// Defaults of the live-tally streams' bounds (see Options).
const (
	DefaultMaxStreams          = 1000
	DefaultMaxStreamsPerClient = 16
	DefaultStreamLifetime      = 10 * time.Minute
)

// streamRetryAfter is what a refused stream's Retry-After says, in seconds.
const streamRetryAfter = 30

// liveHub fans the live tally out to its streams (issue 10, finding 5:
// every stream used to read its proposal at every block, and nothing
// bounded how many streams there were or how long they lived). Each
// proposal with streams has one feed, a goroutine that reads the
// proposal once per block and renders its chart once per block and
// language, whatever the number of streams; it ends with its last
// stream. Streams are counted per client address and in total.
type liveHub struct {
	site                   *Site
	poll                   time.Duration
	maxTotal, maxPerClient int
	lifetime               time.Duration
	// rendered, when set, is told of every chart a feed renders (tests).
	rendered func(id uint64, height int64, lang string)

	mu        sync.Mutex
	total     int
	perClient map[string]int
	feeds     map[uint64]*feed
}

// feed is the live tally of one proposal.
type feed struct {
	id   uint64
	subs map[*stream]struct{}
	// wake tells the feed's goroutine of a new stream, which is owed the
	// current chart at once.
	wake chan struct{}
}

// stream is one subscriber; its fields other than events belong to the
// feed's goroutine.
type stream struct {
	lang string
	// events holds the latest event not yet written: a slow reader skips
	// charts, never delays the feed.
	events chan string
	last   string // the chart sent last
}

// offer hands the stream an event, replacing one it has not written yet.
// Only the feed's goroutine calls it, so the send never blocks.
func (st *stream) offer(ev string) {
	select {
	case <-st.events:
	default:
	}
	st.events <- ev
}

// subscribe adds a stream of proposal id's tally in lang for client, or
// returns an *api.Error (503) when client, or everyone, has as many
// streams as allowed. The stream is ended with the function returned.
func (h *liveHub) subscribe(client string, id uint64, lang string) (*stream, func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perClient[client] >= h.maxPerClient {
		return nil, nil, &api.Error{Status: http.StatusServiceUnavailable, Code: "too_many_streams",
			Message: fmt.Sprintf("Your address already follows %d live tallies, the most allowed; close a page, or reload it later.", h.maxPerClient)}
	}
	if h.total >= h.maxTotal {
		return nil, nil, &api.Error{Status: http.StatusServiceUnavailable, Code: "too_many_streams",
			Message: "This site is following as many live tallies as it can; reload the page later. The page itself is complete without it."}
	}
	f, ok := h.feeds[id]
	if !ok {
		f = &feed{id: id, subs: make(map[*stream]struct{}), wake: make(chan struct{}, 1)}
		h.feeds[id] = f
		go h.run(f)
	}
	st := &stream{lang: lang, events: make(chan string, 1)}
	f.subs[st] = struct{}{}
	h.total++
	h.perClient[client]++
	select {
	case f.wake <- struct{}{}:
	default:
	}
	var once sync.Once
	return st, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			delete(f.subs, st)
			h.total--
			if h.perClient[client]--; h.perClient[client] == 0 {
				delete(h.perClient, client)
			}
		})
	}, nil
}

// run is a feed's goroutine: at every poll, and when a stream joins, it
// reads the proposal if a block came since it last did, and hands each
// stream the chart in its language if it differs from what it sent that
// stream last. It returns, forgetting the feed, once no stream is left.
func (h *liveHub) run(f *feed) {
	tick := time.NewTicker(h.poll)
	defer tick.Stop()
	height := int64(-1)
	var p query.ProposalDetail
	var charts map[string]string
	for {
		h.mu.Lock()
		if len(f.subs) == 0 {
			delete(h.feeds, f.id)
			h.mu.Unlock()
			return
		}
		subs := make([]*stream, 0, len(f.subs))
		for st := range f.subs {
			subs = append(subs, st)
		}
		h.mu.Unlock()

		if now := h.site.svc.Height(); now != height {
			q, err := h.site.svc.Proposal(f.id)
			if err == nil {
				p, height, charts = q, now, make(map[string]string)
			} else {
				h.site.log.Error("live tally", "proposal", f.id, "err", err)
			}
		}
		if height >= 0 {
			for _, st := range subs {
				chart, ok := charts[st.lang]
				if !ok {
					chart = string(h.site.tally(st.lang, p))
					charts[st.lang] = chart
					if h.rendered != nil {
						h.rendered(f.id, height, st.lang)
					}
				}
				if chart != st.last {
					st.last = chart
					st.offer("event: tally\nid: " + strconv.FormatInt(height, 10) + "\ndata: " + chart + "\n\n")
				}
			}
		}
		select {
		case <-tick.C:
		case <-f.wake:
		}
	}
}

// events streams a proposal's tally as Server-Sent Events: one "tally"
// event now and one after every block that changes it. The data is the
// chart, rendered as on the page, on one line. A stream ends after
// Options.StreamLifetime (EventSource reconnects by itself), and beyond
// the caps on streams a client is answered 503 with Retry-After.
func (s *Site) events(w http.ResponseWriter, r *http.Request) {
	id, err := api.ProposalID(r.PathValue("id"))
	if err != nil {
		api.WriteError(w, s.svc.AsError(err))
		return
	}
	if _, err := s.svc.Proposal(id); err != nil {
		api.WriteError(w, s.svc.AsError(err))
		return
	}
	st, done, err := s.live.subscribe(api.ClientAddr(r), id, s.cat.Lang(r))
	if err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(streamRetryAfter))
		api.WriteError(w, s.svc.AsError(err))
		return
	}
	defer done()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// Reconnect soon after the stream ends at its lifetime.
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", 2000); err != nil {
		return
	}
	life := time.NewTimer(s.live.lifetime)
	defer life.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-life.C:
			return
		case ev := <-st.events:
			if _, err := fmt.Fprint(w, ev); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}
