#define _DEFAULT_SOURCE 1       /* setgroups(), syscall() */

#include "privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#ifdef __linux__
/* Empties the effective, permitted and inheritable sets of this thread
 * (the only thread: called before any other starts). */
static int caps_clear(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

/* True when any capability is left in the effective or permitted set. */
static bool caps_held(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return true;
	for (int i = 0; i < 2; i++)
		if (data[i].effective || data[i].permitted ||
		    data[i].inheritable)
			return true;
	return false;
}

/* Before the uid changes (CAP_SETPCAP is still held): empty the bounding
 * and ambient sets too, so that no exec could hand anything back. */
static void caps_bound_clear(void)
{
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    errno == EINVAL)
			break;          /* past the kernel's last capability */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static int no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}
#endif

static int fail(char *err, size_t errlen, const char *what, const char *user)
{
	snprintf(err, errlen, "cannot drop privileges%s%s: %s: %s",
		 user ? " to " : "", user ? user : "", what, strerror(errno));
	return -1;
}

int privdrop(const char *user, char *err, size_t errlen)
{
	if (geteuid() != 0 && getuid() != 0) {
#ifdef __linux__
		/* file capabilities (setcap cap_net_raw,cap_net_admin) */
		if (caps_clear() < 0)
			return fail(err, errlen, "capset", NULL);
		if (no_new_privs() < 0)
			return fail(err, errlen, "no_new_privs", NULL);
#endif
		return 0;
	}
	if (!user)
		user = PRIVDROP_DEFAULT_USER;

	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		if (!errno)
			errno = ENOENT;
		snprintf(err, errlen, "cannot drop privileges: no user %s",
			 user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen,
			 "cannot drop privileges to %s: it is root", user);
		return -1;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;

#ifdef __linux__
	caps_bound_clear();
#endif
	if (setgroups(0, NULL) < 0)
		return fail(err, errlen, "setgroups", user);
	if (setgid(gid) < 0)
		return fail(err, errlen, "setgid", user);
	if (setuid(uid) < 0)
		return fail(err, errlen, "setuid", user);
	/* setuid() from root to another uid clears the capability sets;
	 * make sure, and make sure root cannot come back */
#ifdef __linux__
	if (caps_clear() < 0)
		return fail(err, errlen, "capset", user);
	if (no_new_privs() < 0)
		return fail(err, errlen, "no_new_privs", user);
	if (caps_held()) {
		errno = EPERM;
		return fail(err, errlen, "capabilities remain", user);
	}
#endif
	if (setuid(0) == 0 || geteuid() == 0 || getegid() == 0) {
		errno = EPERM;
		return fail(err, errlen, "root could be regained", user);
	}
	return 0;
}

FILE *privdrop_fopen_output(const char *path)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	int fd;
	FILE *f;

	if (geteuid() == 0)
		flags |= O_NOFOLLOW;
	fd = open(path, flags, 0644);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

const char *privdrop_open_error(int e)
{
	if (e == ELOOP && geteuid() == 0)
		return "it is a symbolic link, not followed when run as root";
	return strerror(e);
}
