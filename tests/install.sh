#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# An installation of hivepatch, as make check stages it (no argument:
# make install DESTDIR=a scratch directory, checked, then make
# uninstall) or as make installcheck finds it ("installed": what make
# install put under DESTDIR and the configured directories):
#   - the binary, the profiles, the man page and the bash completion are
#     where configure said, and nothing else is installed;
#   - the installed binary, HIVEPATCH_PROFILE_DIR unset, reads the
#     configured profile directory: not the source tree's, and not a
#     profiles/ beside its bin/ (made empty here to try);
#   - the build tree's src/hivepatch reads the source tree's profiles;
#   - the man page carries the configured version, bug address and paths.
# Which profile directory a binary read is in the "source" of each change
# of `verify --json`, or in the error naming the profile it did not find
# there (when the configured directory is not on this machine, because
# make check only staged it).
set -u
# What make check and make installcheck set (bashcompdir may be empty).
: "${MAKE:?}" "${abs_top_builddir:?}" "${abs_top_srcdir:?}" "${VERSION:?}" \
    "${PACKAGE_BUGREPORT:?}" "${prefix:?}" "${bindir:?}" "${profiledir:?}" \
    "${man1dir:?}" "${bashcompdir?}"
mode=${1:-staged}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hivepatch-install.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT
failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}
# make, without what the make running this test passed down (its
# jobserver, its targets' variables).
submake() {
	(unset MAKEFLAGS MFLAGS MAKELEVEL; cd "$abs_top_builddir" && $MAKE "$@")
}

if [ "$mode" = staged ]; then
	dest=$scratch/dest
	if ! submake install DESTDIR="$dest" > "$scratch/make.log" 2>&1; then
		tail -n 30 "$scratch/make.log"
		echo "FAIL: make install DESTDIR=$dest"
		exit 1
	fi
	echo "make install DESTDIR=$dest: done"
else
	dest=${DESTDIR:-}
fi

# What is installed, and where.
bin=$dest$bindir/hivepatch
[ -x "$bin" ] || fail "$bin: not installed"
(cd "$abs_top_srcdir/profiles" && ls -- *.reg) > "$scratch/want"
(cd "$dest$profiledir" 2>/dev/null && ls -- *.reg) > "$scratch/got"
cmp -s "$scratch/want" "$scratch/got" ||
	fail "$dest$profiledir holds $(tr '\n' ' ' < "$scratch/got")instead of $(tr '\n' ' ' < "$scratch/want")"
man=$dest$man1dir/hivepatch.1
[ -f "$man" ] || fail "$man: not installed"
if [ -n "$bashcompdir" ]; then
	[ -f "$dest$bashcompdir/hivepatch" ] ||
		fail "$dest$bashcompdir/hivepatch: the bash completion is not installed"
fi
if [ "$mode" = staged ]; then
	find "$dest" -type f | sed "s|^$dest||" | sort > "$scratch/files"
	{
		echo "$bindir/hivepatch"
		sed "s|^|$profiledir/|" "$scratch/want"
		echo "$man1dir/hivepatch.1"
		[ -z "$bashcompdir" ] || echo "$bashcompdir/hivepatch"
	} | sort > "$scratch/want-files"
	cmp -s "$scratch/want-files" "$scratch/files" || {
		fail "make install DESTDIR staged other files than expected (< staged, > expected):"
		diff "$scratch/files" "$scratch/want-files" | grep '^[<>]'
	}
fi

# The man page: no placeholder left, the configured version, bug
# address and profile directory (roff writes '-' as '\-').
if [ -f "$man" ]; then
	grep -n '@[A-Za-z_]*@' "$man" && fail "$man: placeholders left"
	sed 's/\\-/-/g' "$man" > "$scratch/man"
	grep -q "^\.TH HIVEPATCH 1 .*\"hivepatch $VERSION\"" "$scratch/man" ||
		fail "$man: .TH does not name hivepatch $VERSION"
	grep -qF "$PACKAGE_BUGREPORT" "$scratch/man" ||
		fail "$man: no bug address $PACKAGE_BUGREPORT"
	grep -qxF ".I $profiledir/*.reg" "$scratch/man" ||
		fail "$man: FILES does not name $profiledir/*.reg"
	if [ -n "$bashcompdir" ]; then
		grep -qxF ".I $bashcompdir/hivepatch" "$scratch/man" ||
			fail "$man: FILES does not name $bashcompdir/hivepatch"
	fi
fi

# The profile directory a binary reads, HIVEPATCH_PROFILE_DIR unset:
# the directory of the "source" of verify's changes, or the one the
# error names.
cp -R "$abs_top_builddir/hives/sample" "$scratch/image" || exit 99
profile_dir_read() {
	(
		unset HIVEPATCH_PROFILE_DIR
		cd "$scratch" && "$1" verify --json --backup-dir "$scratch/backups" image
	) > "$scratch/verify.json" 2> "$scratch/verify.err"
	sed -n -e 's|^ *"source":"\(.*\)/net4-tls12\.reg",$|\1|p' \
	    -e "s|^ *\"error\":\"unknown profile 'net4-tls12' (no \(.*\)/net4-tls12\.reg; .*|\1|p" \
	    "$scratch/verify.json" | sort -u
}

# A stray profiles/ beside bin/ (the old lookup beside the binary read
# it, and found nothing in it) changes nothing.
stray=$dest$bindir/../profiles
made_stray=
if [ ! -e "$stray" ] && mkdir "$stray" 2>/dev/null; then
	made_stray=yes
else
	echo "note: $stray not made (it exists, or cannot be made): not tried"
fi
got=$(profile_dir_read "$bin")
if [ "$got" != "$profiledir" ]; then
	fail "$bin read its profiles from '$got', not $profiledir"
	cat "$scratch/verify.err"
elif [ ! -d "$profiledir" ]; then
	echo "$bin reads $profiledir (not on this machine: staged only)"
else
	echo "$bin reads $profiledir"
fi
[ -z "$made_stray" ] || rmdir "$stray"

# The build tree's binary reads the source tree's profiles.
got=$(profile_dir_read "$abs_top_builddir/src/hivepatch")
[ "$got" = "$abs_top_srcdir/profiles" ] ||
	fail "src/hivepatch read its profiles from '$got', not $abs_top_srcdir/profiles"

if [ "$mode" = staged ]; then
	if ! submake uninstall DESTDIR="$dest" > "$scratch/make.log" 2>&1; then
		tail -n 30 "$scratch/make.log"
		fail "make uninstall DESTDIR=$dest"
	fi
	left=$(find "$dest" -type f)
	[ -z "$left" ] || fail "make uninstall left: $left"
fi
[ $failed -eq 0 ] && echo "PASS: the installation ($mode) reads what it installed"
exit $failed
