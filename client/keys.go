package client

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Key is an API key as listed: never its secret.
type Key struct {
	// ID is the key's public id (16 hex digits), the <id> of
	// "ghk_<id>_<secret>" and of "key:<id>" in logs.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Policy is the key's gatehouse policy: what it may do, as
	// gatehouse:<Action> on gatehouse:store/<store>/... resources.
	Policy    json.RawMessage `json:"policy"`
	CreatedAt time.Time       `json:"created_at"`
}

// NewKey is a created key, with its secret: the only time the server
// shows it.
type NewKey struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Secret is the whole key to send as "Authorization: Bearer <secret>".
	Secret string `json:"secret"`
	// Warnings are lint warnings about the policy.
	Warnings []Finding `json:"warnings,omitempty"`
}

// CreateKey creates an API key whose policy (an IAM-grammar document over
// gatehouse: actions) says what it may do (POST /v1/keys). A key allowed
// gatehouse:PutKey can create keys with any policy: it is admin-equivalent.
func (c *Client) CreateKey(ctx context.Context, name string, policy json.RawMessage) (*NewKey, error) {
	body, err := withDocuments(struct {
		Name string `json:"name"`
	}{name}, document{"policy", policy})
	if err != nil {
		return nil, err
	}
	var out NewKey
	if _, err := c.do(ctx, http.MethodPost, "/v1/keys", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetKey reads the key id (without its secret).
func (c *Client) GetKey(ctx context.Context, id string) (*Key, error) {
	var out Key
	if _, err := c.do(ctx, http.MethodGet, "/v1/keys/"+seg(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListKeys lists API keys by id.
func (c *Client) ListKeys(ctx context.Context, opts ListOptions) (*Page[Key], error) {
	var out Page[Key]
	if _, err := c.do(ctx, http.MethodGet, listPath("/v1/keys", opts, nil), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteKey deletes the key id; it stops working at once. The revision is
// the system scope's.
func (c *Client) DeleteKey(ctx context.Context, id string) (*WriteResult, error) {
	var out WriteResult
	if _, err := c.do(ctx, http.MethodDelete, "/v1/keys/"+seg(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
