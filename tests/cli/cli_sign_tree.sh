#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sign-tree on a tree with every kind of entry; Debian's evmctl checks every
# signature; exact summary counts; the unreadable file and directory fail the
# run by name; --jobs 1 == --jobs 8; idempotent; --skip-valid; include/exclude;
# --target-bits auto; --one-file-system.  Real security.* xattrs: needs root.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
need_root "sign-tree with security.* xattrs" "needs root"
command -v evmctl >/dev/null || { echo "Bail out! evmctl missing (scripts/install-deps)"; exit 1; }
K="$KEYS/rsa2048"
NL='
'

# mktree DIR: the test tree.  11 regular files (one unreadable, one with 3 names),
# 3 symlinks, 1 fifo, 1 device, 1 socket, 4 directories (one unreadable).
mktree() {
	d=$1
	mkdir -p "$d/bin" "$d/etc/sub" "$d/locked"
	printf 'small\n' > "$d/bin/small"
	: > "$d/empty"
	cp large.seed "$d/bin/large"
	truncate -s 40M "$d/sparse"
	printf 'tail' >> "$d/sparse"
	printf 'linked\n' > "$d/etc/link1"
	ln "$d/etc/link1" "$d/etc/link2"
	ln "$d/etc/link1" "$d/etc/sub/link3"
	ln -s small "$d/bin/rel-link"
	ln -s /etc/passwd "$d/abs-link"
	ln -s nowhere "$d/dangling"
	mkfifo "$d/fifo"
	mknod "$d/null" c 1 3
	python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$d/sock"
	printf 'secret\n' > "$d/unreadable"
	chown nobody "$d/unreadable"; chmod 000 "$d/unreadable"
	printf 'hidden\n' > "$d/locked/inside"
	chown nobody "$d/locked"; chmod 000 "$d/locked"
	printf 'cap\n' > "$d/bin/capfile"
	setfattr -n security.capability -v 0x0100000200040000000000000000000000000000 "$d/bin/capfile"
	printf 'label\n' > "$d/etc/labelled"
	setfattr -n security.selinux -v 'system_u:object_r:etc_t:s0' "$d/etc/labelled"
	printf 'space\n' > "$d/with space"
	printf 'newline\n' > "$d/new${NL}line"
	printf 'latin1\n' > "$d/$(printf 'caf\351')"
	printf 'utf8\n' > "$d/$(printf 'caf\303\251')"
}
# the regular files that must be signed (one name per file)
signed_files="bin/small empty bin/large sparse etc/link1 bin/capfile etc/labelled"
signed_files="$signed_files with\\040space new\\012line caf\\351 caf\\303\\251"

# as root, but without the capabilities that override file permissions: the
# unreadable entries fail for imactl as they would for any reader
sign_tree() { setpriv --bounding-set=-dac_override,-dac_read_search "$IMACTL" sign-tree "$@"; }

# dump ROOT: every security.ima/evm value below ROOT, relative paths
dump() { (cd "$1" && getfattr -h -R -P -m '^security\.(ima|evm)$' -d -e hex . 2>/dev/null); }
# shellcheck disable=SC2059 # the argument is the format: printf decodes its \NNN
unesc() { printf "$1"; } # the shell's printf turns \NNN into a byte

head -c 3000000 /dev/urandom > large.seed
mktree a
fails 3 "sign-tree with an unreadable file and directory exits 3" \
	sign_tree a --key "$K.key" --cert "$K.pem" --target-bits 64 --manifest a.manifest
cp "$T/out" first.out
like "the unreadable file is named with the cause" "$T/err" "^imactl: a/unreadable: not signed: Permission denied"
like "the unreadable directory is named" "$T/err" "^imactl: a/locked: not signed: cannot read this directory"
like "summary: signed, valid, failed" "$T/out" "^sign-tree: signed 11, already valid 0, failed 2$"
like "summary: skipped entries by kind" "$T/out" \
	"^sign-tree: skipped: symlinks 3, directories 4, devices 1, fifos 1, sockets 1, hard-links 2, excluded 0, other-fs 0$"
like "summary: files/s" "$T/out" "^sign-tree: 12 files, .* files/s, 64-bit target$"

