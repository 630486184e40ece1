package web

import (
	"image"
	"image/color"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/folkmoot/folkmoot/internal/tx/txtest"
)

// qrRun is one dark run of qrSVG's path: M x y h n v1 h-n z.
var qrRun = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// rasterize paints the SVG's dark runs onto a white image, scale pixels a
// module, as a scanner would see the code.
func rasterize(t *testing.T, svg string, scale int) image.Image {
	t.Helper()
	m := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no viewBox in %.80s", svg)
	}
	n, _ := strconv.Atoi(m[1])
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	path := regexp.MustCompile(` d="([^"]*)"`).FindStringSubmatch(svg)
	if path == nil || strings.TrimSpace(qrRun.ReplaceAllString(path[1], "")) != "" {
		t.Fatalf("the QR path is not a list of runs: %.200s", svg)
	}
	for _, r := range qrRun.FindAllStringSubmatch(path[1], -1) {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img
}

// decodeQR reads a QR code back with ZXing's decoder (a port independent
// of the encoder).
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	return res.GetText()
}

// TestQRCode serves public keys as QR codes that decode back to the key,
// and refuses anything else with 400 and a sentence.
func TestQRCode(t *testing.T) {
	s := &Site{log: slog.New(slog.DiscardHandler)}
	const key = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
	for _, tc := range []struct {
		name, query string
		status      int
		want        string // decoded text, or a part of the error
	}{
		{"key", "text=" + key, http.StatusOK, key},
		{"upper-case key, drawn in its usual form", "text=" + strings.ToUpper(key), http.StatusOK, key},
		{"other key", "text=" + txtest.KeyHex(0x0f), http.StatusOK, txtest.KeyHex(0x0f)},
		{"no text", "", http.StatusBadRequest, "64 hex digits"},
		{"short", "text=" + key[:63], http.StatusBadRequest, "64 hex digits"},
		{"long", "text=" + key + "00", http.StatusBadRequest, "64 hex digits"},
		{"not hex", "text=" + strings.Repeat("zz", 32), http.StatusBadRequest, "64 hex digits"},
		{"a link", "text=" + url.QueryEscape("https://evil.example/"+key[:42]), http.StatusBadRequest, "64 hex digits"},
		{"two texts", "text=" + key + "&text=" + key, http.StatusBadRequest, "64 hex digits"},
		{"other parameter", "text=" + key + "&size=9000", http.StatusBadRequest, "64 hex digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.qrCode(w, httptest.NewRequest(http.MethodGet, "/qr?"+tc.query, nil))
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, body)
			}
			if tc.status != http.StatusOK {
				if !strings.Contains(body, tc.want) || w.Header().Get("Cache-Control") != "no-store" {
					t.Fatalf("refusal %q (Cache-Control %q), want a sentence with %q, not stored", body, w.Header().Get("Cache-Control"), tc.want)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "public") {
				t.Errorf("Cache-Control %q", cc)
			}
			if strings.Contains(body, key[:8]) || strings.Contains(body, "<script") {
				t.Errorf("the SVG carries text, not only modules: %.200s", body)
			}
			if got := decodeQR(t, rasterize(t, body, 4)); got != tc.want {
				t.Errorf("decoded %q, want %q", got, tc.want)
			}
		})
	}
}
