/*
 * The connection table: a hash of canonical keys over a pool of entries,
 * all allocated once in flow_table_create(); nothing is allocated per
 * packet. Chains and lists hold 32-bit indexes (index + 1, 0 = none), so
 * calloc()'s zeroes are already a valid empty table and pool pages the
 * traffic never reaches are never touched.
 *
 * Every entry sits on one of four LRU lists, each with one idle timeout,
 * so the head of a list is always the next of its kind to expire:
 *
 *   SYN     bare SYNs, nothing back yet        syn_timeout_ns
 *   HALF    handshake begun, not completed;    half_open_idle_ns
 *           or one-sided midstream traffic
 *   OPEN    a working two-way connection       idle_ns
 *   CLOSED  both FINs, or an acceptable RST    closed_linger_ns
 *
 * SYN + HALF together are the half-open entries, capped by max_half_open.
 *
 * Admission and eviction policy (the threat is a flood of spoofed SYNs):
 *  1. A new half-open entry over the half-open cap evicts the least
 *     recently used half-open entry, never an open one.
 *  2. When the pool is full: a CLOSED entry goes first (its record is
 *     final; it only waited for stragglers), then the least recently used
 *     half-open entry. An OPEN entry leaves only by timing out: one idle
 *     longer than idle_ns has already been expired by the sweep that runs
 *     before admission, which frees its slot.
 *  3. Otherwise the new connection is refused and counted: a table full
 *     of live connections keeps them.
 *
 * Expiry runs on packet time: each flow_table_packet() call looks at a few
 * list heads (bounded work), an entry found by lookup is checked on the
 * spot, and flow_table_finish() sweeps everything.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "flow_int.h"

#define EXPIRE_PER_CALL 2       /* list heads checked per packet, per list */
#define MAX_FLOWS_LIMIT (1u << 30)

struct flow_list_head {
	uint32_t head, tail;    /* index + 1 */
	uint32_t count;
};

/* finish() sorts what is left by id; the index rides along */
struct flow_order {
	uint64_t id;
	uint32_t idx;
};

struct flow_sub {
	flow_event_fn fn;
	void *ctx;
};

/*
 * Threaded, the caller's thread reads the first fields for every packet
 * and the worker writes most of the rest as often: a cache line of
 * padding keeps the two groups off each other's lines.
 */
struct flow_table {
	struct flow_worker *worker;     /* threaded: see worker.c */
	uint64_t k0, k1;        /* hash key */
	struct flow_sub subs[FLOW_MAX_SUBSCRIBERS];
	unsigned nsubs;
	struct {
		flow_segment_fn fn;
		flow_clock_fn clock;
		uint16_t only;          /* TCP flags fn wants; 0: all */
		void *ctx;
	} observer;
	char pad[64];
	struct flow_config cfg;
	struct flow_entry *pool;
	uint32_t pool_used;     /* entries ever handed out (bump pointer) */
	uint32_t free_head;     /* freed entries, chained through hnext */
	uint32_t *buckets;
	uint32_t bucket_mask;
	struct flow_order *order; /* scratch for finish(), max_flows long */
	struct flow_list_head lists[LIST__COUNT];
	int64_t timeout[LIST__COUNT]; /* idle timeout of each list */
	int64_t expire_at;      /* no list head is due before (expire_some) */
	int64_t now;
	uint64_t next_id;
	struct flow_table_stats st;
	/* the last tracked segment, for flow_table_last_packet(): kept as
	 * given, made into a flow_packet_info only when asked for */
	const struct flow_entry *last_e;
	struct flow_pkt last_pk;
	uint32_t last_analysis;
	bool last_tracked;      /* the very last segment was that one */
};

