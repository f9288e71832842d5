/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "deadline.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t fired;
static unsigned total;
static int armed;

static int arm_us(unsigned long long us)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (long)(us / 1000000u);
	it.it_value.tv_usec = (long)(us % 1000000u);
	return setitimer(ITIMER_REAL, &it, NULL);
}

/* Microseconds left on the timer; 0 when it has fired. */
static unsigned long long left_us(void)
{
	struct itimerval it;

	if (fired || getitimer(ITIMER_REAL, &it) < 0)
		return 0;
	return (unsigned long long)it.it_value.tv_sec * 1000000ull +
	       (unsigned long long)it.it_value.tv_usec;
}

static unsigned long long elapsed_us(void)
{
	unsigned long long all = (unsigned long long)total * 1000u, left = left_us();

	return fired || left > all ? (fired ? all : 0) : all - left;
}

int hvs_deadline_set(unsigned total_ms)
{
	unsigned long long done, want = (unsigned long long)total_ms * 1000u;

	if (!armed) {
		armed = 1;
		fired = 0;
		total = total_ms;
		return arm_us(want);
	}
	if (fired || total_ms == total)
		return 0;
	done = elapsed_us();
	total = total_ms;
	/* Already past the new deadline: fire at once (1 us is the least). */
	return arm_us(want > done ? want - done : 1);
}

unsigned hvs_deadline_total_ms(void)
{
	return total;
}

unsigned hvs_deadline_left_ms(void)
{
	return (unsigned)((left_us() + 999) / 1000);
}

unsigned hvs_deadline_elapsed_ms(void)
{
	return (unsigned)(elapsed_us() / 1000);
}

int hvs_deadline_passed(void)
{
	return fired || left_us() == 0;
}

int hvs_deadline_fired(void)
{
	return fired;
}

int hvs_deadline_on_alarm(void)
{
	if (fired)
		return 0;
	fired = 1;
	(void)arm_us((unsigned long long)HVS_GRACE_MS * 1000u);
	return 1;
}

void hvs_deadline_arm_ms(unsigned ms)
{
	(void)arm_us((unsigned long long)ms * 1000u);
}
