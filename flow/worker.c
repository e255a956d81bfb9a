/*
 * The table on a thread of its own (flow_config.threaded): the caller's
 * thread reads and decodes packets and queues each segment as values
 * (struct flow_seg, its key and hash made already); the worker applies
 * them to the table in order, and the observer and subscribers run there,
 * as they would have run inside flow_table_packet().
 *
 *   caller:  flow_table_packet -> seg ring
 *   worker:                       seg ring -> observer, table_segments
 *                                             -> subscribers
 *
 * The ring is single-producer, single-consumer, and guarded by one mutex
 * that each side takes once per batch, not per segment: a slot is written
 * before its index is published under the lock and read after the other
 * side has seen that index under the lock. Each side waits on its own
 * condition variable, and is woken only when it said it waits; neither
 * blocks while holding the lock. What the worker wrote (the table, and
 * what the subscribers keep) is the caller's to read once worker_drain()
 * has seen the worker catch up, under the same lock.
 */
#include <stdlib.h>

#include "flow_int.h"

#ifdef FLOW_NO_THREADS

struct flow_worker *worker_start(struct flow_table *t)
{
	(void)t;
	return NULL;        /* the table stays synchronous */
}

void worker_stop(struct flow_worker *w)
{
	(void)w;
}

struct flow_seg *worker_slot(struct flow_worker *w)
{
	(void)w;
	return NULL;
}

void worker_commit(struct flow_worker *w)
{
	(void)w;
}

void worker_drain(struct flow_worker *w)
{
	(void)w;
}

bool worker_is_current(const struct flow_worker *w)
{
	(void)w;
	return false;
}

#else

#include <pthread.h>
#include <signal.h>

#define AHEAD_W 8u              /* slots the caller claims ahead */

#define SEG_CAP 4096u           /* queued segments (power of two) */
#define SEG_BATCH 64u           /* segments per publication */
/*
 * A sleeping side is woken only once there is a good deal for it to do:
 * the worker when WAKE_WORK segments wait, the caller (waiting for room)
 * when half the ring is free. Woken for every batch, the two threads
 * would pass the CPU back and forth through the kernel thousands of
 * times a second.
 */
#define WAKE_WORK 512u
#define WORK_CHUNK 256u         /* segments the worker takes at once */

/*
 * Each thread's own fields are kept a cache line apart from the other's
 * (padding rather than alignment, which calloc() does not promise): a
 * line that one core writes for every segment and the other reads would
 * travel between the cores every time.
 */
#define LINE 64

struct flow_worker {
	struct flow_table *t;
	pthread_t thread;
	struct flow_seg *segs;

	/* under mu */
	char pad0[LINE];
	pthread_mutex_t mu;
	pthread_cond_t wake_worker;
	pthread_cond_t wake_caller;
	uint32_t seg_head;      /* segments the worker is done with */
	uint32_t seg_tail;      /* segments published to the worker */
	bool worker_waits;
	bool caller_waits;
	uint32_t caller_room;   /* the caller waits for seg_tail - seg_head
				 * to fall to this */
	bool quit;

	/* the caller's thread only */
	char pad1[LINE];
	uint32_t seg_written;   /* >= seg_tail */
	uint32_t seg_room_end;  /* may write up to here without asking */
	char pad2[LINE];
};

static void *worker_main(void *arg)
{
	struct flow_worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->seg_head == w->seg_tail && !w->quit) {
			w->worker_waits = true;
			if (w->caller_waits)
				pthread_cond_signal(&w->wake_caller);
			pthread_cond_wait(&w->wake_worker, &w->mu);
			w->worker_waits = false;
		}
		if (w->quit)
			break;
		uint32_t from = w->seg_head, to = w->seg_tail;
		if (to - from > WORK_CHUNK)
			to = from + WORK_CHUNK;
		pthread_mutex_unlock(&w->mu);

		table_segments(w->t, w->segs, SEG_CAP - 1, from, to);

		pthread_mutex_lock(&w->mu);
		w->seg_head = to;
		if (w->caller_waits &&
		    w->seg_tail - w->seg_head <= w->caller_room)
			pthread_cond_signal(&w->wake_caller);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct flow_worker *worker_start(struct flow_table *t)
{
	struct flow_worker *w = calloc(1, sizeof(*w));
	sigset_t all, old;

	if (!w)
		return NULL;
	w->t = t;
	w->segs = calloc(SEG_CAP, sizeof(*w->segs));
	if (!w->segs)
		goto fail;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&w->wake_worker, NULL) != 0)
		goto fail_mu;
	if (pthread_cond_init(&w->wake_caller, NULL) != 0)
		goto fail_cw;
	w->seg_room_end = SEG_CAP;
	/* signals stay with the caller's thread, which set up handlers */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		return w;
	pthread_cond_destroy(&w->wake_caller);
