/*
 * A keyed table of fixed capacity: a pool of entries allocated once,
 * hash chains and an LRU list of 32-bit indexes (index + 1, 0 = none).
 *
 * Admission (the threat is a flood of spoofed sources or a sweep over
 * ports, each key seen once): a key missing from the table is only
 * remembered in a doorkeeper, a direct-mapped array of fingerprints, and
 * gets an entry on its second sighting. One-off keys therefore cost one
 * array slot and never push out an entry; keys that come back (a target
 * under fire, a scanner) get in at once. When the pool is full the least
 * recently used entry makes room and is counted in `evicted`; entries
 * with an alert open are pinned (taken off the LRU list), so an alert's
 * entry is never pushed out. A table where every entry is pinned refuses
 * the newcomer and counts it.
 */
#include <stdlib.h>
#include <string.h>

#include "detect_int.h"

static struct dhdr *hdr_at(const struct dtab *t, uint32_t ref)
{
	return ref ? (struct dhdr *)(t->pool + (size_t)(ref - 1) * t->esize)
		   : NULL;
}

static uint32_t ref_of(const struct dtab *t, const void *e)
{
	return (uint32_t)(((const uint8_t *)e - t->pool) / t->esize) + 1;
}

void *dtab_at(const struct dtab *t, uint32_t idx)
{
	return idx < t->used ? hdr_at(t, idx + 1) : NULL;
}

uint32_t dtab_index(const struct dtab *t, const void *e)
{
	return ref_of(t, e) - 1;
}

int dtab_init(struct dtab *t, uint32_t cap, size_t esize,
	      const struct dkey_hash *hk, uint32_t salt)
{
	uint32_t nb = 16;

	memset(t, 0, sizeof(*t));
	if (cap == 0 || cap > (1u << 24) || esize < sizeof(struct dhdr))
		return -1;
	while (nb < cap)
		nb <<= 1;
	t->esize = esize;
	t->cap = cap;
	t->mask = nb - 1;
	t->hk = hk;
	t->salt = salt;
	t->pool = calloc(cap, esize);
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->door = calloc(DOOR_SLOTS, sizeof(*t->door));
	if (!t->pool || !t->buckets || !t->door) {
		dtab_free(t);
		return -1;
	}
	return 0;
}

size_t dtab_footprint(uint32_t cap, size_t esize)
{
	size_t nb = 16;

	while (nb < cap)
		nb <<= 1;
	return (size_t)cap * esize + nb * sizeof(uint32_t) +
	       DOOR_SLOTS * sizeof(uint32_t);
}

void dtab_free(struct dtab *t)
{
	free(t->pool);
	free(t->buckets);
	free(t->door);
	t->pool = NULL;
	t->buckets = NULL;
	t->door = NULL;
}

static uint64_t key_hash(const struct dtab *t, const struct dkey *k)
{
	return dhash(t->hk, k, sizeof(*k)) ^ t->salt;
}

/* The list functions take the entry's ref, which the callers mostly
 * hold: ref_of() is a division by the entry size. */
static void lru_unlink(struct dtab *t, uint32_t ref)
{
	struct dhdr *e = hdr_at(t, ref);
	struct dhdr *p = hdr_at(t, e->prev), *n = hdr_at(t, e->next);

	if (!p && t->head != ref)
		return;         /* not on the list (pinned) */
	if (p)
		p->next = e->next;
	else
		t->head = e->next;
	if (n)
		n->prev = e->prev;
	else
		t->tail = e->prev;
	e->prev = e->next = 0;
}

static void lru_append(struct dtab *t, uint32_t ref)
{
	struct dhdr *e = hdr_at(t, ref);

	e->prev = t->tail;
	e->next = 0;
	if (t->tail)
		hdr_at(t, t->tail)->next = ref;
	else
		t->head = ref;
	t->tail = ref;
}

static void hash_remove(struct dtab *t, uint32_t ref)
{
	struct dhdr *e = hdr_at(t, ref);
	uint32_t *link = &t->buckets[key_hash(t, &e->key) & t->mask];

	while (*link && *link != ref)
		link = &hdr_at(t, *link)->hnext;
	if (*link)
		*link = e->hnext;
	e->hnext = 0;
}

