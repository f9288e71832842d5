/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "deadline.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t alarm_fired;
static unsigned armed_total_ms;
static int stopped;
static unsigned elapsed_at_stop;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

int hvs_deadline_start(unsigned total_ms)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: blocking calls must return EINTR */
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -1;

	alarm_fired = 0;
	stopped = 0;
	armed_total_ms = total_ms;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = total_ms / 1000;
	it.it_value.tv_usec = (long)(total_ms % 1000) * 1000;
	return setitimer(ITIMER_REAL, &it, NULL);
}

/* Microseconds left on the timer; 0 when it has fired. */
static unsigned long long left_us(void)
{
	struct itimerval it;

	if (alarm_fired || getitimer(ITIMER_REAL, &it) < 0)
		return 0;
	return (unsigned long long)it.it_value.tv_sec * 1000000ull +
	       (unsigned long long)it.it_value.tv_usec;
}

unsigned hvs_deadline_left_ms(void)
{
	if (stopped)
		return 0;
	return (unsigned)((left_us() + 999) / 1000);
}

unsigned hvs_deadline_elapsed_ms(void)
{
	unsigned long long total_us = (unsigned long long)armed_total_ms * 1000ull;
	unsigned long long left;

	if (stopped)
		return elapsed_at_stop;
	left = left_us();
	if (left > total_us)
		left = total_us;
	return (unsigned)((total_us - left) / 1000);
}

int hvs_deadline_passed(void)
{
	return !stopped && (alarm_fired || left_us() == 0);
}

void hvs_deadline_stop(void)
{
	struct itimerval it;

	if (stopped)
		return;
	elapsed_at_stop = hvs_deadline_elapsed_ms();
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	stopped = 1;
}