void flow_config_default(struct flow_config *c)
{
	memset(c, 0, sizeof(*c));
	/* ~1 KB each (about 270 MB reserved, touched only as connections
	 * arrive): room for a busy server's concurrent connections without
	 * asking a laptop for a gigabyte; --max-flows raises it */
	c->max_flows = 262144;
	/* a quarter for handshakes in progress, so a SYN flood can fill
	 * at most that much and leaves the rest to open connections */
	c->max_half_open = c->max_flows / 4;
	/* Zeek's tcp_attempt_delay / tcp_SYN_timeout: 5 s without an
	 * answer makes an attempt "unanswered" (Zeek S0) */
	c->syn_timeout_ns = 5 * NS_PER_S;
	/* a SYN-ACK'd handshake: Linux resends the SYN-ACK after 1, 2, 4,
	 * 8 and 16 s, so 20 s of silence outlasts every retry gap */
	c->half_open_idle_ns = 20 * NS_PER_S;
	/* Zeek's tcp_inactivity_timeout */
	c->idle_ns = 300 * NS_PER_S;
	/* Zeek's tcp_close_delay: resent FINs and the last ACK still land
	 * in the record. Offline, finish() flushes at the end anyway, so
	 * this only delays records of a live capture */
	c->closed_linger_ns = 5 * NS_PER_S;
	c->seed = 0;
	c->fixed_seed = false;
	c->threaded = false;
}

static struct flow_entry *entry_at(const struct flow_table *t, uint32_t ref)
{
	return ref ? &t->pool[ref - 1] : NULL;
}

static uint32_t ref_of(const struct flow_table *t, const struct flow_entry *e)
{
	return (uint32_t)(e - t->pool) + 1;
}

/*
 * The pool and the buckets are reached at random: with 4 KiB pages, the
 * thousands of entries a busy capture keeps in use span more pages than
 * the TLB holds, and most lookups would wait on a page walk. Where the
 * kernel does transparent huge pages on request, these regions ask for
 * them (2 MiB pages: memory still comes as entries are first touched).
 */
