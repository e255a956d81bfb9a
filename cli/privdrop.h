/*
 * Giving up privileges once the capture handle is active, as tcpdump's -Z:
 * a packet parser reads what attackers send, so it keeps root (or the
 * capabilities cap_net_raw and cap_net_admin) no longer than it takes to
 * open the interface and the output files.
 */
#ifndef SYNSCOPE_PRIVDROP_H
#define SYNSCOPE_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The user a root run becomes when no -Z is given. */
#define PRIVDROP_DEFAULT_USER "nobody"

/*
 * Run as root: becomes `user` (its uid and primary gid, no supplementary
 * groups, no capabilities left in any set, no way to regain them).
 * Otherwise: drops every capability the program holds (file capabilities
 * such as cap_net_raw) and keeps its uid. Returns 0, or -1 with the reason
 * in err; a run that cannot drop must stop.
 */
int privdrop(const char *user, char *err, size_t errlen);

/* Opens an output file for writing (created 0644, truncated). Running as
 * root it refuses to follow a symbolic link, so a link planted in a
 * shared directory cannot redirect a root write. NULL with errno set. */
FILE *privdrop_fopen_output(const char *path);

/* Why privdrop_fopen_output() failed, for the error line. */
const char *privdrop_open_error(int e);

#endif