fail_cw:
	pthread_cond_destroy(&w->wake_worker);
fail_mu:
	pthread_mutex_destroy(&w->mu);
fail:
	free(w->segs);
	free(w);
	return NULL;
}

/* Ends the thread; segments still queued are dropped. */
void worker_stop(struct flow_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = true;
	pthread_cond_signal(&w->wake_worker);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake_caller);
	pthread_cond_destroy(&w->wake_worker);
	pthread_mutex_destroy(&w->mu);
	free(w->segs);
	free(w);
}

/* Caller, under mu: hands the written segments to the worker, and
 * wakes it if it sleeps and there is enough to do, or `now`. */
static void publish_locked(struct flow_worker *w, bool now)
{
	w->seg_tail = w->seg_written;
	if (w->worker_waits && w->seg_tail != w->seg_head &&
	    (now || w->seg_tail - w->seg_head >= WAKE_WORK))
		pthread_cond_signal(&w->wake_worker);
}

/*
 * Caller: publishes what was written and waits until there is room for
 * a batch of segments or, with `until_idle`, until the worker has
 * applied every one.
 */
static void sync_up(struct flow_worker *w, bool until_idle)
{
	pthread_mutex_lock(&w->mu);
	publish_locked(w, true);
	w->caller_room = until_idle ? 0 : SEG_CAP / 2;
	while (until_idle ? w->seg_head != w->seg_written
			  : w->seg_written - w->seg_head > SEG_CAP - SEG_BATCH) {
		w->caller_waits = true;
		pthread_cond_wait(&w->wake_caller, &w->mu);
		w->caller_waits = false;
	}
	w->seg_room_end = w->seg_head + SEG_CAP;
	pthread_mutex_unlock(&w->mu);
}

/*
 * A slot's lines were last the worker's (which asks for them ahead to
 * read, in table_segments()): the caller asks for them AHEAD_W slots
 * ahead, for writing (PREFETCHW, a no-op on the rare x86-64 processor
 * without it), so its stores to the slot do not wait for them and hold
 * up the stores after them.
 */
static inline void prefetch_w(const char *p)
{
#if (defined(__GNUC__) || defined(__clang__)) && \
	(defined(__x86_64__) || defined(__i386__))
	__asm__ volatile("prefetchw %0" : : "m"(*p));
#elif defined(__GNUC__) || defined(__clang__)
	__builtin_prefetch(p, 1);
#else
	(void)p;
#endif
}

/* A slot spans three lines at most: its first byte's, the next one and
 * its last byte's (the same line twice, at times, which costs nothing). */
_Static_assert(sizeof(struct flow_seg) <= 2 * LINE,
	       "a queue slot spans more than three cache lines");

static inline void prefetch_w_slot(const struct flow_seg *s)
{
	const char *p = (const char *)s;

	prefetch_w(p);
	prefetch_w(p + LINE);
	prefetch_w(p + sizeof(*s) - 1);
}

struct flow_seg *worker_slot(struct flow_worker *w)
{
	if (w->seg_written == w->seg_room_end)
		sync_up(w, false);
	if (w->seg_room_end - w->seg_written > AHEAD_W)
		prefetch_w_slot(
			&w->segs[(w->seg_written + AHEAD_W) & (SEG_CAP - 1)]);
	return &w->segs[w->seg_written & (SEG_CAP - 1)];
}

void worker_commit(struct flow_worker *w)
{
	w->seg_written++;
	if (w->seg_written % SEG_BATCH == 0) {
		pthread_mutex_lock(&w->mu);
		publish_locked(w, false);
		w->seg_room_end = w->seg_head + SEG_CAP;
		pthread_mutex_unlock(&w->mu);
	}
}

void worker_drain(struct flow_worker *w)
{
	sync_up(w, true);
}

bool worker_is_current(const struct flow_worker *w)
{
	return w && pthread_equal(w->thread, pthread_self());
}

#endif
