package store

import (
	"fmt"
	"time"

	"github.com/folkmoot/folkmoot/internal/query"
)

// TextAmendments returns every change made to a proposal's text, in order
// (none for an unknown proposal).
func (s *Store) TextAmendments(proposal uint64) ([]query.TextAmendment, error) {
	rows, err := s.r.Query(`SELECT revision, height, time, author, old_title, old_body, title, body
		FROM text_amendments WHERE proposal = ? ORDER BY revision`, proposal)
	if err != nil {
		return nil, fmt.Errorf("list text amendments of proposal %d: %w", proposal, err)
	}
	defer rows.Close()
	var out []query.TextAmendment
	for rows.Next() {
		var a query.TextAmendment
		var at int64
		if err := rows.Scan(&a.Revision, &a.Height, &at, &a.Author, &a.OldTitle, &a.OldBody, &a.Title, &a.Body); err != nil {
			return nil, fmt.Errorf("read text amendment of proposal %d: %w", proposal, err)
		}
		a.Time = time.Unix(0, at).UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list text amendments of proposal %d: %w", proposal, err)
	}
	return out, nil
}
