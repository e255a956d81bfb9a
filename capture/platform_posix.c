#include "platform.h"

#include <errno.h>
#include <poll.h>

int capture_wait_readable(pcap_t *p, int timeout_ms)
{
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(p),
			      .events = POLLIN };

	if (pfd.fd < 0)
		return 1; /* cannot wait: let the read decide */
	int rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	return rc > 0 ? 1 : 0;
}

int capture_selectable_fd(pcap_t *p)
{
	return pcap_get_selectable_fd(p);
}
