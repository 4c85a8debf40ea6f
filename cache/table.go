package cache

import "hash/maphash"

// table is the cache's index from Key to *entry: an immutable hash table
// with open addressing and linear probing, replaced whole by writers (copy
// on write) and read with no lock. It exists because a Go map keyed by the
// six-field Key hashes and compares every field on each lookup, which cost
// about as much as the clock read Get cannot avoid. This table hashes the
// fields that tell most keys apart (Scopes and Tenant, and Subject when
// set) and compares the whole key only on a hash match: keys that differ
// only in authority, client or CAE share a probe sequence, which costs a
// comparison each and stays short because a process has few of those.
type table struct {
	seed  maphash.Seed
	slots []slot // a power of two long, at most 3/4 full, so probing ends
	n     int    // entries
}

type slot struct {
	hash uint64
	e    *entry // nil: empty
}

// emptyTable is every new cache's table: get answers nil without hashing,
// so its seed does not matter. Like every table it is never written.
var emptyTable = &table{}

// smallTable is a table of the smallest size and its slots, allocated as one.
type smallTable struct {
	t     table
	slots [8]slot
}

// newTable returns a table of entries, which must have distinct keys.
func newTable(seed maphash.Seed, entries []*entry) *table {
	size := 8
	for size*3 < len(entries)*4+4 {
		size *= 2
	}
	var t *table
	if size == len(smallTable{}.slots) {
		st := new(smallTable)
		st.t.slots = st.slots[:]
		t = &st.t
	} else {
		t = &table{slots: make([]slot, size)}
	}
	t.seed, t.n = seed, len(entries)
	mask := uint64(size - 1)
	for _, e := range entries {
		h := t.hash(&e.key)
		i := h & mask
		for t.slots[i].e != nil {
			i = (i + 1) & mask
		}
		t.slots[i] = slot{hash: h, e: e}
	}
	return t
}

func (t *table) hash(k *Key) uint64 {
	const mix = 0x9e3779b97f4a7c15 // odd, so multiplying keeps every bit
	h := maphash.String(t.seed, k.Scopes)
	h = h*mix ^ maphash.String(t.seed, k.Tenant)
	if k.Subject != "" {
		h = h*mix ^ maphash.String(t.seed, k.Subject)
	}
	h ^= uint64(len(k.ClientID)) // cheap, and tells a client id from none
	if k.CAE {
		h = ^h
	}
	return h
}

// get returns the entry for k, or nil.
func (t *table) get(k *Key) *entry {
	if t.n == 0 {
		return nil
	}
	h := t.hash(k)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.e == nil {
			return nil
		}
		if s.hash == h && s.e.key == *k {
			return s.e
		}
	}
}

// all returns the table's entries.
func (t *table) all() []*entry {
	out := make([]*entry, 0, t.n)
	for _, s := range t.slots {
		if s.e != nil {
			out = append(out, s.e)
		}
	}
	return out
}
