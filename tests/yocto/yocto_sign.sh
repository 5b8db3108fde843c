#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154 # keydir, native and rc are set by tests/yocto/lib.sh and tests/cli/lib.sh
# shellcheck disable=SC2016 # '${...}' are BitBake expressions, for bbrun to expand
# meta-integrity's signing step, run as a BitBake task would run it: the
# class's ima_evm_sign_rootfs is expanded with the variables a build supplies
# (IMAGE_ROOTFS, the key variables, T, sysconfdir, STAGING_BINDIR_NATIVE with
# the built imactl ...) by tests/yocto/bbrun.py and executed under set -e
# against a generated root filesystem. The result must verify with
# imactl verify-tree and with Debian's evmctl; a file the build cannot read
# must fail the task, named.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
. "$SRC_ROOT/tests/yocto/lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip "signing a root filesystem" "needs root for security.* xattrs"
	done_testing
	exit 0
fi
cert="$keydir/x509_ima.der"

# make_rootfs DIR: a small root filesystem with every kind of entry.
make_rootfs() {
	r=$1
	rm -rf "$r"
	mkdir -p "$r/bin" "$r/sbin" "$r/lib" "$r/usr/bin" "$r/usr/lib/mod" "$r/etc/init.d" "$r/var/log" "$r/dev" "$r/home/root"
	cp /bin/dash "$r/bin/sh"
	cp /bin/dash "$r/sbin/init"
	libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null || true)
	[ -n "$libc" ] && cp "$libc" "$r/lib/libc.so.6"
	for i in 1 2 3 4 5 6 7 8; do
		printf 'tool %s\n' "$i" > "$r/usr/bin/tool$i"
		chmod 755 "$r/usr/bin/tool$i"
		head -c $((i * 4099)) /dev/urandom > "$r/usr/lib/mod/lib$i.so"
	done
	printf '/dev/root / auto defaults 1 1\n' > "$r/etc/fstab"
	printf '#!/bin/sh\necho start\n' > "$r/etc/init.d/rcS"
	: > "$r/etc/empty"
	printf 'x' > "$r/home/root/name with spaces"
	ln -s ../bin/sh "$r/usr/bin/sh-link"
	ln "$r/usr/bin/tool1" "$r/usr/bin/tool1-hardlink"
	mkfifo "$r/dev/initctl"
	head -c 3000000 /dev/zero > "$r/var/log/big"
}

# sign NAME [--set VAR=VALUE]...: runs ima_evm_sign_rootfs on $T/NAME/rootfs
sign() {
	name=$1; shift
	w="$T/$name"
	mkdir -p "$w/temp" "$w/deploy"
	run python3 "$BBRUN" --layer "$LAYER" \
		--set DISTRO_FEATURES="integrity ima" \
		--set IMAGE_ROOTFS="$w/rootfs" --set T="$w/temp" --set WORKDIR="$w" --set B="$w" \
		--set IMGDEPLOYDIR="$w/deploy" --set IMAGE_NAME="test-image-qemux86-64-20260101" \
		--set IMAGE_LINK_NAME="test-image-qemux86-64" --set sysconfdir=/etc \
		--set STAGING_BINDIR_NATIVE="$native" --set BB_NUMBER_THREADS=2 \
		--set IMA_EVM_KEY_DIR="$keydir" --set TOPDIR="$w" --set PERSISTENT_DIR="$w/cache" \
		"$@" --eval "${EVAL:-classes/ima-evm-rootfs.bbclass}" \
		--func ima_evm_sign_rootfs --scriptdir "$w/temp"
	cat "$T/out" "$T/err" > "$w/task.log"
}

# --- what a build sees without a configured layer -------------------------
run python3 "$BBRUN" --layer "$LAYER" --eval classes/ima-evm-rootfs.bbclass \
	--get IMA_EVM_KEY_DIR IMA_EVM_PRIVKEY IMA_EVM_X509 IMA_EVM_ROOT_CA IMA_EVM_ROOTFS_FILES \
	--set STAGING_DATADIR_NATIVE=/sysroot/usr/share
