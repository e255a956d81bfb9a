/*
 * Test support for tui/: what the dashboard's test executables share.
 * Real connections come from flow/'s segment builder (flowtest.h) through
 * a real flow table; tt_conn4() writes a record by hand for the parts
 * that only read one.
 */
#ifndef SYNSCOPE_TESTS_TUITEST_H
#define SYNSCOPE_TESTS_TUITEST_H

#include <stdint.h>

#include "flowtest.h"
#include "model.h"

/* An IPv4 address as a host-order integer: TT_IP(192, 0, 2, 1). */
#define TT_IP(a, b, c, d)                                               \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	 (uint32_t)(d))

/* A zeroed IPv4 record `id` of client:cport to server:sport. */
struct conn_record tt_conn4(uint64_t id, uint32_t client, uint16_t cport,
			    uint32_t server, uint16_t sport);

/*
 * Check fixture: the flowtest table (ft_setup), a model subscribed to its
 * events in *m and, when snap is not NULL, an empty snapshot in *snap.
 * tt_teardown() frees them all and sets the pointers to NULL.
 */
void tt_setup(struct tui_model **m, struct tui_snap **snap);
void tt_teardown(struct tui_model **m, struct tui_snap **snap);

/* Feeds one row to the table and then to the model, as the dashboard's
 * loop does, with its state check after packets of closing connections. */
void tt_feed(struct tui_model *m, const struct seg *s);

/* Gives the model the current states of connection `id` from the table. */
void tt_note(struct tui_model *m, uint64_t id);

#endif
