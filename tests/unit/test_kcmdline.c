/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command-line parser against the kernel's rules and the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kcmdline.h"
#include "numbers.h"
#include "table.h"

static const char *table_path = "tests/data/cmdline-table.txt";

/* Every row of tests/data/cmdline-table.txt, one assertion pair per row. */
static void test_table(void **state)
{
	static char scratch[8192];
	struct table_row row;
	struct hvs_request req;
	unsigned lineno = 0, rows = 0, wrong = 0;
	int r;
	FILE *f = fopen(table_path, "r");

	(void)state;
	assert_non_null(f);
	while ((r = table_next(f, &lineno, &row)) == 1) {
		assert_int_equal(hvs_request_from_cmdline(row.cmdline, scratch,
							  sizeof(scratch), &req), 0);
		if (req.size != row.size ||
		    strcmp(hvs_request_state_name(req.state), row.state) != 0)
		{
			print_error("table line %u: got %llu %s, want %llu %s\n", row.line,
				    (unsigned long long)req.size,
				    hvs_request_state_name(req.state),
				    (unsigned long long)row.size, row.state);
			wrong++;
		}
		rows++;
	}
	fclose(f);
	assert_int_equal(r, 0);
	assert_int_equal(wrong, 0);
	assert_true(rows >= 70);
}

static void test_next_arg_splits_like_the_kernel(void **state)
{
	char buf[] = "a=1 \"b=x y\" c=\"q r\" =d \"e\" f== g";
	char *args = buf, *p, *v;

	(void)state;
	args = hvs_next_arg(args, &p, &v);
	assert_string_equal(p, "a");
	assert_string_equal(v, "1");
	args = hvs_next_arg(args, &p, &v);
	assert_string_equal(p, "b");
	assert_string_equal(v, "x y");
	args = hvs_next_arg(args, &p, &v);
	assert_string_equal(p, "c");
	assert_string_equal(v, "q r");
	args = hvs_next_arg(args, &p, &v);
	assert_string_equal(p, "=d"); /* an '=' at index 0 does not split */
	assert_null(v);
	args = hvs_next_arg(args, &p, &v);
	assert_string_equal(p, "e");
	assert_null(v);
	args = hvs_next_arg(args, &p, &v);
	assert_string_equal(p, "f");
	assert_string_equal(v, "=");
	args = hvs_next_arg(args, &p, &v);
	assert_string_equal(p, "g");
	assert_null(v);
	assert_string_equal(args, "");
}

/* /proc/cmdline is the kernel's line and one newline; NUL bytes cannot be in it. */
static void test_cmdline_from_file(void **state)
{
	char a[] = "quiet \"hv_pci_swiotlb=4T\n", b[] = "x\n\n", c[] = "a\0b", d[] = "";
	struct hvs_request req;
	static char scratch[256];

	size_t n = strlen(a);

	(void)state;
	assert_int_equal(hvs_cmdline_from_file(a, n), n - 1);
	assert_string_equal(a, "quiet \"hv_pci_swiotlb=4T");
	assert_int_equal(hvs_request_from_cmdline(a, scratch, sizeof(scratch), &req), 0);
	assert_true(req.size == (uint64_t)4 << 40);
	/* Exactly one newline goes: a second one belonged to the kernel's line. */
	assert_int_equal(hvs_cmdline_from_file(b, 3), 2);
	assert_string_equal(b, "x\n");
	assert_int_equal(hvs_cmdline_from_file(c, 3), 3);
	assert_memory_equal(c, "a b", 3);
	assert_int_equal(hvs_cmdline_from_file(d, 0), 0);
}

static void test_memparse_reports_overflow(void **state)
{
	const char *end;
	int of;

	(void)state;
	assert_true(hvs_memparse("16E", &end, &of) == 0);
	assert_int_equal(of, 1);
	assert_true(hvs_memparse("15E", &end, &of) == (uint64_t)15 << 60);
	assert_int_equal(of, 0);
	assert_true(hvs_memparse("0x10000000000000000", &end, &of) == 0);
	assert_int_equal(of, 1);
	assert_true(hvs_memparse("12abc", &end, &of) == 12);
	assert_string_equal(end, "abc");
	assert_true(hvs_memparse("0x1fk", &end, &of) == 0x1f << 10);
	assert_string_equal(end, "");
}

static void test_parameq_and_space(void **state)
{
	(void)state;
	assert_true(hvs_parameq("hv-pci_swiotlb", "hv_pci-swiotlb"));
	assert_false(hvs_parameq("hv_pci_swiotlb", "hv_pci_swiotlbx"));
	assert_false(hvs_parameq("hv_pci_swiotlbx", "hv_pci_swiotlb"));
	assert_true(hvs_kisspace(0xa0));
	assert_true(hvs_kisspace('\v'));
	assert_false(hvs_kisspace(0x85)); /* NEL is not space to the kernel */
	assert_false(hvs_kisspace(0));
}

static void test_value_is_kept_for_messages(void **state)
{
	char scratch[256];
	struct hvs_request req;

	(void)state;
	assert_int_equal(hvs_request_from_cmdline(
		"hv_pci_swiotlb=0x8000000,64M quiet", scratch, sizeof(scratch), &req), 0);
	assert_int_equal(req.state, HVS_REQ_LEGACY);
	assert_string_equal(req.value, "0x8000000,64M");
	assert_int_equal(req.occurrences, 1);
	/* The caller's text is not modified. */
	assert_int_equal(hvs_request_from_cmdline("x", scratch, 1, &req), -1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_next_arg_splits_like_the_kernel),
		cmocka_unit_test(test_memparse_reports_overflow),
		cmocka_unit_test(test_cmdline_from_file),
		cmocka_unit_test(test_parameq_and_space),
		cmocka_unit_test(test_value_is_kept_for_messages),
	};

	if (argc > 1)
		table_path = argv[1];
	return cmocka_run_group_tests_name("kcmdline", tests, NULL, NULL);
}