n_ok=0; n_bad=0; bad=""
for f in $signed_files; do
	f=$(unesc "$f")
	if evmctl ima_verify --key "$K.der" "a/$f" >/dev/null 2>&1 &&
	   evmctl verify --key "$K.der" "a/$f" >/dev/null 2>&1; then
		n_ok=$((n_ok + 1))
	else
		n_bad=$((n_bad + 1)); bad="$bad [$f]"
	fi
done
is "evmctl ima_verify and verify accept all 11 files ($bad)" "$n_ok/$n_bad" "11/0"
ok "evmctl verify: EVM covers the existing security.capability" evmctl verify --key "$K.der" a/bin/capfile
ok "evmctl verify: EVM covers the existing security.selinux" evmctl verify --key "$K.der" a/etc/labelled
ok "the hard links share the signature" evmctl ima_verify --key "$K.der" a/etc/sub/link3
is "symlinks are not signed" "$(getfattr -h -n security.ima a/bin/rel-link 2>/dev/null)" ""
is "the unreadable file got nothing" "$(xattr_hex security.ima a/unreadable)" ""
ok "imactl verify agrees" "$IMACTL" verify --evm --cert "$K.pem" a/bin/small a/sparse a/empty "a/new${NL}line"

# --jobs 1 vs --jobs 8, and a second run: byte-identical xattrs
mktree j1; mktree j8
sign_tree j1 --key "$K.key" --cert "$K.pem" --target-bits 64 --jobs 1 >/dev/null 2>&1
sign_tree j8 --key "$K.key" --cert "$K.pem" --target-bits 64 --jobs 8 >/dev/null 2>&1
dump j1 > j1.dump; dump j8 > j8.dump
is "the dumps hold 13 names' values (11 files, 2 more hard links)" "$(grep -ac '^security.ima=' j1.dump)" 13
ok "--jobs 1 and --jobs 8 give byte-identical xattrs" cmp j1.dump j8.dump
sign_tree j8 --key "$K.key" --cert "$K.pem" --target-bits 64 --jobs 8 >/dev/null 2>&1
dump j8 > j8.again
ok "signing again gives byte-identical xattrs" cmp j1.dump j8.again

# --skip-valid leaves valid files untouched (their ctime does not move)
find j8 -type f -perm -u=r -printf '%P %C@\n' | sort > ctime.before
fails 3 "--skip-valid (the unreadable file still fails)" \
	sign_tree j8 --key "$K.key" --cert "$K.pem" --target-bits 64 --skip-valid
like "--skip-valid: all 11 already valid" "$T/out" "^sign-tree: signed 0, already valid 11, failed 2$"
find j8 -type f -perm -u=r -printf '%P %C@\n' | sort > ctime.after
ok "--skip-valid wrote nothing" cmp ctime.before ctime.after
printf 'changed\n' >> j8/bin/small
fails 3 "--skip-valid after a change" sign_tree j8 --key "$K.key" --cert "$K.pem" --target-bits 64 --skip-valid
like "--skip-valid re-signs the changed file only" "$T/out" "^sign-tree: signed 1, already valid 10, failed 2$"
ok "the changed file verifies again" evmctl verify --key "$K.der" j8/bin/small
fails 2 "--skip-valid needs --cert" "$IMACTL" sign-tree j8 --key "$K.key" --skip-valid

# selection
mkdir -p sel/usr/bin sel/usr/lib sel/var/cache sel/etc
for f in usr/bin/ls usr/lib/libc.so.6 usr/lib/x.pyc var/cache/c etc/passwd etc/y.pyc; do echo "$f" > "sel/$f"; done
ok "--include /usr --exclude *.pyc" "$IMACTL" sign-tree sel --key "$K.key" --target-bits 64 --include /usr --exclude '*.pyc'
like "two files selected, four excluded" "$T/out" "^sign-tree: signed 2, .*" 
like "excluded count" "$T/out" "excluded 4,"
is "/usr/bin/ls signed" "$(xattr_hex security.ima sel/usr/bin/ls | cut -c1-4)" "0302"
is "/usr/lib/x.pyc not signed" "$(xattr_hex security.ima sel/usr/lib/x.pyc)" ""
is "/etc/passwd not signed" "$(xattr_hex security.ima sel/etc/passwd)" ""
ok "--exclude a directory (relative pattern anchored at ROOT)" "$IMACTL" sign-tree sel --key "$K.key" --target-bits 64 --exclude var/cache --evm none
like "the excluded directory counts once, its file is not entered" "$T/out" "excluded 1,"
is "var/cache/c not signed" "$(xattr_hex security.ima sel/var/cache/c)" ""
is "--evm none writes no security.evm" "$(xattr_hex security.evm sel/etc/passwd)" ""

