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

struct flow_table {
	struct flow_config cfg;
	struct flow_entry *pool;
	uint32_t pool_used;     /* entries ever handed out (bump pointer) */
	uint32_t free_head;     /* freed entries, chained through hnext */
	uint32_t *buckets;
	uint32_t bucket_mask;
	struct flow_order *order; /* scratch for finish(), max_flows long */
	struct flow_list_head lists[LIST__COUNT];
	uint64_t k0, k1;
	int64_t now;
	uint64_t next_id;
	struct flow_table_stats st;
	struct flow_sub subs[FLOW_MAX_SUBSCRIBERS];
	unsigned nsubs;
	struct flow_packet_info last;
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
}

static struct flow_entry *entry_at(const struct flow_table *t, uint32_t ref)
{
	return ref ? &t->pool[ref - 1] : NULL;
}

static uint32_t ref_of(const struct flow_table *t, const struct flow_entry *e)
{
	return (uint32_t)(e - t->pool) + 1;
}

struct flow_table *flow_table_create(const struct flow_config *c)
{
	struct flow_table *t;
	uint32_t nb = 16;

	if (!c || c->max_flows == 0 || c->max_flows > MAX_FLOWS_LIMIT)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *c;
	if (t->cfg.max_half_open > t->cfg.max_flows)
		t->cfg.max_half_open = t->cfg.max_flows;
	while (nb < c->max_flows)
		nb <<= 1;
	t->bucket_mask = nb - 1;
	t->pool = calloc(c->max_flows, sizeof(*t->pool));
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->order = calloc(c->max_flows, sizeof(*t->order));
	if (!t->pool || !t->buckets || !t->order)
		goto fail;
	t->k0 = c->fixed_seed ? c->seed : flow_seed_draw();
	/* the second half of the SipHash key, derived (splitmix64) */
	t->k1 = t->k0 + UINT64_C(0x9e3779b97f4a7c15);
	t->k1 = (t->k1 ^ (t->k1 >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	t->k1 = (t->k1 ^ (t->k1 >> 27)) * UINT64_C(0x94d049bb133111eb);
	t->k1 ^= t->k1 >> 31;
	t->next_id = 1;
	return t;
fail:
	flow_table_destroy(t);
	return NULL;
}

void flow_table_destroy(struct flow_table *t)
{
	if (!t)
		return;
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

/*
 * Subscribers run synchronously, in the middle of a flow_table_packet(),
 * flow_table_finish() or an eviction: they may read (stats, foreach) but
 * must not feed the table or destroy it.
 */
static void emit(const struct flow_table *t, const struct flow_entry *e,
		 enum flow_event_type type, enum flow_side from, int64_t ts)
{
	struct flow_event ev = {
		.type = type, .ts_ns = ts, .from = from, .conn = &e->c.rec,
	};

	for (unsigned i = 0; i < t->nsubs; i++)
		t->subs[i].fn(t->subs[i].ctx, &ev);
}

static void list_unlink(struct flow_table *t, struct flow_entry *e)
{
	struct flow_list_head *l = &t->lists[e->list];
	struct flow_entry *p = entry_at(t, e->prev), *n = entry_at(t, e->next);

	if (p)
		p->next = e->next;
	else
		l->head = e->next;
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
	if (l->tail)
		entry_at(t, l->tail)->next = ref;
	else
		l->head = ref;
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

static uint32_t *bucket_of(struct flow_table *t, const struct flow_key *k)
{
	return &t->buckets[flow_key_hash(k, t->k0, t->k1) & t->bucket_mask];
}

static struct flow_entry *lookup(struct flow_table *t,
				 const struct flow_key *k)
{
	struct flow_entry *e = entry_at(t, *bucket_of(t, k));

	for (; e; e = entry_at(t, e->hnext))
		if (memcmp(&e->key, k, sizeof(*k)) == 0)
			return e;
	return NULL;
}

static void hash_remove(struct flow_table *t, struct flow_entry *e)
{
	uint32_t *link = bucket_of(t, &e->key), ref = ref_of(t, e);

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

static int64_t list_timeout(const struct flow_table *t, enum flow_list l)
{
	switch (l) {
	case LIST_SYN:
		return t->cfg.syn_timeout_ns;
	case LIST_HALF:
		return t->cfg.half_open_idle_ns;
	case LIST_OPEN:
		return t->cfg.idle_ns;
	default:
		return t->cfg.closed_linger_ns;
	}
}

static bool is_expired(const struct flow_table *t, const struct flow_entry *e,
		       int64_t now)
{
	return ns_sub(now, e->c.rec.last_ns) > list_timeout(t, e->list);
}

/* Ends an entry whose time is up: a timeout, or the end of its linger. */
static void expire(struct flow_table *t, struct flow_entry *e)
{
	if (e->list == LIST_CLOSED)
		retire(t, e, END_LINGER, false);
	else
		retire(t, e, END_IDLE, true);
}

/* Bounded sweep: at most EXPIRE_PER_CALL heads of each list. */
static void expire_some(struct flow_table *t)
{
	for (int l = 0; l < LIST__COUNT; l++) {
		for (int n = 0; n < EXPIRE_PER_CALL; n++) {
			struct flow_entry *e = entry_at(t, t->lists[l].head);

			if (!e || !is_expired(t, e, t->now))
				break;
			expire(t, e);
		}
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
	memset(e, 0, sizeof(*e));
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

static void fill_pkt(struct flow_pkt *pk, const struct decoded_packet *p,
		     int64_t ts)
{
	memset(pk, 0, sizeof(*pk));
	pk->ts = ts;
	pk->seq = p->tcp.seq;
	pk->ack = p->tcp.ack;
	pk->len = p->tcp.payload_len;
	pk->ip_len = p->ip.total_len;
	pk->flags = p->tcp.flags;
	pk->win = p->tcp.win;
	pk->ip_id = p->ip.id;
	pk->ip_version = p->ip.version;
	pk->csum_bad = p->tcp.csum == CSUM_BAD;
	pk->opts = &p->tcp.opts;
}

/* A first packet that makes a half-open entry (see conn_list()). */
static bool starts_half_open(const struct flow_pkt *pk)
{
	return !(pk->flags & TCP_RST);
}

static struct flow_entry *create(struct flow_table *t,
				 const struct decoded_packet *p,
				 const struct flow_key *k, bool src_lo,
				 struct flow_pkt *pk)
{
	struct flow_entry *e = admit(t, starts_half_open(pk));
	bool guessed;
	bool sender_orig;

	if (!e)
		return NULL;
	sender_orig = conn_pick_orig(p, &guessed);
	e->key = *k;
	e->orig_is_lo = sender_orig == src_lo;
	conn_init(&e->c, p, pk, sender_orig, guessed, t->next_id++);
	e->hnext = *bucket_of(t, k);
	*bucket_of(t, k) = ref_of(t, e);
	list_append(t, e, LIST_HALF);
	t->st.active++;
	t->st.created++;
	return e;
}

static void note_last(struct flow_table *t, const struct flow_entry *e,
		      const struct flow_pkt *pk, uint32_t analysis)
{
	const struct flow_dir *fwd = &e->c.d[pk->from];
	const struct flow_dir *rev = &e->c.d[!pk->from];
	struct flow_packet_info *l = &t->last;

	l->conn_id = e->c.rec.id;
	l->from = pk->from == D_ORIG ? SIDE_ORIG : SIDE_RESP;
	l->rel_seq_known = fwd->syn_seen;
	l->rel_seq = fwd->syn_seen ? pk->seq - fwd->isn : pk->seq;
	l->rel_ack_known = rev->syn_seen && (pk->flags & TCP_ACK);
	l->rel_ack = l->rel_ack_known ? pk->ack - rev->isn : pk->ack;
	l->analysis = analysis;
}

void flow_table_last_packet(const struct flow_table *t,
			    struct flow_packet_info *out)
{
	if (t && out)
		*out = t->last;
}

void flow_table_packet(struct flow_table *t, const struct decoded_packet *p,
		       int64_t ts_ns)
{
	struct flow_key k;
	struct flow_pkt pk;
	struct flow_evq q = { 0 };
	struct flow_entry *e;
	bool src_lo, reused = false, reused_tw = false;

	if (!t)
		return;
	t->last.conn_id = 0;
	if (!p || (p->ip.version != 4 && p->ip.version != 6))
		return;
	if (ts_ns > t->now)
		t->now = ts_ns;
	expire_some(t);
	src_lo = flow_key_build(p, &k);
	fill_pkt(&pk, p, ts_ns);
	e = lookup(t, &k);
	if (e && is_expired(t, e, t->now)) {
		expire(t, e);
		e = NULL;
	}
	if (e) {
		pk.from = src_lo == e->orig_is_lo ? D_ORIG : D_RESP;
		if (conn_is_reuse(&e->c, &pk)) {
			reused = true;
			reused_tw = conn_reuse_after_close(&e->c);
			t->st.reused++;
			retire(t, e, END_INPUT, false);
			e = NULL;
		}
	}
	if (!e) {
		e = create(t, p, &k, src_lo, &pk);
		if (!e)
			return;
		pk.from = src_lo == e->orig_is_lo ? D_ORIG : D_RESP;
		e->c.rec.reused = reused;
		e->c.rec.reused_time_wait = reused_tw;
	}
	note_last(t, e, &pk, conn_packet(&e->c, &pk, &q));
	enum flow_list l = conn_list(&e->c);
	/* Already the most recent of its list (a burst of one connection):
	 * moving it would only touch its neighbours' cache lines. */
	if (e->list != l || t->lists[l].tail != ref_of(t, e)) {
		list_unlink(t, e);
		list_append(t, e, l);
	}
	update_gauges(t);
	for (unsigned i = 0; i < q.n; i++)
		emit(t, e, q.ev[i].type, q.ev[i].from, ts_ns);
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
	*s = t->st;
	s->half_open = half_open_count(t);
}

void flow_table_foreach(const struct flow_table *t,
			void (*fn)(void *ctx, const struct conn_record *c),
			void *ctx)
{
	if (!t || !fn)
		return;
	for (int l = 0; l < LIST__COUNT; l++) {
		const struct flow_entry *e = entry_at(t, t->lists[l].head);

		for (; e; e = entry_at(t, e->next))
			fn(ctx, &e->c.rec);
	}
}
