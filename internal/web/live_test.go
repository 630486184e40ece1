package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// liveCommunity is a real node with one open proposal that Ada voted yes
// on, and the site over it with o (its Service filled in).
func liveCommunity(t *testing.T, o web.Options) (*apitest.Community, *web.Site, *httptest.Server) {
	t.Helper()
	c := apitest.Start(t, "Ada", "Bram")
	c.Do(t, c.Founders[0], &tx.Propose{Title: "Plant oak trees", Body: "Twelve oaks.", Category: "general", Closes: time.Now().Add(time.Hour).Unix()})
	c.Do(t, c.Founders[0], &tx.Ballot{Proposal: 1, Choice: tx.Yes})
	o.Service = c.Service
	if o.Poll == 0 {
		o.Poll = 20 * time.Millisecond
	}
	site, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	return c, site, srv
}

// from is an HTTP client whose connections come from the loopback
// address ip, a client address of its own to the site.
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableCompression: true}}
}

// liveStream is an open live-tally stream; data receives each event's
// data line and closes when the stream ends.
type liveStream struct {
	res    *http.Response
	body   string // the body when refused
	data   chan string
	retry  chan string
	cancel context.CancelFunc
}

// open opens a stream with client; a refused one has res and body only.
func open(t *testing.T, client *http.Client, url string) *liveStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	res, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &liveStream{res: res, cancel: cancel}
	t.Cleanup(s.close)
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		s.body = string(b)
		return s
	}
	s.data, s.retry = make(chan string, 64), make(chan string, 1)
	go func() {
		defer close(s.data)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				s.data <- d
			} else if r, ok := strings.CutPrefix(sc.Text(), "retry: "); ok {
				s.retry <- r
			}
		}
	}()
	return s
}

func (s *liveStream) close() {
	s.cancel()
	s.res.Body.Close()
}

// next returns the next event's data; it fails if the stream ends first.
func (s *liveStream) next(t *testing.T) string {
	t.Helper()
	d, ok := <-s.data
	if !ok {
		t.Fatal("the stream ended")
	}
	return d
}

// TestLiveStreamsCapped opens streams up to the caps, per client and in
// all, and one beyond each.
//
// The exploit (issue 10, finding 5): nothing bounded the streams; 1,000
// of them took about a core and RSS from 77 to 139 MB, 2,000 slowed pages
// to about 1 s.
func TestLiveStreamsCapped(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	_, _, srv := liveCommunity(t, web.Options{MaxStreams: 3, MaxStreamsPerClient: 2})
	a, b := from("127.0.0.1"), from("127.0.0.2")
	url := srv.URL + "/events/proposals/1"
	var a1 *liveStream
	for _, tc := range []struct {
		name   string
		client *http.Client
		status int
		want   string
	}{
		{"first of a", a, 200, ""},
		{"second of a", a, 200, ""},
		{"third of a, beyond its cap", a, 503, "Your address already follows 2 live tallies, the most allowed"},
		{"first of b", b, 200, ""},
		{"second of b, beyond the total", b, 503, "This site is following as many live tallies as it can"},
	} {
		s := open(t, tc.client, url)
		if s.res.StatusCode != tc.status {
			t.Fatalf("%s: status %d, want %d: %s", tc.name, s.res.StatusCode, tc.status, s.body)
		}
		if tc.status == 200 {
			if a1 == nil {
				a1 = s
			}
			if first := s.next(t); !strings.Contains(first, "Yes 1 · No 0") {
				t.Fatalf("%s: first event %s", tc.name, first)
			}
			continue
		}
		if s.res.Header.Get("Retry-After") != "30" || !strings.Contains(s.body, `"code": "too_many_streams"`) || !strings.Contains(s.body, tc.want) {
			t.Fatalf("%s: Retry-After %q, body %s", tc.name, s.res.Header.Get("Retry-After"), s.body)
		}
	}

	// A stream that ends gives its place back (once the server has seen
	// the connection close).
	a1.close()
	for i := 0; ; i++ {
		s := open(t, b, url)
		if s.res.StatusCode == 200 {
			break
		}
		s.close()
		if i == 200 {
			t.Fatalf("no stream place came free: %d %s", s.res.StatusCode, s.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLiveStreamLifetime: a stream ends after its lifetime, having told
// EventSource to reconnect soon.
//
// The exploit (issue 10, finding 5): streams had no lifetime, so
// connections once opened were held for ever.
func TestLiveStreamLifetime(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	_, _, srv := liveCommunity(t, web.Options{StreamLifetime: 300 * time.Millisecond})
	s := open(t, http.DefaultClient, srv.URL+"/events/proposals/1")
	if s.res.StatusCode != 200 {
		t.Fatalf("%d %s", s.res.StatusCode, s.body)
	}
	if r := <-s.retry; r != "2000" {
		t.Errorf("retry %q", r)
	}
	if first := s.next(t); !strings.Contains(first, "Yes 1 · No 0") {
		t.Fatalf("first event %s", first)
	}
	for range s.data {
	}
	if err := s.res.Request.Context().Err(); err != nil {
		t.Fatalf("the stream did not end by itself: %v", err)
	}
}

// TestLiveTallyRendersOncePerBlock opens many streams of one proposal in
// two languages, casts a ballot and checks that every stream got the new
// tally while each chart was rendered once per block and language.
//
// The exploit (issue 10, finding 5): every stream read its proposal and
// rendered its chart at every block, so 1,000 streams took about a core.
func TestLiveTallyRendersOncePerBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c, site, srv := liveCommunity(t, web.Options{MaxStreamsPerClient: 100})
	var mu sync.Mutex
	renders := map[string]int{}
	web.OnLiveRender(site, func(id uint64, height int64, lang string) {
		mu.Lock()
		defer mu.Unlock()
		renders[fmt.Sprintf("proposal %d at %d in %s", id, height, lang)]++
	})
	const n = 20
	var streams []*liveStream
	for i := range n {
		lang := "en"
		if i%4 == 0 {
			lang = "ca"
		}
		s := open(t, http.DefaultClient, srv.URL+"/events/proposals/1?lang="+lang)
		if s.res.StatusCode != 200 {
			t.Fatalf("stream %d: %d %s", i, s.res.StatusCode, s.body)
		}
		s.next(t)
		streams = append(streams, s)
	}
	if _, err := c.Client.Submit(context.Background(), c.Sign(t, c.Founders[1], &tx.Ballot{Proposal: 1, Choice: tx.No})); err != nil {
		t.Fatal(err)
	}
	for i, s := range streams {
		want := map[bool]string{true: "Sí 1 · No 1", false: "Yes 1 · No 1"}[i%4 == 0]
		for d := s.next(t); !strings.Contains(d, want); d = s.next(t) {
		}
	}
	mu.Lock()
	defer mu.Unlock()
	langs := map[string]bool{}
	for k, count := range renders {
		if count != 1 {
			t.Errorf("%s rendered %d times for %d streams", k, count, n)
		}
		langs[k[strings.LastIndex(k, " ")+1:]] = true
	}
	if !langs["en"] || !langs["ca"] || len(renders) < 4 {
		t.Errorf("renders %v", renders)
	}
}
