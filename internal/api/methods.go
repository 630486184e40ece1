package api

import (
	"net/http"
	"strings"
)

// Allowed returns the methods mux serves r's path with through a
// method-qualified pattern ("GET /x"): what the Allow header of a 405
// lists. A catch-all pattern without a method ("/", "/api/") does not
// count, so Allowed is empty for a path nothing serves. Call it from such
// a catch-all to tell a wrong method (405) from a wrong path (404).
func Allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); strings.HasPrefix(pattern, m+" ") || m == http.MethodHead && strings.HasPrefix(pattern, "GET ") {
			out = append(out, m)
		}
	}
	return out
}

// MethodNotAllowed reports a method the path is not served with; allow
// are the methods it is (see Allowed), which the Allow header lists.
func MethodNotAllowed(r *http.Request, allow []string) *Error {
	return errorf(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s; use %s.",
		r.Method, r.URL.Path, strings.Join(allow, " or "))
}
