package token

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// maxURLBytes bounds an issuer URL and a jwks_uri.
const maxURLBytes = 2048

// checkURL checks an issuer URL or a key set URL: absolute, https (http
// only on a loopback host: 127.0.0.0/8, ::1, localhost, for tests and
// development), no user info, no fragment, and for an issuer no query
// (OpenID Connect Discovery §2). what names the field in the message.
func checkURL(what, s string, isIssuer bool) error {
	if s == "" {
		return fmt.Errorf("%s is empty: give the URL, e.g. https://idp.example.com", what)
	}
	if len(s) > maxURLBytes {
		return fmt.Errorf("%s is %d bytes long; at most %d are allowed", what, len(s), maxURLBytes)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%s %s is not a URL: %v", what, short(s), urlErr(err))
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%s %s is not an absolute URL: write it as https://host/path", what, short(s))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return fmt.Errorf("%s %s uses http: use https (http is allowed only on loopback hosts — 127.0.0.1, ::1, localhost — for tests and development)", what, short(s))
		}
	default:
		return fmt.Errorf("%s %s uses the scheme %q: use https", what, short(s), u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%s %s holds a user name or password: remove it (keys are fetched without credentials)", what, short(s))
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("%s %s has a fragment (#…): remove it", what, short(s))
	}
	if isIssuer && (u.RawQuery != "" || u.ForceQuery) {
		return fmt.Errorf("%s %s has a query (?…): an issuer URL has none (OpenID Connect Discovery §2)", what, short(s))
	}
	return nil
}

// urlErr strips url.Parse's repetition of the input from its error.
func urlErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// isLoopback reports whether host is localhost or a loopback address
// (127.0.0.0/8, ::1).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// discoveryURL returns the OpenID Connect discovery document URL of an
// issuer: "/.well-known/openid-configuration" appended to the issuer with
// any trailing slash removed (OpenID Connect Discovery §4).
func discoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}
