#include "platform.h"

#include <windows.h>

int capture_wait_readable(pcap_t *p, int timeout_ms)
{
	HANDLE ev = pcap_getevent(p);

	if (ev == NULL)
		return 1;
	switch (WaitForSingleObject(ev, (DWORD)timeout_ms)) {
	case WAIT_OBJECT_0: return 1;
	case WAIT_TIMEOUT: return 0;
	default: return -1;
	}
}

int capture_selectable_fd(pcap_t *p)
{
	(void)p;
	return -1;
}
