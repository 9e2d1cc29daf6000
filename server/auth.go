package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"gatehouse.dev/gatehouse/engine"
)

// caller is who sent a request, after authentication (API.md §1).
type caller struct {
	// admin is the bootstrap admin key: it bypasses policies.
	admin bool
	// keyID is the API key's id ("" for the admin key).
	keyID string
	// ip is the client address of the connection, for key policies'
	// request:ip conditions.
	ip string
}

// clientID names the caller as an OAuth client: its API key's id, or
// "admin".
func (c *caller) clientID() string {
	if c.admin {
		return "admin"
	}
	return c.keyID
}

// String names the caller in logs and decision log entries: "admin" or
// "key:<id>". It never holds a secret.
func (c *caller) String() string {
	if c == nil {
		return ""
	}
	if c.admin {
		return "admin"
	}
	return "key:" + c.keyID
}

// errUnauthenticated is the 401 for a missing or wrong key. It does not say
// which, so that it tells a guesser nothing.
func errUnauthenticated(detail string) *httpError {
	return errorf(http.StatusUnauthorized, codeUnauthenticated, "%s", detail)
}

// authenticate identifies the caller from "Authorization: Bearer <key>".
func (s *Server) authenticate(r *http.Request) (*caller, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, errUnauthenticated("this endpoint needs an API key: send Authorization: Bearer <key>")
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errUnauthenticated("the Authorization header must be Bearer <key>")
	}
	return s.callerForKey(strings.TrimSpace(token), clientIP(r))
}

// callerForKey authenticates an API key (or the admin key) presented by a
// client at ip.
func (s *Server) callerForKey(token, ip string) (*caller, error) {
	c := &caller{ip: ip}
	if s.adminKeyHash != nil {
		sum := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(sum[:], s.adminKeyHash) == 1 {
			c.admin = true
			return c, nil
		}
	}
	id, secret, ok := parseKey(token)
	sys := s.system.Load()
	var k *apiKey
	if ok && sys != nil {
		k = sys.keys[id]
	}
	sum := sha256.Sum256([]byte(secret))
	want := dummyHash[:]
	if k != nil {
		want = k.hash[:]
	}
	// Compare even for an unknown id, so that timing does not tell ids
	// apart from secrets.
	if subtle.ConstantTimeCompare(sum[:], want) != 1 || k == nil {
		return nil, errUnauthenticated("the API key is not valid (unknown, deleted, or mistyped)")
	}
	c.keyID = k.id
	return c, nil
}

// dummyHash is compared against when the key id is unknown.
var dummyHash = sha256.Sum256([]byte("gatehouse: no such key"))

// clientIP is the connection's remote address without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allowed reports whether c may do action on resource: the admin key
// always may; an API key when the policy attached to it in the system scope
// allows it. Application stores play no part (API.md §1).
func (s *Server) allowed(c *caller, action, resource string) bool {
	if c == nil {
		return false
	}
	if c.admin {
		return true
	}
	sys := s.system.Load()
	if sys == nil || sys.engine == nil {
		return false
	}
	req := engine.Request{
		Principal: engine.Principal{Type: "app", ID: c.keyID},
		Action:    action,
		Resource:  engine.Resource{Name: resource},
		Context: map[string]engine.Values{
			"request:ip":   {c.ip},
			"request:time": {s.now().UTC().Format("2006-01-02T15:04:05Z")},
		},
	}
	return sys.engine.Decide(&req).Allowed()
}

// authorize is allowed as an error: a 403 that names the action and
// resource the key lacks.
func (s *Server) authorize(c *caller, action, resource string) error {
	if s.allowed(c, action, resource) {
		return nil
	}
	return forbidden("this API key (%s) is not allowed %s on %s", c, action, resource)
}

// Gatehouse's own actions and resources (API.md §1, docs/api.md).
const (
	actCheck       = "gatehouse:Check"
	actExplain     = "gatehouse:Explain"
	actAssertRoles = "gatehouse:AssertRoles"
	actReadDec     = "gatehouse:ReadDecision"
)

// storeResource is "gatehouse:store/<store>".
func storeResource(storeID string) string { return "gatehouse:store/" + storeID }

// objectResource is "gatehouse:store/<store>/<kind>/<id>"; id "*" names
// every object of the kind (used by lists).
func objectResource(storeID, kind, id string) string {
	return "gatehouse:store/" + storeID + "/" + kind + "/" + id
}

// keyResource is "gatehouse:key/<id>".
func keyResource(id string) string { return "gatehouse:key/" + id }
