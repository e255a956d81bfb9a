/*
 * The names of the detector's verdicts, alert events, thresholds and
 * detectors: one table each, shared by every output (the alert records
 * and lines, the summary, the dashboard).
 */
#include "detect.h"

const char *detect_verdict_name(enum detect_verdict v)
{
	static const char *const names[DV__COUNT] = {
		"syn_flood", "spoofed_syn_flood", "single_source_flood",
		"syn_scan", "backscatter", "syn_cookies",
	};

	return (unsigned)v < DV__COUNT ? names[v] : "unknown";
}

const char *detect_event_name(enum detect_event e)
{
	static const char *const names[] = { "start", "update", "end" };

	return (unsigned)e <= DE_END ? names[e] : "unknown";
}

const char *detect_threshold_name(unsigned bit)
{
	static const char *const names[DETECT_T__COUNT] = {
		"syn_rate", "half_open", "completion", "cusum", "scan_ports",
		"backscatter", "cookies", "refused", "unanswered",
	};

	return bit < DETECT_T__COUNT ? names[bit] : "unknown";
}

const char *detect_detector_name(unsigned bit)
{
	return bit == 0 ? "threshold" : bit == 1 ? "cusum" : "unknown";
}
