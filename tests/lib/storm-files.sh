# shellcheck shell=sh
# After a boot storm (hvs-fake-guest storm) against receivers sharing one
# state directory: does every guest that heard accepted have its range in
# its own file? Guest g came through socket PREFIX(g % PATHS), and a
# socket's path is its guest's name, so the file of a socket must hold the
# range of the last guest that heard accepted through it (the receiver
# takes one apply per name at a time, so accepted ones follow g's order).
# Shared by bench/storm-deployed.sh and tests/suites/receiver-attack.sh.

# storm_mismatches LATENCY_FILE PREFIX PATHS LIST_JSON: prints the number
# of sockets whose file is missing or holds another boot or base than the
# last guest accepted through it (LIST_JSON: hv-swiotlb-recv --list --json).
storm_mismatches() {
	awk -v prefix="unix:$2" -v paths="$3" '
	function field(line, key,   m) {
		if (match(line, "\"" key "\":\"[^\"]*\"") == 0)
			return ""
		m = substr(line, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
		return m
	}
	FNR == NR {
		if ($3 != 1)
			next
		p = $2 % paths
		if (!(p in last) || $2 + 0 > last[p] + 0) {
			last[p] = $2
			want[p] = $4 " " $5
		}
		next
	}
	{
		peer = field($0, "peer")
		if (index(peer, prefix) == 1)
			have[substr(peer, length(prefix) + 1)] = field($0, "boot_id") " " field($0, "base")
	}
	END {
		bad = 0
		for (p in want)
			if (!(p in have) || have[p] != want[p])
				bad++
		print bad
	}' "$1" "$4"
}