static void huge_pages(void *p, size_t len)
{
#if defined(MADV_HUGEPAGE)
	uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);

	if (end > a)
		(void)madvise((void *)a, end - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

static uint32_t bucket_count(uint32_t max_flows)
{
	uint32_t nb = 16;

	while (nb < max_flows)
		nb <<= 1;
	return nb;
}

size_t flow_table_footprint(const struct flow_config *c)
{
	if (!c || c->max_flows == 0 || c->max_flows > MAX_FLOWS_LIMIT)
		return 0;
	return sizeof(struct flow_table) +
	       (size_t)c->max_flows * (sizeof(struct flow_entry) +
				       sizeof(struct flow_order)) +
	       (size_t)bucket_count(c->max_flows) * sizeof(uint32_t);
}

struct flow_table *flow_table_create(const struct flow_config *c)
{
	struct flow_table *t;
	uint32_t nb;

	if (!c || c->max_flows == 0 || c->max_flows > MAX_FLOWS_LIMIT)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *c;
	if (t->cfg.max_half_open > t->cfg.max_flows)
		t->cfg.max_half_open = t->cfg.max_flows;
	nb = bucket_count(c->max_flows);
	t->bucket_mask = nb - 1;
	t->pool = calloc(c->max_flows, sizeof(*t->pool));
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->order = calloc(c->max_flows, sizeof(*t->order));
	if (!t->pool || !t->buckets || !t->order)
		goto fail;
	huge_pages(t->pool, (size_t)c->max_flows * sizeof(*t->pool));
	huge_pages(t->buckets, (size_t)nb * sizeof(*t->buckets));
	t->k0 = c->fixed_seed ? c->seed : flow_seed_draw();
	/* the second half of the SipHash key: derived (splitmix64) from a
	 * fixed seed, so that tests can reproduce a run, but drawn as well
	 * otherwise, for the full 128 bits of key */
	t->k1 = t->k0 + UINT64_C(0x9e3779b97f4a7c15);
	t->k1 = (t->k1 ^ (t->k1 >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	t->k1 = (t->k1 ^ (t->k1 >> 27)) * UINT64_C(0x94d049bb133111eb);
	t->k1 ^= t->k1 >> 31;
	if (!c->fixed_seed)
		t->k1 ^= flow_seed_draw();
	t->next_id = 1;
	t->timeout[LIST_SYN] = t->cfg.syn_timeout_ns;
	t->timeout[LIST_HALF] = t->cfg.half_open_idle_ns;
	t->timeout[LIST_OPEN] = t->cfg.idle_ns;
	t->timeout[LIST_CLOSED] = t->cfg.closed_linger_ns;
	t->expire_at = INT64_MAX;
	if (c->threaded)
		t->worker = worker_start(t);
	return t;
fail:
	flow_table_destroy(t);
	return NULL;
}

void flow_table_destroy(struct flow_table *t)
{
	if (!t)
		return;
	worker_stop(t->worker);
	free(t->pool);
	free(t->buckets);
	free(t->order);
	free(t);
}

int flow_table_subscribe(struct flow_table *t, flow_event_fn fn, void *ctx)
{
	if (!t || !fn || t->nsubs >= FLOW_MAX_SUBSCRIBERS)
		return -1;
	t->subs[t->nsubs].fn = fn;
	t->subs[t->nsubs].ctx = ctx;
	t->nsubs++;
	return 0;
}

int flow_table_observe(struct flow_table *t, flow_segment_fn fn, void *ctx)
{
	return flow_table_observe_some(t, fn, 0, NULL, ctx);
}

int flow_table_observe_some(struct flow_table *t, flow_segment_fn fn,
			    uint16_t only, flow_clock_fn clock, void *ctx)
{
	if (!t || !fn || t->observer.fn || (only && !clock))
		return -1;
	t->observer.fn = fn;
	t->observer.clock = clock;
	t->observer.only = only;
	t->observer.ctx = ctx;
	return 0;
}

/*
 * Subscribers run synchronously, in the middle of a flow_table_packet(),
 * flow_table_finish() or an eviction (threaded, on the worker): they may
 * read (stats, foreach) but must not feed the table or destroy it.
 */
static void emit(struct flow_table *t, const struct flow_entry *e,
		 enum flow_event_type type, enum flow_side from, int64_t ts)
{
	struct flow_event ev = {
		.type = type, .ts_ns = ts, .from = from, .conn = &e->c.rec,
	};

	for (unsigned i = 0; i < t->nsubs; i++)
		t->subs[i].fn(t->subs[i].ctx, &ev);
}

/*
 * Threaded: waits until the worker has applied every queued segment, so
 * the table (and whatever the subscribers keep) can be read, or in
 * finish() changed, on this thread. A subscriber reading the table runs
 * on the worker already and finds it as it is.
 */
static void sync_worker(const struct flow_table *t)
{
	if (t->worker && !worker_is_current(t->worker))
		worker_drain(t->worker);
}

void flow_table_sync(const struct flow_table *t)
{
	if (t)
		sync_worker(t);
}

/* When the entry falls due: is_expired() says now - last_ns > timeout,
 * that is now > last_ns + timeout. */
static int64_t due_at(const struct flow_table *t, const struct flow_entry *e)
{
	return ns_add(e->c.rec.last_ns, t->timeout[e->list]);
}

static void list_unlink(struct flow_table *t, struct flow_entry *e)
{
	struct flow_list_head *l = &t->lists[e->list];
	struct flow_entry *p = entry_at(t, e->prev), *n = entry_at(t, e->next);

	if (p) {
		p->next = e->next;
	} else {
		/* a new head: expire_at must stay a lower bound */
		l->head = e->next;
		if (n && due_at(t, n) < t->expire_at)
			t->expire_at = due_at(t, n);
	}
	if (n)
		n->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = 0;
	l->count--;
}

static void list_append(struct flow_table *t, struct flow_entry *e,
			enum flow_list which)
{
	struct flow_list_head *l = &t->lists[which];
	uint32_t ref = ref_of(t, e);

	e->list = (uint8_t)which;
	e->prev = l->tail;
	e->next = 0;
	if (l->tail) {
		entry_at(t, l->tail)->next = ref;
	} else {
		/* a new head: expire_at must stay a lower bound */
		l->head = ref;
		if (due_at(t, e) < t->expire_at)
			t->expire_at = due_at(t, e);
	}
	l->tail = ref;
	l->count++;
}

static uint32_t half_open_count(const struct flow_table *t)
{
	return t->lists[LIST_SYN].count + t->lists[LIST_HALF].count;
}

static void update_gauges(struct flow_table *t)
{
	t->st.half_open = half_open_count(t);
	if (t->st.active > t->st.peak)
		t->st.peak = t->st.active;
}

static uint32_t *bucket_of(struct flow_table *t, uint32_t hash)
{
	return &t->buckets[hash & t->bucket_mask];
}

/* Keys are compared as raw memory (flow_key_build() zeroes them first),
 * a word at a time rather than through a memcmp() call. */
static bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;
	uint64_t diff = 0, u, v;
	size_t i = 0;

	_Static_assert(sizeof(*a) % 8 == 0, "flow_key is compared by words");
	for (; i < sizeof(*a); i += 8) {
		memcpy(&u, x + i, 8);
		memcpy(&v, y + i, 8);
		diff |= u ^ v;
	}
	return diff == 0;
}

static struct flow_entry *lookup(struct flow_table *t,
				 const struct flow_key *k, uint32_t hash)
{
	struct flow_entry *e = entry_at(t, *bucket_of(t, hash));

	for (; e; e = entry_at(t, e->hnext))
		if (e->hash == hash && key_eq(&e->key, k))
			return e;
	return NULL;
}

static void hash_remove(struct flow_table *t, struct flow_entry *e)
{
	uint32_t *link = bucket_of(t, e->hash), ref = ref_of(t, e);

	while (*link && *link != ref)
		link = &entry_at(t, *link)->hnext;
	if (*link)
		*link = e->hnext;
	e->hnext = 0;
}

/*
 * Emits the final record (an EVICTED or TIMEOUT event first, when that is
 * why) and returns the entry to the pool.
 */
static void retire(struct flow_table *t, struct flow_entry *e,
		   enum flow_end why, bool timed_out)
{
	if (timed_out)
		conn_timeout(&e->c, (enum flow_list)e->list);
	conn_finalize(&e->c, why);
	if (why == END_EVICTED) {
		t->st.evicted++;
		emit(t, e, FLOW_EV_EVICTED, SIDE_NONE, t->now);
	} else if (timed_out) {
		t->st.expired++;
		emit(t, e, FLOW_EV_TIMEOUT, SIDE_NONE, t->now);
	}
	emit(t, e, FLOW_EV_CLOSED, SIDE_NONE, t->now);
	hash_remove(t, e);
	list_unlink(t, e);
	e->hnext = t->free_head;
	t->free_head = ref_of(t, e);
	t->st.active--;
	update_gauges(t);
}

static bool is_expired(const struct flow_table *t, const struct flow_entry *e,
		       int64_t now)
{
	return ns_sub(now, e->c.rec.last_ns) > t->timeout[e->list];
}

/* Ends an entry whose time is up: a timeout, or the end of its linger. */
static void expire(struct flow_table *t, struct flow_entry *e)
{
	if (e->list == LIST_CLOSED)
		retire(t, e, END_LINGER, false);
	else
		retire(t, e, END_IDLE, true);
}

/*
 * Bounded sweep: at most EXPIRE_PER_CALL heads of each list. Most packets
 * find no head due, so expire_at keeps a lower bound of when the first
 * head falls due and the sweep is skipped before it. A head's last_ns
 * only grows, so the bound holds until a head changes, and a new head
 * (list_unlink(), list_append()) lowers it to its own time if need be.
 * After a sweep it is exact again.
 */
static void expire_some(struct flow_table *t)
{
	if (t->now <= t->expire_at)
		return;
	for (int l = 0; l < LIST__COUNT; l++) {
		for (int n = 0; n < EXPIRE_PER_CALL; n++) {
			struct flow_entry *e = entry_at(t, t->lists[l].head);

			if (!e || !is_expired(t, e, t->now))
				break;
			expire(t, e);
		}
	}
	t->expire_at = INT64_MAX;
	for (int l = 0; l < LIST__COUNT; l++) {
		const struct flow_entry *e = entry_at(t, t->lists[l].head);

		if (e && due_at(t, e) < t->expire_at)
			t->expire_at = due_at(t, e);
	}
}

/* The least recently used half-open entry, from SYN or HALF. */
static struct flow_entry *oldest_half_open(const struct flow_table *t)
{
	struct flow_entry *a = entry_at(t, t->lists[LIST_SYN].head);
	struct flow_entry *b = entry_at(t, t->lists[LIST_HALF].head);

	if (!a || !b)
		return a ? a : b;
	return a->c.rec.last_ns <= b->c.rec.last_ns ? a : b;
}

/*
 * Step 2 of the policy: frees one slot of a full pool, or fails. An open
 * connection idle past idle_ns needs no case here: the sweep that starts
 * every flow_table_packet() call has just expired the least recently used
 * one if it was due.
 */
static bool make_room(struct flow_table *t)
{
	struct flow_entry *e = entry_at(t, t->lists[LIST_CLOSED].head);

	if (!e)
		e = oldest_half_open(t);
	if (!e)
		return false;
	retire(t, e, END_EVICTED, false);
	return true;
}

static struct flow_entry *pool_take(struct flow_table *t)
{
	struct flow_entry *e;

	if (t->free_head) {
		e = entry_at(t, t->free_head);
		t->free_head = e->hnext;
	} else if (t->pool_used < t->cfg.max_flows) {
		e = &t->pool[t->pool_used++];
	} else {
		return NULL;
	}
	/* create() sets every field: the key and links here, the
	 * connection in conn_init() */
	return e;
}

/* Applies the admission policy; NULL when the connection is refused. */
static struct flow_entry *admit(struct flow_table *t, bool half_open)
{
	struct flow_entry *e;

	if (half_open && half_open_count(t) >= t->cfg.max_half_open) {
		e = oldest_half_open(t);
		if (!e)
			goto refuse;
		retire(t, e, END_EVICTED, false);
	}
	e = pool_take(t);
	if (!e && make_room(t))
		e = pool_take(t);
	if (e)
		return e;
refuse:
	t->st.refused++;
	return NULL;
}

/* A first packet that makes a half-open entry (see conn_list()). */
static bool starts_half_open(const struct flow_pkt *pk)
{
	return !(pk->flags & TCP_RST);
}

static struct flow_entry *create(struct flow_table *t,
				 const struct flow_seg *s)
{
	struct flow_entry *e = admit(t, starts_half_open(&s->pk));
	bool guessed;
	bool sender_orig;

	if (!e)
		return NULL;
	sender_orig = conn_pick_orig(s, &guessed);
	e->key = s->key;
	e->hash = s->hash;
	e->orig_is_lo = sender_orig == s->src_lo;
	conn_init(&e->c, s, sender_orig, guessed, t->next_id++);
	e->hnext = *bucket_of(t, s->hash);
	*bucket_of(t, s->hash) = ref_of(t, e);
	e->prev = e->next = 0;
	list_append(t, e, LIST_HALF);
	t->st.active++;
	t->st.created++;
	return e;
}

/*
 * What the table made of the last segment. The entry's ISNs and id do not
 * change after its last segment (a retired entry keeps them; only a new
 * segment reuses the slot, and then it is the last one), so working this
 * out when asked gives what working it out then would have.
 */
void flow_table_last_packet(const struct flow_table *t,
			    struct flow_packet_info *out)
{
	if (!t || !out)
		return;
	sync_worker(t);
	memset(out, 0, sizeof(*out));
	if (t->last_e) {
		const struct flow_pkt *pk = &t->last_pk;
		const struct flow_dir *fwd = &t->last_e->c.d[pk->from];
		const struct flow_dir *rev = &t->last_e->c.d[!pk->from];

		out->conn_id = t->last_e->c.rec.id;
		out->from = pk->from == D_ORIG ? SIDE_ORIG : SIDE_RESP;
		out->rel_seq_known = fwd->syn_seen;
		out->rel_seq = fwd->syn_seen ? pk->seq - fwd->isn : pk->seq;
		out->rel_ack_known = rev->syn_seen && (pk->flags & TCP_ACK);
		out->rel_ack = out->rel_ack_known ? pk->ack - rev->isn
						  : pk->ack;
		out->analysis = t->last_analysis;
	}
	/* a segment not tracked leaves the rest as the one before it */
	if (!t->last_tracked)
		out->conn_id = 0;
}

/* The observer's view of a segment: the sender's address is the key's
 * lo one when src_lo says so. */
static void observe(struct flow_table *t, const struct flow_seg *s)
{
	const struct flow_key *k = &s->key;
	struct flow_segment v = {
		.ts_ns = s->pk.ts,
		.ip_version = s->pk.ip_version,
		.src = s->src_lo ? k->lo_addr : k->hi_addr,
		.dst = s->src_lo ? k->hi_addr : k->lo_addr,
		.sport = s->sport,
		.dport = s->dport,
		.seq = s->pk.seq,
		.ack = s->pk.ack,
		.flags = s->pk.flags,
		.opt_present = s->pk.opt_present,
		.opt_wscale = s->pk.opt_wscale,
		.opt_tsval = s->pk.opt_tsval,
	};

	t->observer.fn(t->observer.ctx, &v);
}

/*
 * One segment through the table: expiry, lookup (or 4-tuple reuse, or
 * admission), the connection's own state, its LRU list, its events.
 */
static void table_segment(struct flow_table *t, const struct flow_seg *s)
{
	struct flow_pkt seg_pk;
	struct flow_pkt *pk = &seg_pk;
	struct flow_evq q;
	struct flow_entry *e;
	bool reused = false, reused_tw = false;

	t->last_tracked = false;
	if (!s->tracked)
		return;
	if (t->observer.fn) {
		if (!t->observer.only || (s->pk.flags & t->observer.only))
			observe(t, s);
		else
			t->observer.clock(t->observer.ctx, s->pk.ts);
	}
	/* a copy: threaded, the queue slot is not written by the worker, so
	 * its cache line need not come back for the next segment */
	seg_pk = s->pk;
	if (pk->ts > t->now)
		t->now = pk->ts;
	q.n = 0;
	expire_some(t);
	e = lookup(t, &s->key, s->hash);
	if (e && is_expired(t, e, t->now)) {
		expire(t, e);
		e = NULL;
	}
	if (e) {
		pk->from = s->src_lo == e->orig_is_lo ? D_ORIG : D_RESP;
		if (conn_is_reuse(&e->c, pk)) {
			reused = true;
			reused_tw = conn_reuse_after_close(&e->c);
			t->st.reused++;
			retire(t, e, END_INPUT, false);
			e = NULL;
		}
	}
	if (!e) {
		e = create(t, s);
		if (!e)
			return;
		pk->from = s->src_lo == e->orig_is_lo ? D_ORIG : D_RESP;
		e->c.rec.reused = reused;
		e->c.rec.reused_time_wait = reused_tw;
	}
	t->last_analysis = conn_packet(&e->c, pk, &q);
	t->last_e = e;
	t->last_pk = *pk;
	t->last_tracked = true;
	enum flow_list l = conn_list(&e->c);
	/* Already the most recent of its list (a burst of one connection):
	 * moving it would only touch its neighbours' cache lines. */
	if (e->list != l || t->lists[l].tail != ref_of(t, e)) {
		list_unlink(t, e);
		list_append(t, e, l);
	}
	update_gauges(t);
	if (q.n)
		conn_sync(&e->c);
	for (unsigned i = 0; i < q.n; i++)
		emit(t, e, q.ev[i].type, q.ev[i].from, pk->ts);
}

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH_R(p) __builtin_prefetch((p), 0)
#else
#define PREFETCH_R(p) ((void)(p))
#endif

/*
 * The one loop around table_segment(), which is inlined here: the
 * registers it uses are saved once for a batch of segments, not once for
 * each. A slot's lines were last written by the other thread; asked for
 * SEGS_AHEAD slots ahead, they are there when they are needed.
 */
#define SEGS_AHEAD 16u

void table_segments(struct flow_table *t, const struct flow_seg *segs,
		    uint32_t mask, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i != to; i++) {
		if (to - i > SEGS_AHEAD) {
			const char *n = (const char *)&segs[(i + SEGS_AHEAD) &
							   mask];

			for (size_t off = 0; off < sizeof(*segs); off += 64)
				PREFETCH_R(n + off);
		}
		table_segment(t, &segs[i & mask]);
	}
}

void flow_table_packet(struct flow_table *t, const struct decoded_packet *p,
		       int64_t ts_ns)
{
	struct flow_seg s;

	if (!t)
		return;
	/* threaded, the key and its hash are made here, which evens out
	 * the work of the two threads, straight into the queue's slot (one
	 * call site, inlined with link-time optimisation) */
	flow_seg_build(t->worker ? worker_slot(t->worker) : &s, p, ts_ns, t->k0,
		       t->k1);
	if (t->worker) {
		worker_commit(t->worker);
		return;
	}
	table_segments(t, &s, 0, 0, 1);
}

static int by_id(const void *a, const void *b)
{
	const struct flow_order *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Everything still held is emitted, in order of creation. */
void flow_table_finish(struct flow_table *t, int64_t now_ns)
{
	uint32_t n = 0;

	if (!t)
		return;
	/* threaded: the worker is idle from here on, and the subscribers
	 * run on this thread */
	sync_worker(t);
	if (now_ns > t->now)
		t->now = now_ns;
	for (int l = 0; l < LIST__COUNT; l++) {
		struct flow_entry *e = entry_at(t, t->lists[l].head);

		for (; e; e = entry_at(t, e->next)) {
			t->order[n].id = e->c.rec.id;
			t->order[n].idx = ref_of(t, e) - 1;
			n++;
		}
	}
	qsort(t->order, n, sizeof(t->order[0]), by_id);
	for (uint32_t i = 0; i < n; i++) {
		struct flow_entry *e = &t->pool[t->order[i].idx];

		if (is_expired(t, e, t->now))
			expire(t, e);
		else
			retire(t, e, END_INPUT, false);
	}
}

void flow_table_stats(const struct flow_table *t, struct flow_table_stats *s)
{
	if (!t || !s)
		return;
	sync_worker(t);
	*s = t->st;
	s->half_open = half_open_count(t);
}

void flow_table_foreach(const struct flow_table *t,
			void (*fn)(void *ctx, const struct conn_record *c),
			void *ctx)
{
	if (!t || !fn)
		return;
	sync_worker(t);
	for (int l = 0; l < LIST__COUNT; l++) {
		struct flow_entry *e = entry_at(t, t->lists[l].head);

		/* the pool is not const: records are synced on the way out */
		for (; e; e = entry_at(t, e->next)) {
			conn_sync(&e->c);
			fn(ctx, &e->c.rec);
		}
	}
}
