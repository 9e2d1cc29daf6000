package oidctest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// This file is the other side of the flow: a browser that signs in at the
// login page, and the web application (the relying party) whose redirect
// URI receives the code and exchanges it at the token endpoint with the
// client's secret. Both talk to the provider over real HTTP.

// ErrLoginRefused is wrapped by Login's error when the provider's login
// page refused the username or password.
var ErrLoginRefused = errors.New("the provider refused the login")

const (
	callbackPath = "/callback"
	// loginScopes asks for the ID token with the profile and email claims.
	loginScopes = "openid profile email"
	// maxResponse bounds every response body read here.
	maxResponse = 1 << 20
)

// Tokens are what the token endpoint returned to the relying party.
type Tokens struct {
	// IDToken is the signed ID token (a JWS in compact form).
	IDToken string
	// AccessToken is a JWT access token signed with the same key, with
	// aud and client_id the client id and the user's claims.
	AccessToken string
	// TokenType is "Bearer".
	TokenType string
	// ExpiresIn is the access token's lifetime as the provider stated it.
	ExpiresIn time.Duration
}

// Login signs username in through the provider's authorization-code flow
// and returns the ID token the relying party received. A wrong username or
// password gives an error wrapping ErrLoginRefused.
func (p *Provider) Login(ctx context.Context, username, password string) (string, error) {
	tok, err := p.LoginTokens(ctx, username, password)
	return tok.IDToken, err
}

// LoginTokens is Login returning the access token too.
//
// The flow, all over HTTP on loopback: the browser GETs the authorize
// endpoint (from the discovery document) with a state and a nonce, is sent
// to the login page, POSTs the credentials to the form the page serves, and
// follows the provider's redirects to the client's redirect URI with the
// code. The relying party there checks the state, exchanges the code at
// the token endpoint with client_secret_basic, checks the ID token's nonce
// and hands the tokens back.
func (p *Provider) LoginTokens(ctx context.Context, username, password string) (Tokens, error) {
	fail := func(format string, args ...any) (Tokens, error) {
		return Tokens{}, fmt.Errorf("oidctest: login as %q: "+format, append([]any{username}, args...)...)
	}
	state, nonce := rand.Text(), rand.Text()
	p.mu.Lock()
	p.pending[state] = nonce
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, state)
		p.mu.Unlock()
	}()

	browser := p.browser()
	authorize := p.authorizeURL + "?" + url.Values{
		"client_id":     {p.cfg.clientID},
		"redirect_uri":  {p.redirectURI},
		"response_type": {string(oidc.ResponseTypeCode)},
		"scope":         {loginScopes},
		"state":         {state},
		"nonce":         {nonce},
	}.Encode()
	page, err := browse(ctx, browser, http.MethodGet, authorize, nil)
	if err != nil {
		return fail("authorize endpoint: %w", err)
	}
	if page.status != http.StatusOK {
		return fail("the authorize endpoint led to %s (%s): %s", page.url, page.statusText, page.excerpt())
	}
	form, err := parseLoginForm(page)
	if err != nil {
		return fail("%w", err)
	}
	form.values.Set(formUsername, username)
	form.values.Set(formPassword, password)
	res, err := browse(ctx, browser, http.MethodPost, form.action, form.values)
	if err != nil {
		return fail("posting the login form: %w", err)
	}
	if !strings.HasPrefix(res.url, p.redirectURI) {
		if m := loginError.FindStringSubmatch(res.body); m != nil {
			return fail("%w: %s", ErrLoginRefused, html.UnescapeString(m[1]))
		}
		return fail("the login form led to %s (%s), not to the redirect URI: %s", res.url, res.statusText, res.excerpt())
	}
	if res.status != http.StatusOK {
		return fail("the relying party at the redirect URI answered %s: %s", res.statusText, res.excerpt())
	}
	var tr oidc.AccessTokenResponse
	if err := json.Unmarshal([]byte(res.body), &tr); err != nil {
		return fail("reading the tokens: %w", err)
	}
	return Tokens{
		IDToken:     tr.IDToken,
		AccessToken: tr.AccessToken,
		TokenType:   tr.TokenType,
		ExpiresIn:   time.Duration(tr.ExpiresIn) * time.Second,
	}, nil
}

