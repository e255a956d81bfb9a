#include "tuitest.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void put_ip4(uint8_t *out, uint32_t ip)
{
	out[0] = (uint8_t)(ip >> 24);
	out[1] = (uint8_t)(ip >> 16);
	out[2] = (uint8_t)(ip >> 8);
	out[3] = (uint8_t)ip;
}

struct conn_record tt_conn4(uint64_t id, uint32_t client, uint16_t cport,
			    uint32_t server, uint16_t sport)
{
	struct conn_record c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.ip_version = 4;
	put_ip4(c.orig_addr, client);
	put_ip4(c.resp_addr, server);
	c.orig_port = cport;
	c.resp_port = sport;
	return c;
}

void tt_setup(struct tui_model **m, struct tui_snap **snap)
{
	ft_setup();
	*m = tui_model_create();
	ck_assert_ptr_nonnull(*m);
	if (snap) {
		*snap = calloc(1, sizeof(**snap));
		ck_assert_ptr_nonnull(*snap);
		tui_snap_init(*snap);
	}
	ck_assert_int_eq(flow_table_subscribe(ft.t, tui_model_flow_event, *m),
			 0);
}

void tt_teardown(struct tui_model **m, struct tui_snap **snap)
{
	if (snap) {
		tui_snap_free(*snap);
		free(*snap);
		*snap = NULL;
	}
	tui_model_destroy(*m);
	*m = NULL;
	ft_teardown();
}

struct note_ctx {
	struct tui_model *m;
	uint64_t id;
};

static void note_if(void *ctx, const struct conn_record *c)
{
	const struct note_ctx *n = ctx;

	if (c->id == n->id)
		tui_model_note_states(n->m, c, c->last_ns);
}

void tt_note(struct tui_model *m, uint64_t id)
{
	struct note_ctx n = { .m = m, .id = id };

	flow_table_foreach(ft.t, note_if, &n);
}

void tt_feed(struct tui_model *m, const struct seg *s)
{
	uint8_t buf[2048];
	struct decoded_packet dp;
	struct tui_packet p;

	ft_decode(s, &dp, buf, sizeof(buf));
	flow_table_packet(ft.t, &dp, s->t_us * 1000);
	memset(&p, 0, sizeof(p));
	p.ts_ns = s->t_us * 1000;
	p.wirelen = dp.wirelen;
	p.dp = &dp;
	flow_table_last_packet(ft.t, &p.info);
	tui_model_packet(m, &p);
	if (tui_model_watching(m, p.info.conn_id))
		tt_note(m, p.info.conn_id);
}