# --target-bits auto: /sbin/init -> /lib/systemd/systemd is resolved inside ROOT
mkdir -p t32/sbin t32/lib/systemd
printf '\177ELF\001\001\001\000' > t32/lib/systemd/systemd
ln -s /lib/systemd/systemd t32/sbin/init
printf 'data\n' > t32/data
ok "--target-bits auto" "$IMACTL" sign-tree t32 --key "$K.key" --cert "$K.pem" --target-bits auto
like "auto finds a 32-bit target through ROOT's own absolute symlink" "$T/out" "32-bit target$"
ok "the EVM signature is for a 32-bit target" "$IMACTL" verify --evm --target-bits 32 --cert "$K.pem" t32/data
fails 1 "... and not for a 64-bit one" "$IMACTL" verify --evm --target-bits 64 --cert "$K.pem" t32/data
mkdir -p musl/lib
printf '\177ELF\002\001\001\000' > musl/lib/ld-musl-x86_64.so.1
: > musl/f
ok "auto finds musl's libc" "$IMACTL" sign-tree musl --key "$K.key" --target-bits auto
like "64-bit from ld-musl" "$T/out" "64-bit target$"
mkdir -p nothing; : > nothing/f
fails 3 "explicit auto without ELF files fails" "$IMACTL" sign-tree nothing --key "$K.key" --target-bits auto
like "and says why" "$T/err" "no ELF init, C library or shell found"
# ... and never opens an /sbin/init that is not a regular file: the type is
# checked on an O_PATH descriptor first (inotify reports every open(2))
mkdir -p devinit/sbin devinit/usr/sbin devinit/bin
mknod devinit/sbin/init c 1 3 2>/dev/null || mkfifo devinit/sbin/init
mkfifo devinit/usr/sbin/init
printf '\177ELF\001\001\001\000' > devinit/bin/sh
: > devinit/f
cat > opens.py <<'PY'
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
IN_OPEN, IN_NONBLOCK = 0x20, 0o4000
fd = libc.inotify_init1(IN_NONBLOCK)
for p in sys.argv[1:3]:
    if libc.inotify_add_watch(fd, p.encode(), IN_OPEN) < 0:
        sys.exit("inotify_add_watch %s: %s" % (p, os.strerror(ctypes.get_errno())))
rc = subprocess.call(sys.argv[3:], stdout=subprocess.DEVNULL)
try:
    events = os.read(fd, 4096)
except BlockingIOError:
    events = b""
