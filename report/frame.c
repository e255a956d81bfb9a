#include "report.h"

#include <time.h>

int64_t frame_time_ns(const struct frame_meta *m)
{
	const int64_t max_sec = ((int64_t)1 << 62) / 1000000000;
	int64_t sec = m->ts_sec;

	if (sec > max_sec)
		sec = max_sec;
	else if (sec < -max_sec)
		sec = -max_sec;
	return sec * 1000000000 + m->ts_nsec;
}

bool report_utc_date(int64_t sec, char *buf, size_t cap)
{
	time_t tt = (time_t)sec;
	struct tm tm;

	return gmtime_r(&tt, &tm) &&
	       strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) != 0;
}
