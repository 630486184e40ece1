package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  string   `xml:"author>name"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// feed serves an Atom feed of the latest proposals and their decisions;
// an entry's update time is its decision's block time once decided. Its
// links start with the site's configured address, never the request's
// Host header, which anyone can set.
func (s *Site) feed(w http.ResponseWriter, r *http.Request) {
	lang := s.cat.Lang(r)
	st, err := s.svc.Status(r.Context())
	if err != nil {
		api.WriteError(w, s.svc.AsError(err))
		return
	}
	ps, err := s.svc.Proposals(api.Filter{Limit: 50})
	if err != nil {
		api.WriteError(w, s.svc.AsError(err))
		return
	}
	base := s.baseURL
	f := atomFeed{ID: "urn:folkmoot:" + st.ChainID, Title: s.cat.T(lang, "feed.title", st.Community),
		Updated: st.Time.Format(time.RFC3339), Link: []atomLink{{Href: base + "/feed.atom", Rel: "self"}, {Href: base + "/"}}}
	for _, p := range ps {
		e := atomEntry{ID: fmt.Sprintf("urn:folkmoot:%s:proposal:%d", st.ChainID, p.ID), Title: p.Title,
			Updated: p.Created.Format(time.RFC3339), Author: fmt.Sprintf("%s (#%d)", p.AuthorName, p.Author),
			Link: atomLink{Href: fmt.Sprintf("%s/proposals/%d", base, p.ID)}, Summary: s.cat.T(lang, "status."+p.Status)}
		if res := p.Result; res != nil {
			e.Updated = p.Closes.Format(time.RFC3339)
			verdict := s.cat.T(lang, "prop.failed")
			if res.Passed {
				verdict = s.cat.T(lang, "prop.passed")
			}
			e.Summary = verdict + ". " + s.cat.T(lang, "prop.result", res.Yes, res.No, res.Abstain, res.Turnout, res.Eligible)
		}
		f.Entries = append(f.Entries, e)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(f); err != nil {
		api.WriteError(w, s.svc.AsError(fmt.Errorf("encode feed: %w", err)))
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(buf.Bytes())
}