dk=/sysroot/usr/share/ima-evm-debug-keys
is "defaults: the debug keys staged by ima-evm-debug-keys-native, the seed's file names" "$(tr '\n' '|' < "$T/out")" \
	"$dk|$dk/privkey_ima.pem|$dk/x509_ima.der|$dk/ima-local-ca.pem|. -type f|"

# --- a policy with errors never reaches an image ----------------------------
if have policy; then
	mkdir -p "$T/badpol/rootfs"
	printf 'measure func=BPRM_CHECK\nappraise func=NO_SUCH_HOOK\n' > "$T/bad.policy"
	sign badpol --set IMA_EVM_POLICY="$T/bad.policy"
	is "IMA_EVM_POLICY with an error fails the task" "$rc" 1
	like "... naming the policy" "$T/badpol/task.log" "ERROR: IMA/EVM: the policy $T/bad.policy has errors"
	like "... and the rule" "$T/badpol/task.log" "bad.policy:2:[0-9]+: error: unknown func"
	run test -e "$T/badpol/rootfs/etc/ima/ima-policy"
	is "... and is not installed" "$rc" 1
else
	skip "IMA_EVM_POLICY is checked" "imactl policy not on this branch yet (issue 5)"
fi

if ! have sign-tree || ! have verify-tree; then
	skip "signing with the class" "imactl sign-tree/verify-tree not on this branch yet (issue 3)"
	done_testing
	exit 0
fi

