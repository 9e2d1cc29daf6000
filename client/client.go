package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Limits on what the client reads from the server.
const (
	// maxErrorBytes bounds how much of an error answer is read.
	maxErrorBytes = 1 << 20
	// maxAnswerBytes bounds a successful answer (a page of 1,000 objects
	// of up to 1 MiB each would not fit; a server never sends that much
	// in practice).
	maxAnswerBytes = 256 << 20
)

// userAgent is sent unless WithUserAgent replaces it.
const userAgent = "gatehouse-go-client"

// Client calls one gatehouse server with one API key. It is safe for
// concurrent use.
type Client struct {
	base      *url.URL
	key       string
	hc        *http.Client
	userAgent string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through hc (for its
// transport, proxy and timeouts). The default is http.DefaultClient; each
// call is bounded by its context.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client of the server at baseURL ("http://127.0.0.1:8420")
// that authenticates with apiKey: the bootstrap admin key or an API key
// ("ghk_<id>_<secret>"). An empty apiKey sends no Authorization header,
// which only the health endpoints accept.
func New(baseURL, apiKey string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: base URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("gatehouse client: base URL %q must be http:// or https:// with a host, e.g. http://127.0.0.1:8420", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("gatehouse client: base URL %q must not have a query or fragment", baseURL)
	}
	c := &Client{base: u, key: apiKey, hc: http.DefaultClient, userAgent: userAgent}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the server's base URL as the client uses it.
func (c *Client) BaseURL() string { return c.base.String() }

// Raw sends a request the typed methods do not model, or a body they
// would not send (tests of the server's input checks use it). path is the
// URL path with its query, already escaped ("/v1/stores/default/check");
// body, when not nil, is sent as is with Content-Type application/json.
// A 2xx answer is decoded into out (when out is not nil and the answer has
// a body); any other status is an *Error. Raw returns the status.
func (c *Client) Raw(ctx context.Context, method, path string, body []byte, out any) (int, error) {
	return c.send(ctx, method, path, body, out)
}

// do sends in (marshalled as JSON, unless nil) and decodes the answer into
// out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) (int, error) {
	var body []byte
	if raw, ok := in.(rawJSON); ok {
		body = raw
	} else if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("gatehouse client: encoding the %s %s body: %w", method, path, err)
		}
		body = b
	}
	return c.send(ctx, method, path, body, out)
}

func (c *Client) send(ctx context.Context, method, path string, body []byte, out any) (int, error) {
	var ct string
	if body != nil {
		ct = "application/json"
	}
	resp, err := c.roundTrip(ctx, method, path, body, ct, c.bearer())
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, errorFrom(method, path, resp)
	}
	return resp.StatusCode, decodeAnswer(method, path, resp, out)
}

// bearer is the Authorization header of the client's key ("" without a
// key).
func (c *Client) bearer() string {
	if c.key == "" {
		return ""
	}
	return "Bearer " + c.key
}

// roundTrip sends one request: body (when not nil) with Content-Type ct,
// and auth, when not empty, as the Authorization header. The caller closes
// the answer's body.
func (c *Client) roundTrip(ctx context.Context, method, path string, body []byte, ct, auth string) (*http.Response, error) {
	if ctx == nil {
		return nil, errors.New("gatehouse client: nil context")
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: path %q: %w", path, err)
	}
	u := *c.base
	u.Path = c.base.Path + ref.Path
	if ref.RawPath != "" {
		u.RawPath = c.base.EscapedPath() + ref.RawPath
	} else {
		u.RawPath = ""
	}
	u.RawQuery = ref.RawQuery
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: %w", err)
	}
	if body != nil && ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gatehouse client: %s %s: %w", method, path, err)
	}
	return resp, nil
}

// decodeAnswer decodes a successful answer into out (when out is not nil
// and the answer has a body), and drains it otherwise.
func decodeAnswer(method, path string, resp *http.Response, out any) error {
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBytes))
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return fmt.Errorf("gatehouse client: %s %s: reading the answer: %w", method, path, err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("gatehouse client: %s %s: the answer (%d) is not the JSON expected: %w", method, path, resp.StatusCode, err)
	}
	return nil
}

// rawJSON is a body already encoded.
type rawJSON []byte

// document is a policy document field of a body.
type document struct {
	name string
	doc  json.RawMessage
}

// withDocuments encodes v, a body without its policy documents, and puts
// the documents in first, byte for byte as the caller wrote them:
// encoding/json would compact them, and the server's findings (line,
// column) would then point at lines the caller never wrote. A document's
// own lines keep their numbers in the body. Empty documents are left out.
func withDocuments(v any, docs ...document) (rawJSON, error) {
	rest, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	rest = bytes.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '{' {
		return nil, fmt.Errorf("gatehouse client: a body must be a JSON object")
	}
	out := []byte{'{'}
	for _, d := range docs {
		if len(bytes.TrimSpace(d.doc)) == 0 {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		name, _ := json.Marshal(d.name)
		out = append(out, name...)
		out = append(out, ':')
		out = append(out, d.doc...)
	}
	inner := bytes.TrimSpace(rest[1 : len(rest)-1])
	if len(inner) > 0 && len(out) > 1 {
		out = append(out, ',')
	}
	out = append(out, inner...)
	return append(out, '}'), nil
}

// seg escapes one path segment (an id may hold '/', '?' or '%').
func seg(s string) string { return url.PathEscape(s) }
