/*
 * What differs between POSIX systems and Windows (Npcap) in waiting for a
 * live capture: a pollable descriptor there, an event handle here. One
 * implementation file per platform; capture.c sees only these two calls.
 */
#ifndef SYNSCOPE_CAPTURE_PLATFORM_H
#define SYNSCOPE_CAPTURE_PLATFORM_H

#include <pcap/pcap.h>

/* Waits up to timeout_ms for packets: 1 ready, 0 timed out (or
 * interrupted by a signal), -1 error. */
int capture_wait_readable(pcap_t *p, int timeout_ms);

/* A descriptor poll() can watch, or -1 where the platform has none. */
int capture_selectable_fd(pcap_t *p);

#endif
