#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes the seed corpora of the fuzz targets (make fuzz-seeds) from the
# project's own fixtures, never from files kept in the tree:
#   OUT/logreplay  mkdirty's dirty hives with their logs (new and old
#                  format, swapped and truncated logs), packed as
#                  fuzz_logreplay reads them, also with its fix-up bit
#   OUT/pages      the pages files of commits between mkdirty's hives
#   OUT/regparse   the profiles, in UTF-8, UTF-16LE and as REGEDIT4, and
#                  exports of mkhive hives (UTF-8 and UTF-16LE)
#   OUT/hive       every mkhive kind, mkhostile's hostile hives, and dirty
#                  hives with their logs, as fuzz_hive reads them
#   OUT/render     JSON reports of runs on a mkhive tree (any bytes do)
#   OUT/image      mkwim's WIMs (one, two and no Windows images, solid),
#                  and the first 64 KiB of mkdisk's MBR and GPT disks
#                  (their tables; the partitions run past that end)
# Usage: fuzz-seeds.sh SRCDIR OUT, with MKHIVE, MKDIRTY, MKHOSTILE,
# MKWIM, MKDISK, HIVEPATCH and FUZZ_SEED naming the built programs.
set -eu
src=$1
out=$2
: "${MKHIVE:?}" "${MKDIRTY:?}" "${MKHOSTILE:?}" "${HIVEPATCH:?}" \
	"${FUZZ_SEED:?}" "${MKWIM:?}" "${MKDISK:?}"
rm -rf "$out"
mkdir -p "$out/logreplay" "$out/pages" "$out/regparse" "$out/hive" \
	"$out/render" "$out/image"
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-seeds.XXXXXX")
trap 'rm -rf "$work"' EXIT
empty=$work/empty
: > "$empty"

# Clean hives of every kind.
kinds=$("$MKHIVE" --help | sed -n 's/^kinds: //p')
for k in $kinds; do
	"$MKHIVE" "$k" "$work/$k" >/dev/null
	case $k in
	system*) byte=1 ;;	# schannel-tls12
	*) byte=0 ;;		# net4-tls12
	esac
	"$FUZZ_SEED" pack "$out/hive/$k" "$byte" "$work/$k" "$empty" "$empty"
	"$FUZZ_SEED" pack "$out/hive/$k-auto-utf16" $((byte == 1 ? 27 : 18)) \
		"$work/$k" "$empty" "$empty"
done

# Hostile hives: what hivex's lookup and Windows' disagree on.
for c in key-nul value-nul dup-key link-key unsorted; do
	"$MKHOSTILE" "$c" "$work/software64-net48" "$work/hostile-$c" >/dev/null
	"$FUZZ_SEED" pack "$out/hive/hostile-$c" 0 "$work/hostile-$c" "$empty" \
		"$empty"
done

# Dirty hives with their logs.
n=0
for spec in "new" "old" "new --swap-logs" "new --stale-log2" \
	"new --remnants" "old --fine-vector" "new --bad-base-block" \
	"new --truncate-log 9000" "old --truncate-log 9000" "new --gap"; do
	n=$((n + 1))
	d=$work/dirty$n
	# shellcheck disable=SC2086
	set -- $spec
	fmt=$1
	shift
	"$MKDIRTY" "$@" "$fmt" "$work/software64-net48" "$d" >/dev/null
	[ -f "$d.LOG1" ] || : > "$d.LOG1"
	[ -f "$d.LOG2" ] || : > "$d.LOG2"
	"$FUZZ_SEED" pack "$out/logreplay/dirty$n" 2 "$d" "$d.LOG1" "$d.LOG2"
	"$FUZZ_SEED" pack "$out/logreplay/dirty$n-fixup" 130 "$d" "$d.LOG1" \
		"$d.LOG2"
	"$FUZZ_SEED" pack "$out/logreplay/dirty$n-take" 66 "$d" "$d.LOG1" \
		"$d.LOG2"
	"$FUZZ_SEED" pack "$out/hive/dirty$n" 0 "$d" "$d.LOG1" "$d.LOG2"
	"$FUZZ_SEED" pack "$out/hive/dirty$n-no-recover" 4 "$d" "$d.LOG1" \
		"$d.LOG2"
	if [ -f "$d.expected" ]; then
		"$FUZZ_SEED" pages "$out/pages/dirty$n-grow" "$d.orig" \
			"$d.expected"
		"$FUZZ_SEED" pages "$out/pages/dirty$n-shrink" "$d.expected" \
			"$d.orig"
	fi
done
"$FUZZ_SEED" pack "$out/logreplay/clean" 0 "$work/system" "$empty" "$empty"

# .reg files: the profiles as they are, in UTF-16LE with the BOM
# regedit writes, and as REGEDIT4; exports of whole hives.
for f in "$src"/profiles/*.reg; do
	b=$(basename "$f" .reg)
	cp "$f" "$out/regparse/$b.reg"
	{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$f"; } \
		> "$out/regparse/$b-utf16.reg"
	sed '1s/^.*Windows Registry Editor Version 5.00.*$/REGEDIT4/' "$f" \
		> "$out/regparse/$b-regedit4.reg"
done
# (software64-hostile holds names .reg cannot hold: export refuses it.)
for k in software64-net48 software7-32 software64-winhttp13; do
	"$HIVEPATCH" export "$work/$k" 'HKLM\SOFTWARE' \
		> "$out/regparse/export-$k.reg"
	"$HIVEPATCH" export --utf16 "$work/$k" 'HKLM\SOFTWARE' \
		> "$out/regparse/export-$k-utf16.reg"
done

# Reports: any bytes are a render input; real ones hold real names.
"$MKHIVE" tree "$work/tree" >/dev/null
"$HIVEPATCH" verify --json --profile auto --backup-dir "$work/bk" \
	"$work/tree" > "$out/render/verify.json" || true
"$HIVEPATCH" inspect --json --backup-dir "$work/bk" "$work/tree" \
	> "$out/render/inspect.json" || true
"$HIVEPATCH" apply --dry-run --json --profile schannel-tls12 \
	--backup-dir "$work/bk" "$work/tree" > "$out/render/dry-run.json" || true
"$HIVEPATCH" backups --json --backup-dir "$work/bk" "$work/tree" \
	> "$out/render/backups.json" || true
cp "$src/profiles/net4-tls12.reg" "$out/render/profile"

# Images: small ones whole, disks by their first 64 KiB.
for k in win two none solid; do
	"$MKWIM" "$k" "$out/image/$k.wim" >/dev/null
done
for k in mbr gpt; do
	"$MKDISK" "$k" "$work/$k.img" >/dev/null
	head -c 65536 "$work/$k.img" > "$out/image/$k-head.img"
done
