package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/folkmoot/folkmoot/internal/tx"
)

// Prefix is where the API is served.
const Prefix = "/api/v1"

// maxRequest bounds a request body: a whole transaction in base64 with
// room for JSON around it.
const maxRequest = tx.MaxTxBytes*4/3 + 4096

// Handler returns the API's HTTP handler, to be mounted at /api/:
//
//	GET  /api/v1/status                     the community and chain status
//	GET  /api/v1/members[?all=1]            current members (all: everyone ever admitted)
//	GET  /api/v1/members/{number or key}    one member, with the next nonce
//	GET  /api/v1/members/{number or key}/delegations  to whom they delegate, who delegates to them
//	GET  /api/v1/proposals?status=&category=&q=&limit=&offset=
//	                                        q: at most 200 bytes, 8 words of 2 characters or more
//	                                        (400 beyond); searches are limited per client (429)
//	GET  /api/v1/proposals/{id}             a proposal with its comment thread and endorsements
//	GET  /api/v1/proposals/{id}/ballots[?after=MEMBER&limit=N]
//	                                        the counted ballots, a page at a time
//	GET  /api/v1/proposals/{id}/secret      a secret vote's public record: trustees' commitments,
//	                                        sealed shares, complaints, tracking codes, aggregate,
//	                                        partial decryptions (409 for a vote that is not secret)
//	GET  /api/v1/initiatives[?status=]      popular initiatives with endorsements, needed and window end
//	GET  /api/v1/laws[?at=2026-03-01]       the register of laws (now, or at the end of a past day)
//	GET  /api/v1/laws/{n}                   one law
//	GET  /api/v1/rules                      every version of the constitution, what each changed
//	GET  /api/v1/offices                    the offices with holders, term ends and elections to come
//	GET  /api/v1/offices/{name}             one office with past elections, petitions, notices, payments
//	GET  /api/v1/elections[?office=]        elections, newest first
//	GET  /api/v1/elections/{id}             one election with its round-by-round count
//	GET  /api/v1/draws                      draws by lot, newest first
//	GET  /api/v1/draws/{id}                 one draw with its beacon, pool, lottery, seed and root
//	GET  /api/v1/txs/{id}                   a transaction's block, code and leaf
//	GET  /api/v1/proofs/tx/{id}[?height=]   inclusion proof of a transaction
//	GET  /api/v1/proofs/leaf/{n}[?height=]  inclusion proof of any leaf
//	POST /api/v1/unsigned                   the exact payload to sign for an action (JSON Action)
//	POST /api/v1/tx                         relay signed bytes (raw CBOR, base64, or JSON {"tx": base64})
//	POST /api/v1/txs                        relay many: JSON {"txs": [base64, …]}, at most MaxBulkTxs
//	                                        in MaxBulkBytes (413 beyond); one result per transaction
//
// Errors are JSON {"code", "message"} with a status to match.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	get := func(path string, fn func(r *http.Request) (any, error)) {
		mux.HandleFunc("GET "+Prefix+path, func(w http.ResponseWriter, r *http.Request) { s.serveRead(w, r, fn) })
	}
	get("/status", func(r *http.Request) (any, error) { return s.Status(r.Context()) })
	get("/members", func(r *http.Request) (any, error) { return s.Members(r.URL.Query().Get("all") != "") })
	get("/members/{ref}", func(r *http.Request) (any, error) { return s.Member(r.PathValue("ref")) })
	get("/members/{ref}/delegations", func(r *http.Request) (any, error) { return s.Delegations(r.PathValue("ref")) })
	get("/laws", with(LawsAt, s.Laws))
	get("/laws/{n}", with(pathValue("n", LawNumber), s.Law))
	get("/rules", func(r *http.Request) (any, error) { return s.Rules() })
	get("/proposals", func(r *http.Request) (any, error) {
		f, err := FilterFrom(r)
		if err != nil {
			return nil, err
		}
		return s.Search(r.Context(), ClientAddr(r), f)
	})
	get("/proposals/{id}", with(pathValue("id", ProposalID), s.Proposal))
	get("/proposals/{id}/ballots", func(r *http.Request) (any, error) {
		id, err := ProposalID(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		after, limit, err := pageParams(r)
		if err != nil {
			return nil, err
		}
		return s.Ballots(id, after, limit)
	})
	get("/proposals/{id}/secret", with(pathValue("id", ProposalID), s.Secret))
	get("/initiatives", func(r *http.Request) (any, error) { return s.Initiatives(r.URL.Query().Get("status")) })
	get("/offices", func(r *http.Request) (any, error) { return s.Offices() })
	get("/offices/{name}", func(r *http.Request) (any, error) { return s.Office(r.PathValue("name")) })
	get("/elections", func(r *http.Request) (any, error) { return s.Elections(r.URL.Query().Get("office")) })
	get("/elections/{id}", func(r *http.Request) (any, error) { return s.Election(r.PathValue("id")) })
	get("/draws", func(r *http.Request) (any, error) { return s.Draws() })
	get("/draws/{id}", with(pathValue("id", DrawID), s.Draw))
	get("/txs/{id}", with(pathValue("id", ParseTxID), s.Tx))
	get("/proofs/tx/{id}", func(r *http.Request) (any, error) {
		id, err := ParseTxID(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		h, err := heightParam(r)
		if err != nil {
			return nil, err
		}
		return s.TxProof(id, h)
	})
	get("/proofs/leaf/{n}", func(r *http.Request) (any, error) {
		n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
		if err != nil {
			return nil, BadRequest("A leaf index is a whole number.")
		}
		h, err := heightParam(r)
		if err != nil {
			return nil, err
		}
		return s.LeafProof(n, h)
	})
	mux.HandleFunc("POST "+Prefix+"/unsigned", s.serveUnsigned)
	mux.HandleFunc("POST "+Prefix+"/tx", s.serveSubmit)
	mux.HandleFunc("POST "+Prefix+"/txs", s.serveBulk)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := Allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			WriteError(w, MethodNotAllowed(r, allow))
			return
		}
		WriteError(w, errorf(http.StatusNotFound, "not_found", "There is no %s %s in this API.", r.Method, r.URL.Path))
	})
	return Recover(s, mux)
}

