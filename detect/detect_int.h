/*
 * detect/'s building blocks, each a small structure with pure functions so
 * the unit tests can drive them one at a time:
 *
 *   keyed hash   SipHash-1-3 with a seed drawn at creation
 *   hll          HyperLogLog distinct count, 2^HLL_P one-byte registers
 *   topk         space-saving heavy hitters over addresses (and ports)
 *   lcount       linear counting bitmap (distinct ports of one scanner)
 *   cusum        the non-parametric CUSUM of Wang, Zhang and Shin
 *   hyst         raise / hold / clear with hysteresis
 *   dwin         per-entity counters over a sliding window of buckets
 *   dtab         a fixed-capacity keyed table with LRU eviction, pinning
 *                and a doorkeeper that admits a key on its second sighting
 *
 * Nothing here allocates after creation, and only the C library and math.h
 * are used (detect/ must build with mingw-w64 too).
 */
#ifndef SYNSCOPE_DETECT_INT_H
#define SYNSCOPE_DETECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"

/*
 * Keeps a path that most segments do not take out of the function the
 * others go through, so they do not pay for its registers and stack frame
 * (a static function called once is otherwise always inlined).
 */
#if defined(__GNUC__) || defined(__clang__)
#define DETECT_NOINLINE __attribute__((noinline))
#else
#define DETECT_NOINLINE
#endif

/* Keyed hash */

struct dkey_hash {
	uint64_t k0, k1;
};

uint64_t dhash(const struct dkey_hash *k, const void *data, size_t len);

/* HyperLogLog (Flajolet et al. 2007, with the linear-counting range of
 * Heule et al. 2013): standard error 1.04 / sqrt(2^HLL_P) = 3.25%. */

#define HLL_P 10
#define HLL_M (1u << HLL_P)

struct hll {
	uint8_t reg[HLL_M];
};

void hll_reset(struct hll *h);
void hll_add(struct hll *h, uint64_t hash);
double hll_estimate(const struct hll *h);

/* Space-saving (Metwally, Agrawal and El Abbadi 2005): TOPK_SLOTS
 * counters; any key with more than N / TOPK_SLOTS of N updates is held,
 * and a held count overestimates by at most its `err`. */

#define TOPK_SLOTS 8

struct topk_entry {
	struct detect_addr key;
	uint64_t count;
	uint64_t err;
};

struct topk {
	unsigned n;
	struct topk_entry e[TOPK_SLOTS];
};

void topk_reset(struct topk *t);
void topk_add(struct topk *t, const struct detect_addr *key, uint64_t inc);
/* Copies up to max keys with the largest guaranteed counts (count - err),
 * largest first, those counts in out[].count; returns how many. */
unsigned topk_top(const struct topk *t, struct detect_source *out,
		  unsigned max);

struct topk16_entry {
	uint16_t key;
	bool used;
	uint64_t count;
};

struct topk16 {
	struct topk16_entry e[TOPK_SLOTS];
};

void topk16_reset(struct topk16 *t);
void topk16_add(struct topk16 *t, uint16_t key);
uint64_t topk16_max(const struct topk16 *t);

/* Linear counting (Whang et al. 1990) over LCOUNT_BITS bits: good to a
 * few thousand distinct values, saturating above. */

#define LCOUNT_BITS 1024

struct lcount {
	uint64_t bits[LCOUNT_BITS / 64];
};

void lcount_reset(struct lcount *l);
void lcount_add(struct lcount *l, uint64_t hash);
double lcount_estimate(const struct lcount *l);

/*
 * Non-parametric CUSUM. Per step n: X = (S - R) / max(Fbar, R, floor),
 * y = max(0, y + X - a); alarm while y > h. S counts SYNs, R the
 * responses they are paired with, Fbar is the running average of R
 * (beta per step), learned only while there is no alarm so a flood does
 * not teach it. y is capped at 2h so the statistic falls back under h
 * within h / a steps once the excess stops.
 */
struct cusum {
	double y;
	double fbar;
	bool primed;
	bool alarm;
};

void cusum_reset(struct cusum *c);
bool cusum_step(struct cusum *c, double syns, double responses,
		double floor, double a, double h, double beta);

/*
 * Hysteresis: IDLE -> PENDING when the raise condition holds; -> ACTIVE
 * (HYST_RAISE) once it has held for raise_ns; ACTIVE -> CLEARING when the
 * (lower) calm condition holds; -> IDLE (HYST_CLEAR) after calm_ns of
 * calm, and never before hold_ns since the raise. Calm that breaks goes
 * back to ACTIVE.
 */
enum hyst_state { HY_IDLE = 0, HY_PENDING, HY_ACTIVE, HY_CLEARING };
enum hyst_event { HYST_NONE = 0, HYST_RAISE, HYST_CLEAR };

struct hyst {
	enum hyst_state state;
	int64_t since;          /* PENDING: first raise; CLEARING: calm start */
	int64_t raised;         /* ACTIVE and CLEARING: when raised */
};