// browser is an HTTP client that keeps cookies and follows redirects, as a
// browser does.
func (p *Provider) browser() *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &http.Client{Transport: p.transport, Jar: jar, Timeout: 10 * time.Second}
}

// page is the last response of a browser request, after redirects.
type page struct {
	url        string
	status     int
	statusText string
	body       string
}

// excerpt is the start of the body, for error messages.
func (pg page) excerpt() string {
	const n = 300
	s := strings.TrimSpace(pg.body)
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

func browse(ctx context.Context, c *http.Client, method, target string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return page{}, err
	}
	return page{url: resp.Request.URL.String(), status: resp.StatusCode, statusText: resp.Status, body: string(b)}, nil
}

// The login page is ours (login.go), so a few patterns read it; an HTML
// parser would be one more dependency for no gain.
var (
	formTag     = regexp.MustCompile(`<form[^>]*\baction="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	loginError  = regexp.MustCompile(`<p class="error">([^<]*)</p>`)
)

type loginForm struct {
	action string
	values url.Values
}

// parseLoginForm reads the form's target and hidden fields from the page.
func parseLoginForm(pg page) (loginForm, error) {
	m := formTag.FindStringSubmatch(pg.body)
	if m == nil {
		return loginForm{}, fmt.Errorf("no login form at %s: %s", pg.url, pg.excerpt())
	}
	base, err := url.Parse(pg.url)
	if err != nil {
		return loginForm{}, err
	}
	action, err := base.Parse(html.UnescapeString(m[1]))
	if err != nil {
		return loginForm{}, fmt.Errorf("login form action %q: %w", m[1], err)
	}
	values := url.Values{}
	for _, in := range hiddenInput.FindAllStringSubmatch(pg.body, -1) {
		values.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return loginForm{action: action.String(), values: values}, nil
}

// callback is the relying party's redirect URI handler.
func (p *Provider) callback(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != callbackPath || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		http.Error(w, fmt.Sprintf("the provider answered the authorization request with %s: %s", e, q.Get("error_description")), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	nonce, ok := p.pending[q.Get("state")]
	p.mu.Unlock()
	if !ok {
		http.Error(w, "unknown state: this redirect does not answer a login in progress", http.StatusBadRequest)
		return
	}
	code := q.Get("code")
	if code == "" {
		http.Error(w, "the redirect carries no code", http.StatusBadRequest)
		return
	}
	body, err := p.exchange(r.Context(), code, nonce)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// exchange trades the code for tokens at the token endpoint and checks
// that the ID token answers this login (its nonce). It returns the token
// endpoint's JSON.
func (p *Provider) exchange(ctx context.Context, code, nonce string) ([]byte, error) {
	form := url.Values{
		"grant_type":   {string(oidc.GrantTypeCode)},
		"code":         {code},
		"redirect_uri": {p.redirectURI},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic.
	req.SetBasicAuth(url.QueryEscape(p.cfg.clientID), url.QueryEscape(p.cfg.clientSecret))
	resp, err := p.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token endpoint answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var tr oidc.AccessTokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return nil, fmt.Errorf("token endpoint response: %w", err)
	}
	if tr.IDToken == "" {
		return nil, errors.New("token endpoint returned no id_token")
	}
	if got, err := idTokenNonce(tr.IDToken); err != nil || got != nonce {
		return nil, fmt.Errorf("the ID token does not carry this login's nonce (%v)", err)
	}
	return body, nil
}

// idTokenNonce reads the nonce claim without checking the signature: the
// point here is only to match the token to the login; verifying it is the
// job of the code under test.
func idTokenNonce(token string) (string, error) {
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return "", err
	}
	var claims struct {
		Nonce string `json:"nonce"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return "", err
	}
	return claims.Nonce, nil
}