print(rc, len(events) // 16)
PY
is "auto opens neither a device nor a FIFO at /sbin/init (exit, open events)" \
	"$(/usr/bin/python3 opens.py devinit/sbin/init devinit/usr/sbin/init "$IMACTL" sign-tree devinit \
		--key "$K.key" --target-bits auto --exclude /sbin --exclude /usr)" "0 0"
ok "... and reads the word size from /bin/sh" "$IMACTL" sign-tree devinit --key "$K.key" --target-bits auto --exclude /sbin --exclude /usr
like "... 32-bit" "$T/out" "32-bit target$"

# --one-file-system: a mount point below ROOT is not entered
mkdir -p ofs/mnt; echo x > ofs/f
if unshare -m sh -c "mount -t tmpfs none ofs/mnt && echo y > ofs/mnt/g && \
	'$IMACTL' sign-tree ofs --key '$K.key' --target-bits 64 --one-file-system > ofs.out && \
	getfattr -n security.ima ofs/mnt/g" >/dev/null 2>&1; then
	_result 1 "--one-file-system left the tmpfs alone"
elif grep -q 'other-fs 1' ofs.out 2>/dev/null; then
	_result 0 "--one-file-system: the tmpfs mount point is counted, not entered"
else
	skip "--one-file-system" "cannot mount a tmpfs here"
fi

# usage errors and help
for c in sign-tree verify-tree apply-manifest; do
	ok "help $c" "$IMACTL" help "$c"
	like "help $c has a usage line" "$T/out" "^Usage: imactl $c "
done
ok "sign-tree --help" "$IMACTL" sign-tree --help
like "--help documents the manifest's path escaping" "$T/out" 'three octal digits'
fails 2 "no ROOT" "$IMACTL" sign-tree --key "$K.key"
fails 2 "two ROOTs" "$IMACTL" sign-tree a b --key "$K.key"
fails 2 "--jobs 0" "$IMACTL" sign-tree a --key "$K.key" --jobs 0
fails 2 "repeated --jobs" "$IMACTL" sign-tree a --key "$K.key" --jobs 1 --jobs 2
fails 2 "no key for signatures" "$IMACTL" sign-tree a
ln -s a alink
fails 3 "ROOT that is a symlink is refused" "$IMACTL" sign-tree alink --key "$K.key" --target-bits 64
ok "--ima hash --evm none needs no key" "$IMACTL" sign-tree sel --ima hash --evm none --target-bits 64
is "hash value" "$(xattr_hex security.ima sel/etc/passwd)" "0404$(sha256sum sel/etc/passwd | cut -d' ' -f1)"
mkdir quiet; echo q > quiet/q
ok "a clean run" "$IMACTL" sign-tree quiet --key "$K.key" --target-bits 64
is "no progress or noise on a non-terminal stderr" "$(cat "$T/err")" ""
if command -v script >/dev/null; then
	script -qec "'$IMACTL' sign-tree quiet --key '$K.key' --target-bits 64 2>&1 >/dev/null" /dev/null > tty.out
	is "on a terminal, stderr carries the progress line (cleared at the end)" \
		"$(od -An -c tty.out | tr -d ' \n' | grep -c '\\r033\[K')" 1
else
	skip "progress on a terminal" "no script(1)"
fi
# --manifest F: a link planted at F.tmp (where the old writer put its temporary
# file) is never followed, a FIFO there does not hang the run
mkdir plant
printf 'p\n' > plant/f
printf 'victim\n' > victim
ln -s "$T/victim" plant.manifest.tmp
mkfifo plant2.manifest.tmp
ok "sign-tree --manifest with a symlink planted at FILE.tmp" \
	timeout 120 "$IMACTL" sign-tree plant --key "$K.key" --cert "$K.pem" --manifest plant.manifest
is "the planted link's target is untouched" "$(cat victim)" "victim"
is "the manifest is a new regular file" "$(stat -c %F plant.manifest)" "regular file"
like "the manifest has the file's line" plant.manifest '^/f ima:0x03'
ok "sign-tree --manifest with a FIFO planted at FILE.tmp" \
	timeout 120 "$IMACTL" sign-tree plant --key "$K.key" --cert "$K.pem" --manifest plant2.manifest
is "no temporary file is left" "$(find . -maxdepth 1 -name '.plant*.tmp' | wc -l)" 0
# a tree deeper than the walk goes: each level below the limit is an error
# naming it, no crash (the recursion crashed with SIGSEGV at ~19,000 levels)
python3 -c 'import os
os.mkdir("deep"); os.chdir("deep")
for i in range(20000):
    os.mkdir("d"); os.chdir("d")
open("f", "w").write("x\n")'
# one descriptor per level: the highest open-files limit allowed
deep() { sh -c 'ulimit -n "$(ulimit -Hn)"; exec "$@"' sh "$IMACTL" "$@"; }
fails 3 "sign-tree on a tree 20,000 levels deep stops at the limit" \
	deep sign-tree deep --key "$K.key" --cert "$K.pem"
like "... naming the directory too deep" "$T/err" 'deeper than 2048 directory levels, not walked: deep/d/d/d'
fails 3 "verify-tree on it too" deep verify-tree deep --cert "$K.pem"
like "... naming the directory too deep" "$T/out" '^(/d){2048}: error: path too long or nested too deep: not walked'
rm -rf deep
done_testing