void hyst_reset(struct hyst *h);
enum hyst_event hyst_step(struct hyst *h, bool raise, bool calm, int64_t now,
			  int64_t raise_ns, int64_t hold_ns, int64_t clear_ns);
bool hyst_active(const struct hyst *h);

/* Sliding window: DWIN_BUCKETS buckets of interval_ns each. */

#define DWIN_BUCKETS 10

enum dctr {
	DC_SYN = 0,             /* new connection attempts */
	DC_SYN_RETX,            /* SYNs resent by their sender */
	DC_SYNACK,              /* first SYN-ACKs */
	DC_SYNACK_RETX,         /* SYN-ACKs resent */
	DC_REFUSED,             /* RSTs answering SYNs */
	DC_COMPLETED,           /* handshakes completed */
	DC_UNSOL_SA,            /* unsolicited SYN-ACKs (backscatter) */
	DC_UNSOL_RST,           /* unsolicited RSTs (backscatter) */
	DC_CK_TS_N,             /* SYN-ACKs with a timestamp, SYN seen with one */
	DC_CK_TS_MATCH,         /* ... whose TSval low 6 bits encode options */
	DC_CK_OPT_N,            /* SYN-ACKs to a SYN with wscale/SACK, no TS */
	DC_CK_OPT_DROP,         /* ... carrying neither wscale nor SACK */
	DC__COUNT
};

struct dwin {
	uint32_t b[DWIN_BUCKETS][DC__COUNT];
	uint64_t sum[DC__COUNT];        /* over all buckets, current included */
	uint64_t total[DC__COUNT];      /* since creation */
	unsigned cur;
	int64_t end;                    /* end of the current bucket */
};

void dwin_init(struct dwin *w, int64_t now, int64_t interval_ns);
void dwin_add(struct dwin *w, enum dctr c, uint32_t n);
/* Starts the next bucket (the oldest one leaves the window). */
void dwin_rotate(struct dwin *w, int64_t interval_ns);
void dwin_clear(struct dwin *w);

/* Keyed table */

struct dkey {
	uint8_t version;        /* 4 or 6 */
	uint8_t has_port;
	uint16_t port;
	uint8_t a[16];          /* the target, host or scanned host */
	uint8_t b[16];          /* the scanner (source pairs), else zero */
};

/* Every entry starts with this header. */
struct dhdr {
	struct dkey key;
	uint32_t hnext;         /* index + 1 */
	uint32_t prev, next;    /* LRU list, index + 1; off it while pinned */
	uint32_t pins;
	bool used;
};

#define DOOR_SLOTS (1u << 16)

struct dtab {
	uint8_t *pool;
	size_t esize;
	uint32_t cap, used, free_head;
	uint32_t mru;           /* the entry found last (see mru_hit) */
	uint32_t *buckets;
	uint32_t mask;
	uint32_t head, tail;    /* LRU: head is the least recently used */
	uint32_t count;
	uint64_t evicted;       /* entries pushed out for a newer key */
	uint64_t refused;       /* keys not admitted: every entry pinned */
	uint32_t *door;         /* fingerprints of keys seen once */
	const struct dkey_hash *hk;
	uint32_t salt;          /* keeps the tables' doorkeepers apart */
};

/* Bytes dtab_init(t, cap, esize, ...) takes. */
size_t dtab_footprint(uint32_t cap, size_t esize);
int dtab_init(struct dtab *t, uint32_t cap, size_t esize,
	      const struct dkey_hash *hk, uint32_t salt);
void dtab_free(struct dtab *t);
void *dtab_find(struct dtab *t, const struct dkey *k);
/*
 * Finds k; when absent and `admit`, takes an entry for it (zeroed past the
 * header) on the key's second sighting, evicting the least recently used
 * unpinned entry if the table is full. *created tells a new entry. Found
 * or created, the entry becomes the most recently used. NULL when not
 * (yet) admitted. `evict_fn` is told about each eviction first.
 */
void *dtab_get(struct dtab *t, const struct dkey *k, bool admit,
	       bool *created, void (*evict_fn)(void *ctx, void *e),
	       void *ctx);
void dtab_pin(struct dtab *t, void *e);
void dtab_unpin(struct dtab *t, void *e);
void *dtab_at(const struct dtab *t, uint32_t idx);
uint32_t dtab_index(const struct dtab *t, const void *e);

/* Helpers shared by detect.c and verdict.c */

void dkey_target(struct dkey *k, uint8_t version, const uint8_t *addr,
		 uint16_t port);
void dkey_host(struct dkey *k, uint8_t version, const uint8_t *addr);
void dkey_pair(struct dkey *k, uint8_t version, const uint8_t *host,
	       const uint8_t *scanner);
void daddr_set(struct detect_addr *a, uint8_t version, const uint8_t *addr);