/*
 * The entry found last, when it holds k: segments and events come in runs
 * for one server (its SYNs, its SYN-ACKs, their events), so this spares
 * most lookups their hash. Every entry in the pool is live and keys are
 * unique, so a key match is the entry itself; a slot reused for another
 * key simply fails to match.
 */
static uint32_t mru_hit(const struct dtab *t, const struct dkey *k)
{
	return t->mru && memcmp(&hdr_at(t, t->mru)->key, k, sizeof(*k)) == 0
		       ? t->mru : 0;
}

void *dtab_find(struct dtab *t, const struct dkey *k)
{
	uint32_t ref = mru_hit(t, k);
	struct dhdr *e;

	if (ref)
		return hdr_at(t, ref);
	for (ref = t->buckets[key_hash(t, k) & t->mask]; ref; ref = e->hnext) {
		e = hdr_at(t, ref);
		if (memcmp(&e->key, k, sizeof(*k)) == 0) {
			t->mru = ref;
			return e;
		}
	}
	return NULL;
}

/* A key found: it becomes the most recently used. */
static struct dhdr *found(struct dtab *t, uint32_t ref)
{
	struct dhdr *e = hdr_at(t, ref);

	if (!e->pins && t->tail != ref) {
		lru_unlink(t, ref);
		lru_append(t, ref);
	}
	t->mru = ref;
	return e;
}

/* True on the key's second sighting (or a fingerprint collision, which
 * only admits a key one sighting early). */
static bool door_pass(struct dtab *t, uint64_t h)
{
	uint32_t *slot = &t->door[h & (DOOR_SLOTS - 1)];
	uint32_t fp = (uint32_t)(h >> 32) | 1u;

	if (*slot == fp) {
		*slot = 0;
		return true;
	}
	*slot = fp;
	return false;
}

/* A zeroed entry for a new key: its ref, 0 when every entry is pinned. */
static uint32_t take(struct dtab *t, void (*evict_fn)(void *, void *),
		     void *ctx)
{
	uint32_t ref;

	if (t->free_head) {
		ref = t->free_head;
		t->free_head = hdr_at(t, ref)->hnext;
	} else if (t->used < t->cap) {
		ref = ++t->used;
	} else {
		ref = t->head;
		if (!ref) {
			t->refused++;
			return 0;
		}
		if (evict_fn)
			evict_fn(ctx, hdr_at(t, ref));
		lru_unlink(t, ref);
		hash_remove(t, ref);
		t->evicted++;
		t->count--;
	}
	memset(hdr_at(t, ref), 0, t->esize);
	return ref;
}

void *dtab_get(struct dtab *t, const struct dkey *k, bool admit,
	       bool *created, void (*evict_fn)(void *ctx, void *e),
	       void *ctx)
{
	uint32_t ref = mru_hit(t, k);
	struct dhdr *e;

	if (created)
		*created = false;
	if (ref)
		return found(t, ref);

	uint64_t h = key_hash(t, k);
	uint32_t *bucket = &t->buckets[h & t->mask];

	for (ref = *bucket; ref; ref = e->hnext) {
		e = hdr_at(t, ref);
		if (memcmp(&e->key, k, sizeof(*k)) == 0)
			return found(t, ref);
	}
	if (!admit || !door_pass(t, h))
		return NULL;
	ref = take(t, evict_fn, ctx);
	if (!ref)
		return NULL;
	e = hdr_at(t, ref);
	e->key = *k;
	e->used = true;
	/* the eviction may have emptied this very bucket's chain head */
	bucket = &t->buckets[h & t->mask];
	e->hnext = *bucket;
	*bucket = ref;
	lru_append(t, ref);
	t->count++;
	t->mru = ref;
	if (created)
		*created = true;
	return e;
}

void dtab_pin(struct dtab *t, void *p)
{
	struct dhdr *e = p;

	if (e->pins++ == 0)
		lru_unlink(t, ref_of(t, e));
}

void dtab_unpin(struct dtab *t, void *p)
{
	struct dhdr *e = p;

	if (e->pins && --e->pins == 0)
		lru_append(t, ref_of(t, e));
}
