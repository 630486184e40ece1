package web

import (
	"bytes"
	"fmt"
	"net/http"

	"rsc.io/qr"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// qrQuiet is the blank margin around a QR code, in modules, that scanners
// need to find it (the standard asks for four).
const qrQuiet = 4

// qrSVG draws text as a QR code (error correction level M) in SVG: a white
// square with one black path, a unit square per dark module, joined along
// each row. Text reaches the SVG only as modules, never as characters.
func qrSVG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	n := code.Size + 2*qrQuiet
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := range code.Size {
		for x := 0; x < code.Size; {
			if !code.Black(x, y) {
				x++
				continue
			}
			run := 1
			for code.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+qrQuiet, y+qrQuiet, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}

// qrCode serves GET /qr?text=<public key> as an SVG QR code, for the join
// page to show a new member's key to the neighbours who vouch. It draws
// only public keys (64 hex digits), so the site cannot be used to draw
// arbitrary codes; the same text always gives the same image, so it may be
// cached for good.
func (s *Site) qrCode(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	text := q.Get("text")
	if len(q) != 1 || len(q["text"]) != 1 || len(text) != 2*len(tx.PublicKey{}) {
		api.WriteError(w, api.BadRequest("Give one public key of 64 hex digits as ?text= to draw its QR code."))
		return
	}
	k, err := tx.ParsePublicKey(text)
	if err != nil {
		api.WriteError(w, api.BadRequest("Give one public key of 64 hex digits as ?text= to draw its QR code."))
		return
	}
	svg, err := qrSVG(k.String())
	if err != nil {
		s.log.Error("draw qr code", "err", err)
		api.WriteError(w, s.svc.AsError(err))
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(svg)
}
