#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make bench: builds a SOFTWARE-shaped hive of BENCH_MIB (default 128)
# MiB and times, in this one process tree, hivepatch against the other
# offline tools, against hivex's own open and commit (what any tool
# built on it pays) and against a plain cp of the hive, which is the
# baseline: median wall time over BENCH_RUNS (default 5) runs and peak
# resident memory, printed as ratios.  Every timed run starts from a
# fresh copy, made and synced untimed (so that a run's own syncs do not
# write back the copy); the page cache is warm for all of them.
# Then images, as ratios: hivepatch on a WIM holding that hive against
# the round trip through wimlib-imagex, and an apply on a sparse 8 GiB
# raw disk against one on a 2 GiB disk.
set -eu

build=$(cd "${1:?usage: bench.sh BUILDDIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-5}
mib=${BENCH_MIB:-128}
hp=$build/src/hivepatch
HIVEPATCH_PROFILE_DIR=$top/profiles
export HIVEPATCH_PROFILE_DIR

for tool in /usr/bin/time hivexregedit reged wimlib-imagex; do
	command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "bench: $tool not found (scripts/install-deps bench installs it)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/var/tmp}/hivepatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

"$build/hives/mkhive" big base.hive "$mib" >/dev/null
hive_bytes=$(stat -c %s base.hive)
# The same change for every tool, as a plain .reg file: reged cannot
# read comments, hivexregedit cannot read UTF-16.
printf '%s\r\n' 'Windows Registry Editor Version 5.00' '' \
	'[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\v4.0.30319]' \
	'"SchUseStrongCrypto"=dword:00000001' '' \
	'[HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319]' \
	'"SchUseStrongCrypto"=dword:00000001' > change.reg
cp base.hive compliant.hive
"$hp" apply --backup-dir "$work/setup-backups" compliant.hive >/dev/null
# A dirty copy: three changes in its logs (new format), the primary stale.
"$build/hives/mkdirty" new base.hive dirty.hive
rm -f dirty.hive.orig dirty.hive.expected*

# measure NAME PREP COMMAND...: PREP is run untimed before each run.
measure() {
	name=$1 prep=$2
	shift 2
	: > times
	: > mems
	i=0
	while [ "$i" -lt "$runs" ]; do
		eval "$prep"
		t0=$(date +%s%N)
		# reged exits non-zero after a successful import: its
		# result is checked with verify instead.
		/usr/bin/time -f %M -o mem.out "$@" >run.out 2>&1 </dev/null ||
			[ "$name" = reged ] ||
			{ echo "bench: $name failed:" >&2; cat run.out >&2; exit 1; }
		t1=$(date +%s%N)
		echo $((t1 - t0)) >> times
		tail -n 1 mem.out >> mems
		i=$((i + 1))
	done
	mid=$(((runs + 1) / 2))
	eval "ns_$name=$(sort -n times | sed -n "${mid}p")"
	eval "kib_$name=$(sort -n mems | tail -n 1)"
}

fresh='rm -rf w.hive backups; cp base.hive w.hive; sync'
measure cp 'rm -f copy.hive; sync' cp base.hive copy.hive
# Not the baseline, for scale: apply syncs what it writes, cp does not.
measure cpsync 'rm -f copy.hive; sync' sh -c 'cp base.hive copy.hive && sync copy.hive'
measure apply "$fresh" "$hp" apply --backup-dir "$work/backups" w.hive
"$hp" verify w.hive >/dev/null || { echo "bench: apply did not make the hive compliant" >&2; exit 1; }
# What one apply keeps of the hive in its backup (its pages file).
backup_bytes=$(find backups -name pages -exec stat -c %s {} + | sort -n | tail -n 1)
measure replace "$fresh" "$hp" apply --commit=replace --backup=full --backup-dir "$work/backups" w.hive
measure already ':' "$hp" apply --backup-dir "$work/backups" compliant.hive
measure verify ':' "$hp" verify compliant.hive
dirty='rm -rf w.hive* backups; for f in dirty.hive*; do cp "$f" "w${f#dirty}"; done; sync'
# verify exits 1 here: the profile is not met, which is not a failure.
measure verifydirty "$dirty" sh -c '"$0" verify w.hive; [ $? -le 1 ]' "$hp"
measure recover "$dirty" "$hp" recover --backup-dir "$work/backups" w.hive
[ ! -s w.hive.LOG1 ] || { echo "bench: recover left a log" >&2; exit 1; }
# hivex alone, which every reader and writer built on it pays: the
# read-only open verify starts with, and the open for writing plus the
# whole commit that any write through hivex costs.
measure floorread ':' "$build/bench/hivexfloor" read compliant.hive
measure floorwrite 'rm -f w.new; sync' "$build/bench/hivexfloor" write base.hive w.new
measure hivexregedit "$fresh" hivexregedit --merge --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' w.hive change.reg
"$hp" verify w.hive >/dev/null || { echo "bench: hivexregedit did not apply the change" >&2; exit 1; }
measure reged "$fresh" reged -I -C w.hive 'HKEY_LOCAL_MACHINE\SOFTWARE' change.reg
"$hp" verify w.hive >/dev/null || { echo "bench: reged did not apply the change" >&2; exit 1; }

# Images.  A WIM whose SOFTWARE is the hive above: hivepatch on the WIM
# against the round trip a pipeline does without it (extract the hive
# with wimlib-imagex, apply to the file, put it back with wimlib-imagex
# update).
mkdir -p tree
"$build/hives/mkhive" tree tree >/dev/null
cp base.hive tree/Windows/System32/config/SOFTWARE
wimlib-imagex capture tree base.wim "Windows 10 Pro" >/dev/null
wim_bytes=$(stat -c %s base.wim)
freshwim='rm -rf w.wim x backups; cp base.wim w.wim; sync'
measure wimcp 'rm -f copy.wim; sync' cp base.wim copy.wim
measure wim "$freshwim" "$hp" apply --backup-dir "$work/backups" w.wim
"$hp" verify w.wim >/dev/null || { echo "bench: apply did not make the WIM compliant" >&2; exit 1; }
measure wimtrip "$freshwim" sh -c '
	wimlib-imagex extract w.wim 1 /Windows/System32/config/SOFTWARE \
	    --dest-dir=x --no-acls >/dev/null &&
	"$0" apply --backup-dir "$1" x/SOFTWARE >/dev/null &&
	wimlib-imagex update w.wim 1 \
	    --command="add x/SOFTWARE /Windows/System32/config/SOFTWARE" >/dev/null' \
	"$hp" "$work/backups"
"$hp" verify w.wim >/dev/null || { echo "bench: the round trip did not make the WIM compliant" >&2; exit 1; }
# Raw disks: the same small Windows tree on an NTFS partition of a sparse
# 2 GiB and 8 GiB disk; an apply must not cost more on the larger.
"$build/hives/mkdisk" sparse 2048 base2g.img >/dev/null
"$build/hives/mkdisk" sparse 8192 base8g.img >/dev/null
measure disk2g 'rm -rf w.img backups; cp --sparse=always base2g.img w.img; sync' \
	"$hp" apply --backup-dir "$work/backups" w.img
measure disk8g 'rm -rf w.img backups; cp --sparse=always base8g.img w.img; sync' \
	"$hp" apply --backup-dir "$work/backups" w.img
"$hp" verify w.img >/dev/null || { echo "bench: apply did not make the disk compliant" >&2; exit 1; }

row() {
	eval "ns=\$ns_$1 kib=\$kib_$1"
	awk -v label="$2" -v ns="$ns" -v base="$ns_cp" -v kib="$kib" -v size="$hive_bytes" \
	    'BEGIN { printf "| %-44s | %8.3f | %6.2fx | %8.1f | %5.2fx |\n",
		label, ns / 1e9, ns / base, kib / 1024, kib * 1024 / size }'
}

