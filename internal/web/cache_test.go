package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

func TestPageCache(t *testing.T) {
	c := newPageCache()
	var renders atomic.Int32
	render := func(status int, body string) func() (int, []byte) {
		return func() (int, []byte) { renders.Add(1); return status, []byte(body) }
	}
	steps := []struct {
		name       string
		version    string
		key        string
		status     int
		body       string
		wantBody   string
		wantRender int32
	}{
		{"first render", "5/5", "en /", 200, "home at 5", "home at 5", 1},
		{"same version and page is cached", "5/5", "en /", 200, "ignored", "home at 5", 1},
		{"another language is another page", "5/5", "ca /", 200, "inici a 5", "inici a 5", 2},
		{"an error is not kept", "5/5", "en /x", 404, "not found", "not found", 3},
		{"so it renders again", "5/5", "en /x", 404, "not found again", "not found again", 4},
		{"the state moves on: render again", "6/5", "en /", 200, "home at 6", "home at 6", 5},
		{"the projection catches up: render again", "6/6", "en /", 200, "home at 6 with comments", "home at 6 with comments", 6},
	}
	for _, s := range steps {
		p := c.get(s.version, s.key, render(s.status, s.body))
		if string(p.plain) != s.wantBody || p.status != s.status || renders.Load() != s.wantRender {
			t.Fatalf("%s: %d %q after %d renders; want %q after %d", s.name, p.status, p.plain, renders.Load(), s.wantBody, s.wantRender)
		}
		zr, err := gzip.NewReader(bytes.NewReader(p.gz))
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if b, _ := io.ReadAll(zr); string(b) != s.wantBody {
			t.Fatalf("%s: gzipped body %q", s.name, b)
		}
	}
}

// TestPageCacheRendersOnceUnderLoad checks that requests arriving
// together for a missing page wait for one rendering.
func TestPageCacheRendersOnceUnderLoad(t *testing.T) {
	c := newPageCache()
	var renders atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := c.get("1/1", "en /proposals/1", func() (int, []byte) {
				renders.Add(1)
				<-release
				return 200, []byte("page")
			})
			if string(p.plain) != "page" {
				t.Errorf("got %q", p.plain)
			}
		}()
	}
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("%d renders for one page at one height", n)
	}
}

// TestPageCacheServesThePreviousPageWhileRendering checks that while one
// request renders a page for a new block, the others get the page of the
// block before rather than wait; the renderer gets the new page, and so
// does everyone once it is done.
func TestPageCacheServesThePreviousPageWhileRendering(t *testing.T) {
	c := newPageCache()
	c.get("1/1", "en /", func() (int, []byte) { return 200, []byte("old") })
	started, release := make(chan struct{}), make(chan struct{})
	fresh := make(chan string)
	go func() {
		p := c.get("2/2", "en /", func() (int, []byte) {
			close(started)
			<-release
			return 200, []byte("new")
		})
		fresh <- string(p.plain)
	}()
	<-started
	if p := c.get("2/2", "en /", func() (int, []byte) { t.Error("rendered twice"); return 200, nil }); string(p.plain) != "old" {
		t.Fatalf("while rendering: %q, want the previous page", p.plain)
	}
	if p := c.get("2/2", "ca /", func() (int, []byte) { return 200, []byte("nou") }); string(p.plain) != "nou" {
		t.Fatalf("a page with no previous version: %q", p.plain)
	}
	close(release)
	if got := <-fresh; got != "new" {
		t.Fatalf("the renderer got %q", got)
	}
	if p := c.get("2/2", "en /", func() (int, []byte) { t.Error("rendered again"); return 200, nil }); string(p.plain) != "new" {
		t.Fatalf("after rendering: %q", p.plain)
	}
	// Two versions on, the page of version 1 is never served.
	c.get("3/3", "ca /", func() (int, []byte) { return 200, []byte("nou 3") })
	c.get("4/4", "ca /", func() (int, []byte) { return 200, []byte("nou 4") })
	if p := c.get("4/4", "en /", func() (int, []byte) { return 200, []byte("new 4") }); string(p.plain) != "new 4" {
		t.Fatalf("a page two versions old was served: %q", p.plain)
	}
}

// TestPageCacheIsBounded checks that a flood of distinct URLs (searches)
// is rendered but not kept beyond maxCachedPages.
func TestPageCacheIsBounded(t *testing.T) {
	c := newPageCache()
	for i := range maxCachedPages + 10 {
		key := fmt.Sprintf("en /proposals?q=%d", i)
		if p := c.get("1/1", key, func() (int, []byte) { return 200, []byte(key) }); string(p.plain) != key {
			t.Fatalf("got %q for %s", p.plain, key)
		}
	}
	if n := len(c.entries); n != maxCachedPages {
		t.Fatalf("%d pages kept, want %d", n, maxCachedPages)
	}
}
