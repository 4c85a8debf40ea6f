package cache

import (
	"sort"
	"time"
)

// RefreshToken returns the refresh token stored for k. With a Store, the
// first call waits for the cache to be loaded.
func (c *Cache) RefreshToken(k AccountKey) (string, bool) {
	c.waitLoaded()
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.refresh[k]
	return r.secret, ok
}

// PutRefreshToken stores rt for k, replacing any refresh token there; an
// empty rt deletes it. Past MaxEntries, the refresh tokens written longest
// ago are evicted. With a Store, the cache is saved before it returns.
func (c *Cache) PutRefreshToken(k AccountKey, rt string) {
	if rt == "" {
		c.DeleteRefreshToken(k)
		return
	}
	c.waitLoaded()
	c.mu.Lock()
	c.putRefreshLocked(k, refreshEntry{secret: rt, written: c.writeTimeLocked(c.now())})
	c.mu.Unlock()
	c.saveAfterChange()
}

// DeleteRefreshToken drops the refresh token for k, if any (after an
// invalid_grant answer, spec/PROTOCOL.md 2.14). With a Store, the deletion is
// saved before it returns, dated as Delete dates its deletions.
func (c *Cache) DeleteRefreshToken(k AccountKey) {
	c.waitLoaded()
	c.mu.Lock()
	r, found := c.refresh[k]
	delete(c.refresh, k)
	if c.store != nil {
		if c.removedAccounts == nil {
			c.removedAccounts = make(map[AccountKey]time.Time)
		}
		c.removedAccounts[k] = c.removalTimeLocked(r.written)
		dropOldest(c.removedAccounts, maxTombstones, itself)
		found = true
	}
	c.mu.Unlock()
	if found {
		c.saveAfterChange()
	}
}

// Accounts returns the keys of the refresh tokens held for authority and
// clientID, sorted by HomeAccountID: how a credential that has no home
// account id yet finds "the one refresh token for this client".
func (c *Cache) Accounts(authority, clientID string) []AccountKey {
	c.waitLoaded()
	c.mu.Lock()
	var out []AccountKey
	for k := range c.refresh {
		if k.Authority == authority && k.ClientID == clientID {
			out = append(out, k)
		}
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].HomeAccountID < out[j].HomeAccountID })
	return out
}

// putRefreshLocked stores r for k, evicting the oldest writes past
// maxEntries. c.mu must be held.
func (c *Cache) putRefreshLocked(k AccountKey, r refreshEntry) {
	if c.refresh == nil {
		c.refresh = make(map[AccountKey]refreshEntry)
	}
	c.refresh[k] = r
	dropOldest(c.refresh, c.maxEntries, func(r refreshEntry) time.Time { return r.written })
}