// with reads a request with parse and answers with fn.
func with[T, V any](parse func(*http.Request) (T, error), fn func(T) (V, error)) func(*http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		v, err := parse(r)
		if err != nil {
			return nil, err
		}
		return fn(v)
	}
}

// pathValue reads the path wildcard name with parse.
func pathValue[T any](name string, parse func(string) (T, error)) func(*http.Request) (T, error) {
	return func(r *http.Request) (T, error) { return parse(r.PathValue(name)) }
}

// FilterFrom reads a proposal filter from a request's query string.
func FilterFrom(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Status: q.Get("status"), Category: q.Get("category"), Text: q.Get("q")}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, BadRequest("%s must be a whole number.", name)
			}
			*dst = n
		}
	}
	return f, nil
}

// ProposalID reads a proposal number from a path.
func ProposalID(s string) (uint64, error) { return numberFrom1(s, "proposal") }

// numberFrom1 reads the number of a what (a whole number from 1) from a
// path.
func numberFrom1(s, what string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, BadRequest("A %s number is a whole number from 1, not %q.", what, s)
	}
	return n, nil
}

// pageParams reads a ballot page's cursor (after: a member number) and
// size (limit) from a request's query string; absent, they are 0.
func pageParams(r *http.Request) (uint32, int, error) {
	q := r.URL.Query()
	var after uint32
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return 0, 0, BadRequest("after must be a member number, not %q.", v)
		}
		after = uint32(n)
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxBallotLimit {
			return 0, 0, BadRequest("limit must be a whole number from 1 to %d.", MaxBallotLimit)
		}
		limit = n
	}
	return after, limit, nil
}

func heightParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("height")
	if v == "" {
		return 0, nil
	}
	h, err := strconv.ParseInt(v, 10, 64)
	if err != nil || h < 1 {
		return 0, BadRequest("Height must be a block number from 1.")
	}
	return h, nil
}

// serveRead answers a read. Answers change only with a new block, so the
// ETag is the height the answer was read at and clients revalidate;
// a proof against an explicit height never changes.
func (s *Service) serveRead(w http.ResponseWriter, r *http.Request, fn func(r *http.Request) (any, error)) {
	h := s.Height()
	etag := fmt.Sprintf(`W/"%d"`, h)
	fixed := r.URL.Query().Get("height") != "" && strings.Contains(r.URL.Path, "/proofs/")
	if !fixed && r.Header.Get("If-None-Match") == etag {
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	v, err := fn(r)
	if err != nil {
		s.writeErr(w, err)
		return
	}
	if fixed {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("ETag", etag)
	}
	WriteJSON(w, http.StatusOK, v)
}

func (s *Service) serveUnsigned(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	var a Action
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		s.writeErr(w, bodyError(err, "The request must be a JSON action: %s."))
		return
	}
	u, err := s.Unsigned(a)
	if err != nil {
		s.writeErr(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, u)
}

func (s *Service) serveSubmit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	raw, err := ReadTx(w, r)
	if err != nil {
		s.writeErr(w, err)
		return
	}
	res, err := s.Submit(r.Context(), ClientAddr(r), raw)
	if err != nil {
		s.writeErr(w, err)
		return
	}
	WriteJSON(w, http.StatusAccepted, res)
}

// ReadTx reads signed transaction bytes from a request body: raw CBOR
// (application/cbor or application/octet-stream), JSON {"tx": base64}, or
// base64 text (any other type).
func ReadTx(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		return nil, bodyError(err, "The request body could not be read: %s.")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var text string
	switch ct {
	case "application/cbor", "application/octet-stream":
		return body, nil
	case "application/json":
		var v struct {
			Tx string `json:"tx"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, BadRequest("The JSON body must be {\"tx\": \"<base64>\"}.")
		}
		text = v.Tx
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, BadRequest("The form could not be read.")
		}
		text = q.Get("tx")
	default:
		text = string(body)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, BadRequest("The request holds no transaction.")
	}
	if b, ok := decodeBase64(text); ok {
		return b, nil
	}
	return nil, BadRequest("The transaction must be base64 (or raw CBOR with Content-Type application/cbor).")
}

// decodeBase64 reads standard or URL-safe base64, padded or not.
func decodeBase64(text string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil {
			return b, true
		}
	}
	return nil, false
}

func bodyError(err error, format string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "The request is larger than %d bytes.", mb.Limit)
	}
	return BadRequest(format, err)
}

// ClientAddr is the address a request came from, for rate limiting. It
// trusts no forwarding header: a proxy in front must limit on its own.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// WriteError writes e as JSON {code, message}.
func WriteError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("ETag")
	WriteJSON(w, e.Status, e)
}

// AsError turns any error into one a client may see: an *Error as is,
// anything else as "Internal error." (logged).
func (s *Service) AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	s.log.Error("internal error", "err", err)
	return errorf(http.StatusInternalServerError, "internal", "Internal error.")
}

func (s *Service) writeErr(w http.ResponseWriter, err error) { WriteError(w, s.AsError(err)) }

// Recover answers a panic in h with "Internal error." (logged), never a
// stack trace.
func Recover(s *Service, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "path", r.URL.Path, "panic", v)
				WriteError(w, errorf(http.StatusInternalServerError, "internal", "Internal error."))
			}
		}()
		h.ServeHTTP(w, r)
	})
}