/* The detector's own state, shared by detect.c and verdict.c */

/* A target (server ip:port) or a host (server ip). */
struct dent {
	struct dhdr h;
	struct dwin w;
	struct cusum cs;
	struct hyst flood, cookie, bscat;
	uint32_t flood_alert, cookie_alert, bscat_alert; /* slot + 1 */
	uint32_t half_open, peak_half_open;
	bool echoed_opts;       /* a SYN-ACK echoed wscale or SACK-permitted */
	int64_t last_pressure;  /* last bucket end with flood pressure */
	int64_t weak_since;     /* weak flood evidence since (INT64_MIN: none) */
	int64_t last_hot;       /* last bucket whose own excess was a flood's */
	int64_t bs_last_hot;    /* ... whose own replies were backscatter's */
	uint64_t sketch_n;      /* SYNs (replies, for backscatter) sketched */
	struct hll hll;
	struct topk top;
	struct topk16 ports;    /* hosts: SYNs per port */
	struct lcount portset;  /* hosts: distinct ports */
};

/* One source towards one host: a scan is many ports. */
struct dpair {
	struct dhdr h;
	struct lcount ports;
	uint64_t syns, completed, refused;
	int64_t win_start, last_syn;
	uint32_t alert;         /* slot + 1 */
};

enum dkind { DK_TARGET = 0, DK_HOST, DK_PAIR };

struct aslot {
	bool used;
	enum dkind kind;
	uint32_t ent;           /* index in its table */
	struct detect_alert rec;
	uint64_t base[DC__COUNT]; /* the entity's totals when it started */
	uint64_t base_retx;
	int64_t last_emit;
	double peak_rate;
	double peak_reply_rate;
};

struct synfp {
	uint32_t tag;           /* 0: empty */
	uint32_t t_ms;          /* packet time, ms (wraps; differences only) */
	uint8_t info;           /* SYNs: FPI_* bits */
};

#define FPI_VALID 0x80u
#define FPI_TS 0x40u
#define FPI_ECN 0x20u
#define FPI_SACK 0x10u
#define FPI_WS_MASK 0x0fu      /* the SYN's window scale, 15 = none */

struct detect_sub {
	detect_alert_fn fn;
	void *ctx;
};

/* What detect_flow_segment() made of the last SYN-ACK or RST, for the flow
 * event the same segment causes next: a reply with no SYN in the flow
 * table is backscatter only if no SYN for it and no earlier copy of it
 * went by either (the table may have evicted the connection). */
struct dlastrep {
	bool set;
	bool fresh;             /* no SYN and no earlier copy seen */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

struct detect {
	struct detect_config cfg;
	struct dlastrep lastrep;
	struct dkey_hash hk;
	struct dtab targets, hosts, pairs;
	struct synfp *fp;
	uint32_t fp_mask;
	bool ho_spread;         /* else ho_count ids packed at the start */
	uint64_t *ho;           /* conn ids whose server is in SYN-RECEIVED */
	uint32_t ho_mask, ho_count;
	uint64_t ho_untracked;
	struct aslot *slots;
	uint32_t nactive;
	struct detect_alert *ended; /* ring of the most recent DE_END */
	uint32_t ended_n, ended_next;
	struct detect_sub subs[DETECT_MAX_SUBSCRIBERS];
	unsigned nsubs;
	bool started;
	int64_t now;
	int64_t tick_end;
	uint64_t next_id, raised, dropped;
};

#define NS_PER_S INT64_C(1000000000)
#define DETECT_FP_SLOTS (1u << 17)
#define DETECT_ENDED_MAX 64u

/* recent.c */
enum fp_result { FP_NEW, FP_RETX };

struct fpkey {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq;
	uint8_t synack;
	uint8_t version;
	uint8_t pad[2];
};

uint64_t mix64(uint64_t z);
bool ho_insert(struct detect *d, uint64_t id);
bool ho_remove(struct detect *d, uint64_t id);
void fpkey_make(struct fpkey *k, uint8_t version, const uint8_t *src,
		const uint8_t *dst, uint16_t sport, uint16_t dport,
		uint32_t seq, bool synack);
enum fp_result fp_check(struct detect *d, const struct fpkey *k, int64_t ts,
			uint8_t info);
const struct synfp *fp_find(const struct detect *d, const struct fpkey *k);

/* verdict.c */
void dv_eval_entity(struct detect *d, struct dent *e, enum dkind kind,
		    int64_t t);
void dv_pair_syn(struct detect *d, struct dpair *p, uint16_t dport,
		 int64_t t);
void dv_pair_tick(struct detect *d, struct dpair *p, int64_t t);
void dv_close_all(struct detect *d, int64_t t);
void dv_entity_reset_sketch(struct dent *e);

/* detect.c */
/* Closes every bucket of e that ended by `now`, evaluating each. */
void dd_advance(struct detect *d, struct dent *e, enum dkind kind,
		int64_t now);

#endif
