#!/bin/sh
# Packaging gate: installs the current build into a scratch DESTDIR and
# builds a host from the installed files alone, through pkg-config.
#
# usage: check-install.sh BUILD_DIR SOURCE_DIR
#
# MESON, PKG_CONFIG, CC (may hold words: "ccache cc") and READELF may
# be overridden from the environment.  Never rebuilds (meson test already did), so it can run
# in parallel with the other tests.
set -u
LC_ALL=C
export LC_ALL

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
	exit 2
fi
builddir=$1 srcdir=$2
MESON=${MESON:-meson}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}
READELF=${READELF:-readelf}

for p in "$MESON" "$PKG_CONFIG" "${CC%% *}"; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "error: '$p' not found; the install check needs meson," \
			"pkg-config and a C compiler (install pkg-config," \
			"or set PKG_CONFIG/CC/MESON)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kehu-install.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
dest=$tmp/dest

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# ---- install ---------------------------------------------------------
if "$MESON" install -C "$builddir" --no-rebuild --destdir "$dest" \
	>"$tmp/install.log" 2>&1; then
	ok "meson install --destdir"
else
	sed 's/^/       /' "$tmp/install.log"
	fail "meson install --destdir"
	finish
fi

# The .pc file says where everything went (the configured prefix); the
# checks below then prove that it points at the installed files.
pc=$(find "$dest" -name kehu.pc -path '*/pkgconfig/*' | head -n 1)
if [ -z "$pc" ]; then
	fail "kehu.pc installed"
	finish
fi
pcdir=$(dirname "$pc")
# Only our .pc, with -I/-L rewritten into the destdir.
PKG_CONFIG_LIBDIR=$pcdir
PKG_CONFIG_PATH=$pcdir
PKG_CONFIG_SYSROOT_DIR=$dest
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR \
	PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS
# pkgconf prefixes --variable values with the sysroot, pkg-config 0.29
# does not: accept both.
in_dest() {
	case $1 in
	"$dest"/*) echo "$1" ;;
	*) echo "$dest$1" ;;
	esac
}
libdir=$(in_dest "$("$PKG_CONFIG" --variable=libdir kehu)")
incdir=$(in_dest "$("$PKG_CONFIG" --variable=includedir kehu)")
modversion=$("$PKG_CONFIG" --modversion kehu)
ok "kehu.pc installed (version $modversion, ${pc#"$dest"})"

# ---- installed files -------------------------------------------------
missing=
for f in "$incdir/kehu.h" "$libdir/libkehu.a" "$libdir/libkehu.so" \
	"$libdir/libkehu.so.1"; do
	[ -e "$f" ] || missing="$missing ${f#"$dest"}"
done
# Every public header of the source tree, at the same relative path.
(cd "$srcdir/include" && find . -name '*.h') | sort >"$tmp/src.h"
(cd "$incdir" && find ./kehu.h ./kehu -name '*.h' 2>/dev/null) | sort \
	>"$tmp/inst.h"
for h in $(comm -23 "$tmp/src.h" "$tmp/inst.h"); do
	missing="$missing ${incdir#"$dest"}/${h#./}"
done
if [ -z "$missing" ]; then
	nh=$(grep -c '^\./kehu/' "$tmp/inst.h")
	ok "installed: kehu.h, $nh kehu/**/*.h, libkehu.a, libkehu.so.1"
else
	fail "missing from the install:$missing"
fi
if grep -q '^\./kehu/sys/.*\.h$' "$tmp/inst.h"; then
	ok "installed: kehu/sys/*.h"
else
	fail "installed: kehu/sys/*.h (none)"
fi

# ---- a host built through pkg-config ---------------------------------
hello=$srcdir/tests/packaging/pkgconfig_hello.c
want="kehu $modversion: customer C-1 has id 1"
# shellcheck disable=SC2046,SC2086 # word splitting is intended
if $CC -o "$tmp/hello" "$hello" $("$PKG_CONFIG" --cflags kehu) \
	$("$PKG_CONFIG" --libs kehu) >"$tmp/cc.log" 2>&1; then
	ok "cc pkgconfig_hello.c \$(pkg-config --cflags --libs kehu)"
	if command -v "$READELF" >/dev/null 2>&1; then
		if "$READELF" -d "$tmp/hello" |
			grep -q 'NEEDED.*\[libkehu\.so\.1\]'; then
			ok "linked dynamically, NEEDED libkehu.so.1"
		else
			fail "hello does not need libkehu.so.1 (static link?)"
		fi
	fi
	got=$(LD_LIBRARY_PATH=$libdir "$tmp/hello" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "runs against the installed libkehu.so.1: $got"
	else
		fail "pkgconfig_hello printed '$got', want '$want'"
	fi
else
	echo "       flags: $("$PKG_CONFIG" --cflags --libs kehu)"
	sed 's/^/       /' "$tmp/cc.log"
	fail "cc pkgconfig_hello.c \$(pkg-config --cflags --libs kehu)"
fi

# Static: libkehu.a plus `pkg-config --static --libs` (Libs.private)
# must be enough.
# shellcheck disable=SC2046,SC2086
if $CC -o "$tmp/hello-static" "$hello" $("$PKG_CONFIG" --cflags kehu) \
	"$libdir/libkehu.a" $("$PKG_CONFIG" --static --libs-only-l kehu |
	sed 's/-lkehu//') >"$tmp/cc.log" 2>&1 &&
	got=$(unset LD_LIBRARY_PATH; "$tmp/hello-static" 2>&1) &&
	[ "$got" = "$want" ]; then
	ok "links statically with libkehu.a + pkg-config --static --libs"
else
	sed 's/^/       /' "$tmp/cc.log"
	fail "static link with libkehu.a + pkg-config --static --libs"
fi

finish
