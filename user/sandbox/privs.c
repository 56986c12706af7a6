// SPDX-License-Identifier: GPL-2.0
/*
 * grid_privs_drop(): capabilities(7)'s "pure capability" mode, with no
 * capabilities in it.
 *
 * At execve the kernel computes the new permitted set as
 *
 *	P'(permitted) = (P(inheritable) & F(inheritable))
 *		      | (F(permitted) & P(bounding)) | P'(ambient)
 *
 * and for uid 0 it takes both of the file's sets F() as full, unless
 * SECBIT_NOROOT is set. Root in a user namespace is uid 0 there, so
 * without the steps below every program the job executes would start with
 * the full set again. An empty bounding set empties the second term, an
 * empty inheritable set the first, a cleared ambient set the third: each
 * left open would be enough on its own. SECBIT_NOROOT, on top, takes away
 * uid 0's special case itself, and the securebits are locked.
 *
 * The order matters: the securebits and the bounding set need
 * CAP_SETPCAP in the effective set, so the sets themselves go last.
 */
#include <errno.h>
#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "privs.h"

/*
 * NOROOT: uid 0 is not special at execve. NO_SETUID_FIXUP: setuid() to or
 * from uid 0 leaves the sets alone, where the kernel would otherwise clear
 * them on leaving uid 0 and refill the effective set on coming back.
 * KEEP_CAPS stays off and NO_CAP_AMBIENT_RAISE on. All are locked: the job
 * could not change them without CAP_SETPCAP anyway, and the locks keep it
 * so should a capability come back some other way.
 */
#define SECUREBITS	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |		\
			 SECBIT_NO_SETUID_FIXUP |			\
			 SECBIT_NO_SETUID_FIXUP_LOCKED |		\
			 SECBIT_KEEP_CAPS_LOCKED |			\
			 SECBIT_NO_CAP_AMBIENT_RAISE |			\
			 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

/*
 * Every capability the running kernel knows, up to where PR_CAPBSET_READ
 * says EINVAL: its own answer, which needs no /proc (the job's tree may
 * have none yet) and is not libcap's idea of the last one at build time.
 */
static int drop_bounding(void)
{
	int cap, r;

	for (cap = 0;; cap++) {
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0)
			return errno == EINVAL && cap > 0 ? 0 : -errno;
		if (r && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	}
}

int grid_privs_drop(void)
{
	cap_t none;
	int ret;

	/*
	 * execve of a set-user-id or file-capability program grants
	 * nothing, whatever the sets below; seccomp also needs it to load a
	 * filter without CAP_SYS_ADMIN.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	/* Ambient capabilities survive execve of any program. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	if (prctl(PR_SET_SECUREBITS, SECUREBITS, 0, 0, 0))
		return -errno;
	/* The bounding set only ever shrinks, and children inherit it. */
	ret = drop_bounding();
	if (ret)
		return ret;
	/* Effective, permitted and inheritable, all empty, CAP_SETPCAP last. */
	none = cap_init();
	if (!none)
		return -ENOMEM;
	ret = cap_set_proc(none) ? -errno : 0;
	cap_free(none);
	return ret;
}
