package store

import (
	"fmt"

	"github.com/folkmoot/folkmoot/internal/query"
)

// TextAmendments returns every change made to a proposal's text, in order
// (none for an unknown proposal).
func (s *Store) TextAmendments(proposal uint64) ([]query.TextAmendment, error) {
	out, err := collect(func(sc scanner) (query.TextAmendment, error) {
		var a query.TextAmendment
		var at int64
		err := sc.Scan(&a.Revision, &a.Height, &at, &a.Author, &a.OldTitle, &a.OldBody, &a.Title, &a.Body)
		a.Time = utc(at)
		return a, err
	}, wrap(s.r.Query(`SELECT revision, height, time, author, old_title, old_body, title, body
		FROM text_amendments WHERE proposal = ? ORDER BY revision`, proposal)))
	if err != nil {
		return nil, fmt.Errorf("list text amendments of proposal %d: %w", proposal, err)
	}
	return out, nil
}
