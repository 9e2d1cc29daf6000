package token

import (
	"container/list"
	"sync"
	"time"
)

// cacheEntry is one verified token: the result, and what must still hold
// for the result to stand without verifying again.
type cacheEntry struct {
	hash [32]byte
	// issuer is the configuration the token verified under: a hit needs
	// an issuer of the same name with exactly this configuration.
	issuer Issuer
	// src and keyID name the key that verified the signature: a hit needs
	// it still in the issuer's current keys.
	src   *source
	keyID string
	// validFrom and expires bound the times at which the entry answers:
	// from the later of nbf and iat less the leeway, until exp.
	validFrom, expires time.Time
	v                  *Verified
}

// verifiedCache remembers verified tokens by the SHA-256 of the token,
// bounded in entries, least recently used first out.
type verifiedCache struct {
	mu  sync.Mutex
	max int
	m   map[[32]byte]*list.Element
	lru list.List // of *cacheEntry, most recently used in front
}

func newVerifiedCache(max int) *verifiedCache {
	return &verifiedCache{max: max, m: make(map[[32]byte]*list.Element)}
}

// get returns the entry for hash, or nil.
func (c *verifiedCache) get(hash [32]byte) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.m[hash]
	if el == nil {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry)
}

// put stores e, replacing an entry for the same token and dropping the
// least recently used entry when full.
func (c *verifiedCache) put(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.m[e.hash]; el != nil {
		el.Value = e
		c.lru.MoveToFront(el)
		return
	}
	for c.lru.Len() >= c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.m, old.Value.(*cacheEntry).hash)
	}
	c.m[e.hash] = c.lru.PushFront(e)
}

// remove drops the entry for hash, if it is still e.
func (c *verifiedCache) remove(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.m[e.hash]; el != nil && el.Value == e {
		c.lru.Remove(el)
		delete(c.m, e.hash)
	}
}

// len returns the number of entries.
func (c *verifiedCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
