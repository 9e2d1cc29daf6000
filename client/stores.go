package client

import (
	"context"
	"net/http"
	"time"
)

// StoreInfo describes an application store.
type StoreInfo struct {
	ID string `json:"id"`
	// Revision is the store's revision: it grows by one with every write
	// that can change a decision.
	Revision  int64     `json:"revision"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Objects counts the store's objects by kind ("policy", "role",
	// "role_mapping", ...); only GetStore fills it.
	Objects map[string]int `json:"objects,omitempty"`
}

// CreateStore creates an application store (POST /v1/stores). Store ids
// are 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or
// digit. A store that exists is an *Error with code already_exists.
func (c *Client) CreateStore(ctx context.Context, id string) (*StoreInfo, error) {
	var out StoreInfo
	if _, err := c.do(ctx, http.MethodPost, "/v1/stores", struct {
		ID string `json:"id"`
	}{id}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetStore returns a store's revision and object counts as this server
// serves them (GET /v1/stores/{store}).
func (c *Client) GetStore(ctx context.Context, id string) (*StoreInfo, error) {
	var out StoreInfo
	if _, err := c.do(ctx, http.MethodGet, "/v1/stores/"+seg(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListStores lists application stores by id (GET /v1/stores).
func (c *Client) ListStores(ctx context.Context, opts ListOptions) (*Page[StoreInfo], error) {
	var out Page[StoreInfo]
	if _, err := c.do(ctx, http.MethodGet, listPath("/v1/stores", opts, nil), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Readiness is the answer of /readyz.
type Readiness struct {
	Status string `json:"status"`
	// Revision is the default store's revision.
	Revision int64 `json:"revision"`
}

// Health asks /healthz whether the server process is serving HTTP. It
// needs no key.
func (c *Client) Health(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodGet, "/healthz", nil, nil)
	return err
}

// Ready asks /readyz whether the server can decide: started, its database
// answering, the default store loaded. A server that is not ready is an
// *Error with status 503 (code unavailable).
func (c *Client) Ready(ctx context.Context) (*Readiness, error) {
	var out Readiness
	if _, err := c.do(ctx, http.MethodGet, "/readyz", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
