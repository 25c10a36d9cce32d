#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The bash completion (completion/hivepatch) against the binary: every
# subcommand `hivepatch --help` lists, each with exactly the options its
# synopsis there lists (and --help), the profiles `hivepatch profiles`
# lists after --profile, the values of --commit and --backup.  Each is
# asked of the completion function as bash asks it, with COMP_WORDS and
# COMP_CWORD set.
set -u
: "${HIVEPATCH:?HIVEPATCH: the hivepatch binary (make check sets it)}"
: "${abs_top_srcdir:?abs_top_srcdir: the source tree (make check sets it)}"
completion=$abs_top_srcdir/completion/hivepatch
if ! command -v bash >/dev/null 2>&1; then
	echo "SKIP: bash not found: the bash completion is not checked"
	exit 77
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hivepatch-completion.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

# What the completion offers for the words given (the last one is the
# word being completed), one per line, sorted.
complete_words() {
	bash -c '
		. "$1" || exit 99
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_hivepatch "$1" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}" || exit 99
		printf "%s\n" "${COMPREPLY[@]}"
	' completion "$completion" "$@" < /dev/null | sort
}

# The same, each option cut at its '=': the names --help gives.
complete_names() {
	complete_words "$@" | sed 's/=.*//' | sort -u
}

same() {	# what, expected file, got file
	if ! cmp -s "$2" "$3"; then
		fail "$1: the completion and $4 differ (< completion, > $4):"
		diff "$3" "$2" | grep '^[<>]'
	fi
}

# The subcommands and their synopses, from --help's "Commands:" part: a
# line "  NAME  SYNOPSIS", its synopsis going on in lines indented by 10
# columns (the description, indented by 24, is left out).
"$HIVEPATCH" --help > "$scratch/help" || { fail "hivepatch --help failed"; exit 1; }
awk '
	/^Commands:/ { on = 1; next }
	on && /^$/ { exit }
	!on { next }
	/^  [a-z]/ {
		cmd = $1
		match($0, /^  [a-z]+ +/)
		syn = RLENGTH <= 12 ? substr($0, RLENGTH + 1) : ""
		print cmd, syn
		next
	}
	/^          [^ ]/ && cmd != "" { print cmd, $0 }
' "$scratch/help" > "$scratch/synopses"
cut -d' ' -f1 "$scratch/synopses" | sort -u > "$scratch/commands"
# The options every command takes, which the synopses leave out.
tr '\n' ' ' < "$scratch/help" |
	grep -q 'Every command also takes --json, -q (--quiet) and -v (--verbose)' ||
	fail "--help no longer says every command takes --json, -q and -v"
if [ "$(wc -l < "$scratch/commands")" -lt 9 ]; then
	fail "--help lists $(wc -l < "$scratch/commands") subcommands; its Commands: part was not understood:"
	cat "$scratch/help"
	exit 1
fi

complete_words hivepatch '' > "$scratch/got"
same "subcommands" "$scratch/commands" "$scratch/got" "--help"

while read -r cmd; do
	awk -v c="$cmd" '$1 == c { $1 = ""; print }' "$scratch/synopses" |
		grep -o -e '--[a-z0-9-]*' > "$scratch/want.$cmd"
	# What --help says every command takes besides its synopsis.
	printf -- '--help\n--json\n--quiet\n--verbose\n' >> "$scratch/want.$cmd"
	sort -u -o "$scratch/want.$cmd" "$scratch/want.$cmd"
	complete_names hivepatch "$cmd" -- > "$scratch/got.$cmd"
	same "hivepatch $cmd --" "$scratch/want.$cmd" "$scratch/got.$cmd" \
	    "--help's synopsis of $cmd"
	# Options are offered after other options and arguments too.
	complete_names hivepatch "$cmd" --json x -- > "$scratch/got2.$cmd"
	same "hivepatch $cmd --json x --" "$scratch/want.$cmd" \
	    "$scratch/got2.$cmd" "--help's synopsis of $cmd"
done < "$scratch/commands"

# Profile names, as the binary lists them.
"$HIVEPATCH" profiles | while read -r name _; do echo "$name"; done |
	sort > "$scratch/profiles"
[ -s "$scratch/profiles" ] || fail "hivepatch profiles lists nothing"
complete_words "$HIVEPATCH" apply --profile '' > "$scratch/got"
same "hivepatch apply --profile" "$scratch/profiles" "$scratch/got" \
    "hivepatch profiles"
complete_words "$HIVEPATCH" verify --profile net > "$scratch/got"
grep '^net' "$scratch/profiles" > "$scratch/want"
same "hivepatch verify --profile net" "$scratch/want" "$scratch/got" \
    "hivepatch profiles"

# The values of --commit and --backup, split at '=' as bash does by
# default, in one word, or as the next word.
printf 'logged\nreplace\n' > "$scratch/want"
complete_words hivepatch apply --commit = '' > "$scratch/got"
same "hivepatch apply --commit=" "$scratch/want" "$scratch/got" "the man page"
complete_words hivepatch apply --commit '' > "$scratch/got"
same "hivepatch apply --commit" "$scratch/want" "$scratch/got" "the man page"
printf -- '--backup=full\n' > "$scratch/want"
complete_words hivepatch recover --backup=f > "$scratch/got"
same "hivepatch recover --backup=f" "$scratch/want" "$scratch/got" \
    "the man page"

# TARGET: files and directories.
mkdir "$scratch/tree" && : > "$scratch/tree/SOFTWARE" &&
	mkdir "$scratch/tree/Windows"
printf '%s\n' "$scratch/tree/SOFTWARE" "$scratch/tree/Windows" > "$scratch/want"
complete_words hivepatch verify "$scratch/tree/" > "$scratch/got"
same "hivepatch verify DIR/" "$scratch/want" "$scratch/got" "the directory"

[ $failed -eq 0 ] && echo "PASS: the completion offers what --help lists"
exit $failed