# A policy file to install: the shipped one when there is one.
# shellcheck disable=SC2012 # the policies' names: no blanks
policy=$(ls "$SRC_ROOT"/policies/* 2>/dev/null | head -n 1)
if [ -z "$policy" ]; then
	policy="$T/policy"
	printf 'measure func=BPRM_CHECK\n' > "$policy"
fi
pcheck=1
have policy || pcheck=0

# --- the main run: IMA signatures + EVM portable, policy, manifest ---------
make_rootfs "$T/main/rootfs"
files=$(find "$T/main/rootfs" -type f | wc -l)
sign main --set IMA_EVM_POLICY="$policy" --set IMA_EVM_POLICY_CHECK=$pcheck \
	--set IMA_EVM_MANIFEST='${sysconfdir}/ima/ima-evm.manifest'
is "the signing task succeeds" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/main/task.log"
r="$T/main/rootfs"
run cmp "$policy" "$r/etc/ima/ima-policy"
is "IMA_EVM_POLICY is installed as /etc/ima/ima-policy" "$rc" 0
ok "imactl verify-tree: every file verifies (IMA + EVM)" "$IMACTL" verify-tree "$r" --cert "$cert" --evm
# evmctl, file by file: IMA signature and EVM portable signature
nf=0; bad=""
find "$r" -type f > "$T/files"
while IFS= read -r f; do
	nf=$((nf + 1))
	evmctl ima_verify --key "$cert" "$f" >/dev/null 2>&1 || bad="$bad ima:$f"
	evmctl verify --key "$cert" "$f" >/dev/null 2>&1 || bad="$bad evm:$f"
done < "$T/files"
is "Debian's evmctl accepts the IMA and EVM signature of every file ($nf)" "$bad" ""
is "every regular file was signed (incl. policy and manifest)" "$nf" $((files + 2))
m="$r/etc/ima/ima-evm.manifest"
ok "the manifest in the image is signed" evmctl ima_verify --key "$cert" "$m"
is "the manifest lists every other regular file" "$(wc -l < "$m")" $((files + 1))
like "manifest lines are '/path ima:0x.. evm:0x..'" "$m" '^/usr/bin/tool1 ima:0x0302[0-9a-f]+ evm:0x05[0-9a-f]+$'
run cmp "$m" "$T/main/deploy/test-image-qemux86-64-20260101.ima-evm.manifest"
is "the manifest is deployed next to the image" "$rc" 0
is "deploy symlink for IMAGE_LINK_NAME" "$(readlink "$T/main/deploy/test-image-qemux86-64.ima-evm.manifest")" \
	"test-image-qemux86-64-20260101.ima-evm.manifest"
like "the task log has imactl's summary" "$T/main/task.log" 'NOTE: .*signed'
ok "no security.ima on the symlink" sh -c "! getfattr -h -n security.ima '$r/usr/bin/sh-link' 2>/dev/null | grep -q ima"

# Running do_image again (the keys changed, say) gives the same result.
getfattr -R -d -m '^security\.' -e hex --absolute-names "$r" 2>/dev/null | sed "s|$r||" > "$T/xattrs.1"
sign main --set IMA_EVM_POLICY="$policy" --set IMA_EVM_POLICY_CHECK=$pcheck \
	--set IMA_EVM_MANIFEST='${sysconfdir}/ima/ima-evm.manifest'
is "a second run succeeds" "$rc" 0
# the class's signature cache (PERSISTENT_DIR/imactl-sign): nothing changed, nothing signed
# anew: IMA + EVM of each file (the policy is one more, the hard link one less)
like "... reusing every value from the cache (imactl's summary)" "$T/main/task.log" \
	"signatures: $((2 * files)) reused from the cache, 0 verified with the key, 0 newly signed, 0 cache entries rejected"
getfattr -R -d -m '^security\.' -e hex --absolute-names "$r" 2>/dev/null | sed "s|$r||" > "$T/xattrs.2"
run cmp "$T/xattrs.1" "$T/xattrs.2"
is "a second run gives identical xattrs and does not sign the old manifest as content" "$rc" 0

# --- no keys configured: the debug keys of ima-evm-debug-keys-native ---------
# The native recipe's do_compile and do_install, then its ${D}${datadir} as
# the image's native sysroot (what do_populate_sysroot stages).
if have keygen; then
	KR=recipes-security/ima-evm-debug-keys/ima-evm-debug-keys-native_1.0.bb
	w="$T/dkeys"
	mkdir -p "$w/temp" "$w/build" "$w/image"
	for f in do_compile do_install; do
		run python3 "$BBRUN" --layer "$LAYER" --set B="$w/build" --set D="$w/image" --set T="$w/temp" \
			--set datadir=/usr/share --set STAGING_BINDIR_NATIVE="$native" --eval $KR --func $f --scriptdir "$w/temp"
		is "ima-evm-debug-keys-native: $f" "$rc" 0
	done
	dk="$w/image/usr/share/ima-evm-debug-keys"
	is "ima-evm-debug-keys-native: the private keys are 0600" \
		"$(stat -c %a "$dk/privkey_ima.pem" "$dk/ima-local-ca.priv" | tr '\n' ' ')" "600 600 "
	ok "the debug signer chains to the debug CA" openssl verify -CAfile "$dk/ima-local-ca.pem" \
		"$(openssl x509 -inform DER -in "$dk/x509_ima.der" -out "$w/signer.pem" && echo "$w/signer.pem")"
	make_rootfs "$T/debug/rootfs"
	sign debug --set IMA_EVM_KEY_DIR='${IMA_EVM_DEBUG_KEY_DIR}' --set STAGING_DATADIR_NATIVE="$w/image/usr/share"
	is "without IMA_EVM_KEY_DIR the task signs with the staged debug keys" "$rc" 0
	like "... warning that they are debug keys" "$T/debug/task.log" "WARNING: IMA/EVM: using the DEBUG keys of ima-evm-debug-keys-native"
	ok "the image verifies with the debug certificate" "$IMACTL" verify-tree "$T/debug/rootfs" --cert "$dk/x509_ima.der" --evm
	make_rootfs "$T/debug/rootfs"
	sign debug --set IMA_EVM_KEY_DIR='${IMA_EVM_DEBUG_KEY_DIR}' --set STAGING_DATADIR_NATIVE="$T/no-sysroot"
	is "debug keys not staged: the task fails" "$rc" 1
	like "... naming the dependency" "$T/debug/task.log" \
		"ERROR: IMA/EVM: no debug key $T/no-sysroot/ima-evm-debug-keys/privkey_ima.pem \\(the task needs ima-evm-debug-keys-native:do_populate_sysroot"
else
	skip "debug keys" "imactl keygen not on this branch yet (issue 4)"
fi

# --- the seed's IMA_EVM_ROOTFS_FILES: start directories and -type f -------
make_rootfs "$T/sub/rootfs"
sign sub --set IMA_EVM_ROOTFS_FILES="usr ./sbin/ -type f"
is "IMA_EVM_ROOTFS_FILES = 'usr ./sbin/ -type f' succeeds" "$rc" 0
r="$T/sub/rootfs"
is "a file under usr/ is signed" "$(xattr_hex security.ima "$r/usr/lib/mod/lib3.so" | cut -c1-4)" "0302"
is "sbin/init is signed" "$(xattr_hex security.ima "$r/sbin/init" | cut -c1-4)" "0302"
is "etc/fstab is not" "$(xattr_hex security.ima "$r/etc/fstab")" ""
sign sub --set IMA_EVM_ROOTFS_FILES=". -name '*.so'"
is "an unsupported find predicate fails the task" "$rc" 1
like "... and says which" "$T/sub/task.log" "ERROR: IMA/EVM: IMA_EVM_ROOTFS_FILES: the find predicate '-name' is not supported"

# --- hashes instead of signatures -------------------------------------------
make_rootfs "$T/hash/rootfs"
sign hash --set IMA_EVM_ROOTFS_IMA=hash
is "IMA_EVM_ROOTFS_IMA = hash succeeds" "$rc" 0
is "security.ima is a sha256 hash" "$(xattr_hex security.ima "$T/hash/rootfs/etc/fstab")" \
	"0404$(sha256sum "$T/hash/rootfs/etc/fstab" | cut -d' ' -f1)"

# --- mutable files (IMA_EVM_MUTABLE): an IMA hash, no EVM signature, a list --
make_rootfs "$T/mut/rootfs"
r="$T/mut/rootfs"
printf '0123456789abcdef0123456789abcdef\n' > "$r/etc/machine-id"
printf 'records\n' > "$r/home/root/app.db"
sign mut --set IMA_EVM_MUTABLE="/etc/machine-id /var/log *.db"
is "IMA_EVM_MUTABLE: the signing task succeeds" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/mut/task.log"
bad=""
for f in etc/machine-id home/root/app.db var/log/big; do
	[ "$(xattr_hex security.ima "$r/$f")" = "0404$(sha256sum "$r/$f" | cut -d' ' -f1)" ] || bad="$bad ima:$f"
	[ -z "$(xattr_hex security.evm "$r/$f")" ] || bad="$bad evm:$f"
done
is "the mutable files hold the sha256 of their content and no security.evm" "$bad" ""
is "the other files keep their IMA signature (0302) and EVM portable signature (05)" \
	"$(xattr_hex security.ima "$r/etc/fstab" | cut -c1-4) $(xattr_hex security.evm "$r/etc/fstab" | cut -c1-2)" "0302 05"
ok "... which Debian's evmctl verifies" evmctl verify --key "$cert" "$r/etc/fstab"
is "the list in the image (IMA_EVM_MUTABLE_LIST): the mutable files, sorted" \
	"$(tr '\n' ' ' < "$r/etc/imactl/mutable.list")" "/etc/machine-id /home/root/app.db /var/log/big "
ok "the list is signed like the other files (evmctl)" evmctl ima_verify --key "$cert" "$r/etc/imactl/mutable.list"
ok "... with its EVM portable signature" evmctl verify --key "$cert" "$r/etc/imactl/mutable.list"
run cmp "$r/etc/imactl/mutable.list" "$T/mut/deploy/test-image-qemux86-64-20260101.mutable.list"
is "the list is deployed next to the image" "$rc" 0
is "... with its IMAGE_LINK_NAME symlink" "$(readlink "$T/mut/deploy/test-image-qemux86-64.mutable.list")" \
	"test-image-qemux86-64-20260101.mutable.list"
like "the task verified the signed files and the mutable ones apart" "$T/mut/task.log" \
	"NOTE: IMA/EVM: mutable files verified: .*hash-only 3"
# a rerun with fewer mutable files: the old list is not kept or signed as content
sign mut --set IMA_EVM_MUTABLE="/etc/machine-id"
is "a rerun with IMA_EVM_MUTABLE = /etc/machine-id succeeds" "$rc" 0
is "... the list names that file only" "$(cat "$r/etc/imactl/mutable.list")" "/etc/machine-id"
is "... and app.db is signed again (IMA 0302, EVM 05)" \
	"$(xattr_hex security.ima "$r/home/root/app.db" | cut -c1-4) $(xattr_hex security.evm "$r/home/root/app.db" | cut -c1-2)" "0302 05"
sign mut --set IMA_EVM_MUTABLE="/etc/machine-id" --set IMA_EVM_MUTABLE_LIST=""
is "IMA_EVM_MUTABLE without a place for the list fails the task" "$rc" 1
like "... saying why" "$T/mut/task.log" "ERROR: IMA/EVM: IMA_EVM_MUTABLE needs IMA_EVM_MUTABLE_LIST"
sign mut --set IMA_EVM_MUTABLE=""
is "without IMA_EVM_MUTABLE: no list in the image" "$rc:$(test -e "$r/etc/imactl/mutable.list" && echo list)" "0:"
is "... and every file signed" "$(xattr_hex security.evm "$r/etc/machine-id" | cut -c1-2)" "05"

# --- a 32-bit target: the EVM signature covers its word size ---------------
make_rootfs "$T/m32/rootfs"
# an ELF32 header is all that tells: init and libc of a 32-bit target
for f in sbin/init lib/libc.so.6; do
	python3 -c 'import sys; sys.stdout.buffer.write(b"\x7fELF\x01\x01\x01" + bytes(45))' > "$T/m32/rootfs/$f"
done
sign m32
is "a 32-bit root filesystem: the task succeeds (target bits auto)" "$rc" 0
f="$T/m32/rootfs/etc/fstab"
ok "evmctl verify --m32 accepts its EVM signatures" evmctl verify --m32 --key "$cert" "$f"
fails 1 "and the 64-bit form does not match" evmctl verify --key "$cert" "$f"

# --- the initramfs: signed like an image, its xattrs carried by the manifest --
# integrity-initramfs.bb sets IMA_EVM_MANIFEST; cpio drops the xattrs; the
# initramfs module puts them back, then loads the (signed) policy by path.
if have apply-manifest && have policy; then
	ir="$T/initramfs/rootfs"
	mkdir -p "$ir/etc/keys" "$ir/etc/ima" "$ir/bin" "$ir/init.d"
	cp /bin/dash "$ir/bin/sh"
	cp "$cert" "$ir/etc/keys/x509_evm.der"
	ln -s x509_evm.der "$ir/etc/keys/x509_ima.der"
	sed -e 's/@@FORCE_IMA@@/false/g' -e 's/@@ENABLE_EVM@@/1/g' \
		"$LAYER/recipes-core/initrdscripts/initramfs-framework-ima/ima" > "$ir/init.d/20-ima"
	EVAL=recipes-core/images/integrity-initramfs.bb sign initramfs \
		--set IMA_EVM_POLICY="$SRC_ROOT/policies/systemd"
	is "integrity-initramfs: the signing task succeeds" "$rc" 0
	ok "integrity-initramfs: the manifest is in the image" test -s "$ir/etc/ima/ima-evm.manifest"
	# what the cpio archive carries: the files, no xattrs
	up="$T/initramfs/unpacked"
	rm -rf "$up"; cp -a --no-preserve=xattr "$ir" "$up"
	is "the unpacked copy has lost the signatures" "$(xattr_hex security.ima "$up/bin/sh")" ""
	sfs="$T/initramfs/securityfs"
	mkdir -p "$sfs/ima"; : > "$sfs/ima/policy"; echo 0 > "$sfs/evm"
	printf '#!/bin/sh\n[ "$1" = import ] && { echo 1; exit 0; }\nexec "%s" "$@"\n' "$IMACTL" > "$T/initramfs/imactl"
	chmod +x "$T/initramfs/imactl"
	run env IMA_ROOT="$up" IMA_SECURITYFS="$sfs" IMA_IMACTL="$T/initramfs/imactl" sh -c '
		info() { :; }; debug() { :; }; msg() { echo "msg: $*"; }; fatal() { echo "fatal: $*"; exit 1; }
		. "$1"; ima_enabled && ima_run' sh "$up/init.d/20-ima"
	is "the module runs" "$rc" 0
	[ "$rc" = 0 ] || sed 's/^/# /' "$T/out"
	ok "after the module, the unpacked initramfs verifies (IMA + EVM)" \
		"$IMACTL" verify-tree "$up" --cert "$cert" --evm --exclude /etc/ima/ima-evm.manifest
	is "the signed policy was loaded by path (the kernel appraises it)" "$(cat "$sfs/ima/policy")" "$up/etc/ima/ima-policy"
else
	skip "the initramfs manifest round trip" "imactl apply-manifest or policy load missing"
fi

# --- failures fail the build, naming the cause -----------------------------
make_rootfs "$T/fail/rootfs"
sign fail --set IMA_EVM_X509="$KEYS/other.der"
is "a certificate that does not match the key fails the task" "$rc" 1
like "... with an ERROR naming the problem" "$T/fail/task.log" "ERROR: IMA/EVM: signing .* failed"
sign fail --set IMA_EVM_PRIVKEY="$T/no-such-key.pem"
is "a missing key fails the task" "$rc" 1
like "... naming the file" "$T/fail/task.log" "ERROR: IMA/EVM: cannot read $T/no-such-key.pem"

# A file the build cannot read: the build runs unprivileged (pseudo emulates
# root, it does not grant root's rights); here as nobody with user.* xattrs on
# a tree nobody owns, but one file only root can read.
if command -v setpriv >/dev/null; then
	make_rootfs "$T/unread/rootfs"
	r="$T/unread/rootfs"
	chmod -R a+rX "$T" "$native" "$keydir"
	chmod a+r "$keydir/privkey_ima.pem"
	mkdir -p "$T/unread/temp" "$T/unread/deploy"
	chown -R nobody "$T/unread"
	printf 'secret\n' > "$r/etc/shadow"
	chown root:root "$r/etc/shadow"
	chmod 600 "$r/etc/shadow"
	sign unread --set IMA_EVM_IMACTL_ARGS=--xattr-user \
		--runner "setpriv --reuid=nobody --regid=nogroup --clear-groups"
	is "an unreadable file fails the task" "$rc" 1
	like "... and the ERROR names it" "$T/unread/task.log" "ERROR: IMA/EVM: signing .* failed"
	like "... with its path" "$T/unread/task.log" "etc/shadow"
	is "the other files were still signed" "$(xattr_hex user.ima "$r/etc/fstab" | cut -c1-4)" "0302"
	chmod 600 "$keydir/privkey_ima.pem"
else
	skip "unreadable file" "setpriv missing"
fi
done_testing