echo "hive: $(awk -v b="$hive_bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }'), $runs runs each, median wall time, peak RSS"
echo
echo "| command                                      | time (s) | vs cp   | RSS (MiB)| vs hive |"
echo "|----------------------------------------------|----------|---------|----------|---------|"
row cp "cp (baseline)"
row cpsync "cp, then sync the copy (for scale)"
row apply "hivepatch apply (change needed, verified)"
row replace "  the same, --commit=replace --backup=full"
row already "hivepatch apply (already compliant)"
row verify "hivepatch verify"
row verifydirty "hivepatch verify (dirty: logs replayed)"
row recover "hivepatch recover (dirty, written)"
row floorread "hivex alone: open read-only"
row floorwrite "hivex alone: open to write, commit"
row hivexregedit "hivexregedit --merge"
row reged "reged -I -C"
echo
echo "backup kept by one apply of the change: $backup_bytes bytes of the hive's $hive_bytes"
echo
# ratio A B: the median time of A over B's.
ratio() {
	eval "a=\$ns_$1 b=\$ns_$2"
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }'
}
echo "images ($runs runs each, median wall time):"
echo
echo "| command                                              | time (s) | ratio |"
echo "|------------------------------------------------------|----------|-------|"
irow() {
	eval "ns=\$ns_$1"
	awk -v label="$2" -v ns="$ns" -v r="$3" \
	    'BEGIN { printf "| %-52s | %8.3f | %5s |\n", label, ns / 1e9, r }'
}
irow wimcp "cp of the WIM ($(awk -v b="$wim_bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }'))" "$(ratio wimcp wimcp)"
irow wim "hivepatch apply install.wim" "$(ratio wim wimtrip)"
irow wimtrip "wimlib-imagex extract, hivepatch apply, wimlib-imagex update" "1.00x"
irow disk2g "hivepatch apply disk.img (2 GiB, sparse)" "1.00x"
irow disk8g "hivepatch apply disk.img (8 GiB, sparse)" "$(ratio disk8g disk2g)"
