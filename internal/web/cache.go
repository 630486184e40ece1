package web

import (
	"bytes"
	"compress/gzip"
	"sync"
)

// maxCachedPages bounds the pages kept for one height: the common pages
// and proposals, not every search a visitor types.
const maxCachedPages = 256

// pageCache keeps each rendered page, plain and gzipped, until the next
// block. A page is a function of the committed state and the projection,
// so it changes only with their heights (api.Service.Version; its "time
// left" wording may lag by one block). When a page is missing, one
// request renders it; others asking for it meanwhile get the page as of
// the previous version if there is one (it is at most one block old, and
// a crowd of visitors does not stall at every block), or else wait for
// that rendering rather than repeat it.
type pageCache struct {
	mu      sync.Mutex
	version string
	entries map[string]*renderedPage
	// previous holds the pages of the version before, complete and good,
	// served only while their successor is being rendered.
	previous map[string]*renderedPage
}

// renderedPage is one page as rendered at a version; ready closes when it
// is filled in.
type renderedPage struct {
	ready  chan struct{}
	status int
	plain  []byte
	gz     []byte
}

func (p *renderedPage) done() bool {
	select {
	case <-p.ready:
		return true
	default:
		return false
	}
}

func newPageCache() *pageCache {
	return &pageCache{entries: make(map[string]*renderedPage), previous: make(map[string]*renderedPage)}
}

// get returns the page key as of version, rendering it with render when
// it is not cached. Only answers with status 200 stay cached.
func (c *pageCache) get(version, key string, render func() (int, []byte)) *renderedPage {
	c.mu.Lock()
	if version != c.version {
		kept := make(map[string]*renderedPage, len(c.entries))
		for k, p := range c.entries {
			if p.done() && p.status == 200 {
				kept[k] = p
			}
		}
		c.version, c.entries, c.previous = version, make(map[string]*renderedPage), kept
	}
	if p, ok := c.entries[key]; ok {
		if old, ok := c.previous[key]; ok && !p.done() {
			c.mu.Unlock()
			return old
		}
		c.mu.Unlock()
		<-p.ready
		return p
	}
	p := &renderedPage{ready: make(chan struct{})}
	cached := len(c.entries) < maxCachedPages
	if cached {
		c.entries[key] = p
	}
	c.mu.Unlock()

	p.status, p.plain = render()
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = gz.Write(p.plain)
	if gz.Close() == nil {
		p.gz = buf.Bytes()
	}
	close(p.ready)
	if cached && p.status != 200 {
		c.mu.Lock()
		if c.entries[key] == p {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return p
}
