# SPDX-License-Identifier: MIT
# Signs the files of an image with IMA signatures and EVM portable
# signatures, using imactl from imactl-native. Enable it in local.conf:
#
#   DISTRO_FEATURES:append = " integrity ima"
#   IMAGE_CLASSES += "ima-evm-rootfs"
#
# Two modes (IMA_EVM_SIGN_MODE):
# - "rootfs" (default): the task do_ima_evm_sign signs the root filesystem
#   directory with imactl sign-tree, after do_image (which runs every
#   IMAGE_PREPROCESS_COMMAND, the last changes to the root filesystem) and
#   before each do_image_<type>, under pseudo, which keeps the security.*
#   xattrs for every image type (ext4, tar, wic, cpio with a manifest).
# - "image": no xattr is written to the root filesystem. Inside
#   do_image_ext2/3/4, right after IMAGE_CMD has made the file system and
#   before its conversions (ext4.gz, ext4.zst ...) run in the same task,
#   imactl sign-image signs the files in the image itself; nothing needs
#   pseudo to keep xattrs. Other image types would carry no signatures: their
#   tasks stop with a message (IMA_EVM_UNSIGNED_TYPES lets some through).
# Nothing is reordered: the class adds one task and its edges, and in image
# mode one command at the end of IMAGE_CMD:ext2/3/4.
# Signing is followed by imactl verify-tree / verify-image. Any file that
# cannot be signed or does not verify fails the build with the file named.
#
# Inherit it through IMAGE_CLASSES or after image/core-image: the task is put
# before the do_image_<type> tasks image.bbclass has created.

inherit ima-evm-common

# What to put in security.ima: "sig" (a signature) or "hash" (a hash only).
IMA_EVM_ROOTFS_IMA ?= "sig"
# EVM: "portable" (a portable signature, survives copying into the image) or
# "none".
IMA_EVM_ROOTFS_EVM ?= "portable"
# Digest algorithm of the signatures.
IMA_EVM_HASH ?= "sha256"
# Word size of the target, which the EVM signature covers: "auto" reads it
# from the ELF class of the image's libc or init; or "32" / "64".
IMA_EVM_TARGET_BITS ?= "auto"
# Threads used for signing.
IMA_EVM_JOBS ?= "${BB_NUMBER_THREADS}"
# More options for both imactl sign-tree and verify-tree, e.g. "--xattr-user"
# (user.* xattrs, to test without privileges).
IMA_EVM_IMACTL_ARGS ?= ""

# Which files to sign. meta-integrity's form is a find expression relative to
# the root filesystem: start directories and "-type f" ("usr sbin bin lib
# -type f"); other find predicates are refused. Everything is signed by default.
IMA_EVM_ROOTFS_FILES ?= ". -type f"
# imactl's form (space separated globs): one with '/' is anchored at the root
# and covers the subtree below a match ("/usr/bin"), one without matches names
# at any depth ("*.pyc").
IMA_EVM_ROOTFS_INCLUDE ?= ""
IMA_EVM_ROOTFS_EXCLUDE ?= ""

# Policy installed to ${sysconfdir}/ima/ima-policy in the image (and signed
# like every other file), e.g. the layer's
# "${INTEGRITY_BASE}/recipes-security/ima_policy_systemd/files/ima_policy_systemd".
# Empty: none.
IMA_EVM_POLICY ?= ""
# Check the policy with "imactl policy check" before installing it.
IMA_EVM_POLICY_CHECK ?= "1"

# A signature manifest inside the image, one line per signed file:
# "/path ima:0x... evm:0x...". An initramfs needs it: cpio keeps no xattrs,
# and the initramfs module restores them with "imactl apply-manifest".
# Example: IMA_EVM_MANIFEST = "${sysconfdir}/ima/ima-evm.manifest". Empty: none.
# The manifest is always deployed next to the image as
# ${IMAGE_NAME}.ima-evm.manifest (the runtime tests read it).
IMA_EVM_MANIFEST ?= ""

# More options for imactl sign-tree / sign-image only.
IMA_EVM_SIGN_ARGS ?= ""

# Mutable files: space separated globs (imactl's form, as
# IMA_EVM_ROOTFS_INCLUDE) of the files the running system writes, e.g.
# "/etc/machine-id /var *.db". They get an IMA hash instead of a signature
# and no EVM portable signature (imactl --mutable); on first boot the
# initramfs module initramfs-module-imactl-evm gives them an EVM HMAC under
# the device's TPM-sealed key ('evm-hmac' in DISTRO_FEATURES). Empty: none.
IMA_EVM_MUTABLE ?= ""
# IMA_EVM_MUTABLE_LIST (ima-evm-common): where the image carries their list.

# "rootfs" (sign the root filesystem directory, every image type carries the
# signatures) or "image" (sign the ext2/3/4 image files, no xattrs needed on
# the build host or from pseudo). See the layer README.
IMA_EVM_SIGN_MODE ?= "rootfs"
# Image mode: image types (IMAGE_FSTYPES words) that may be built although
# they are not signed, e.g. a wic image that only copies the signed ext4 in
# (rawcopy). Any other non-ext type fails its do_image_<type>.
IMA_EVM_UNSIGNED_TYPES ?= ""

# imactl's signature cache (sign-tree/sign-image --cache): a value signed
# before for the same content (IMA) or the same EVM input, key and algorithm
# is reused once its MAC (keyed from the private key) checks, so a rebuild
# signs only what changed. Like the sstate cache it outlives TMPDIR:
# PERSISTENT_DIR (the build directory's cache/) belongs to the build
# directory, survives "rm -rf tmp", and pseudo does not track it
# (scarthgap: PSEUDO_IGNORE_PATHS; later: outside PSEUDO_INCLUDE_PATHS), so
# imactl creates and reads it as the build user. It must belong to that user
# (imactl refuses another user's; not SSTATE_DIR, which may be shared).
# "" signs without a cache. IMA_EVM_CACHE_SIZE: imactl's --cache-size.
IMA_EVM_CACHE_DIR ?= "${PERSISTENT_DIR}/imactl-sign"
IMA_EVM_CACHE_SIZE ?= ""
# A cache directory set elsewhere is kept out of pseudo's database too.
PSEUDO_IGNORE_PATHS .= "${@',' + d.getVar('IMA_EVM_CACHE_DIR') if d.getVar('IMA_EVM_CACHE_DIR') else ''}"

# tar image types keep the signatures (pax headers SCHILY.xattr.security.*);
# unpack with "tar --xattrs --xattrs-include='security.*'" as root to keep them.
IMA_EVM_TAR_ARGS ?= "--xattrs --xattrs-include='security.*'"
IMAGE_CMD_TAR:append = "${@' ' + d.getVar('IMA_EVM_TAR_ARGS') if bb.utils.contains('DISTRO_FEATURES', 'ima', True, False, d) else ''}"

IMAGE_INSTALL:append = "${@bb.utils.contains('DISTRO_FEATURES', 'ima', ' ima-evm-keys', '', d)}"

do_ima_evm_sign () {
	if [ "${IMA_EVM_SIGN_MODE}" = "image" ]; then
		ima_evm_prepare_image_mode
	else
		ima_evm_sign_rootfs
	fi
}
addtask ima_evm_sign after do_image before do_image_complete
do_ima_evm_sign[fakeroot] = "1"
do_ima_evm_sign[depends] += "imactl-native:do_populate_sysroot ${IMA_EVM_DEBUG_KEYS_DEPENDS}"
do_ima_evm_sign[file-checksums] += "${@ima_evm_file_checksums(d, 'IMA_EVM_PRIVKEY IMA_EVM_X509 IMA_EVM_POLICY')}"
do_ima_evm_sign[vardepsexclude] += "DATETIME DATE"
ima_evm_sign_rootfs[vardepsexclude] += "IMA_EVM_EVMCTL_KEY_PASSWORD BB_NUMBER_THREADS"
ima_evm_sign_image[vardepsexclude] += "IMA_EVM_EVMCTL_KEY_PASSWORD BB_NUMBER_THREADS"

# Image mode: the last command of IMAGE_CMD:ext2/3/4, so it runs in
# do_image_<type> after the file system is made (and checked by fsck) and
# before the conversion commands image.bbclass appends to the same task.
IMAGE_CMD:ext2:append = "${@ima_evm_image_cmd(d, 'ext2')}"
IMAGE_CMD:ext3:append = "${@ima_evm_image_cmd(d, 'ext3')}"
IMAGE_CMD:ext4:append = "${@ima_evm_image_cmd(d, 'ext4')}"
IMA_EVM_EXT_TYPES = "ext2 ext3 ext4"

def ima_evm_image_mode(d):
    return (bb.utils.contains('DISTRO_FEATURES', 'ima', True, False, d) and
            d.getVar('IMA_EVM_SIGN_MODE') == 'image')

def ima_evm_image_cmd(d, fstype):
    return '\n\tima_evm_sign_image %s' % fstype if ima_evm_image_mode(d) else ''

# Every do_image_<type> (image.bbclass marks them with the "imagetype" flag)
# runs after do_ima_evm_sign. Without "ima" in DISTRO_FEATURES the task is
# dropped. Image mode: the ext tasks get imactl-native and the keys; the
# others stop unless listed in IMA_EVM_UNSIGNED_TYPES.
python () {
    if not bb.utils.contains('DISTRO_FEATURES', 'ima', True, False, d):
        bb.build.deltask('do_ima_evm_sign', d)
        return
    mode = d.getVar('IMA_EVM_SIGN_MODE')
    if mode not in ('rootfs', 'image'):
        bb.fatal('ima-evm-rootfs: IMA_EVM_SIGN_MODE = "%s": use "rootfs" or "image"' % mode)
    types = [t for t in (d.getVar('__BBTASKS', False) or []) if d.getVarFlag(t, 'imagetype')]
    if not types and (d.getVar('IMAGE_FSTYPES') or '').split():
        bb.fatal('ima-evm-rootfs: no do_image_<type> tasks to sign before; inherit it after image '
                 'or core-image, or through IMAGE_CLASSES')
    ext = d.getVar('IMA_EVM_EXT_TYPES').split()
    unsigned = d.getVar('IMA_EVM_UNSIGNED_TYPES').split()
    for t in types:
        bb.build.addtask('do_ima_evm_sign', t, 'do_image', d)
        if mode != 'image':
            continue
        if d.getVarFlag(t, 'imagetype') in ext:
            d.appendVarFlag(t, 'depends', ' imactl-native:do_populate_sysroot ' +
                            d.getVar('IMA_EVM_DEBUG_KEYS_DEPENDS'))
            d.appendVarFlag(t, 'file-checksums', ' ' + ima_evm_file_checksums(d, 'IMA_EVM_PRIVKEY IMA_EVM_X509'))
        elif d.getVarFlag(t, 'imagetype') not in unsigned:
            d.prependVarFlag(t, 'prefuncs', 'ima_evm_unsigned_type ')
}

python ima_evm_unsigned_type () {
    bb.fatal('IMA/EVM: IMA_EVM_SIGN_MODE = "image" signs ext2/ext3/ext4 images only: do_%s would be made '
             'from the unsigned root filesystem. Remove it from IMAGE_FSTYPES, use IMA_EVM_SIGN_MODE = '
             '"rootfs", or add it to IMA_EVM_UNSIGNED_TYPES if it only repackages a signed ext image.'
             % d.getVar('BB_CURRENTTASK'))
}

# The steps of signing, as functions other tasks can reuse: ima_evm_check_keys
# (readable keys, the passphrase), ima_evm_selection (sets $selection from the
# IMA_EVM_ROOTFS_* variables), ima_evm_sign_tree and ima_evm_verify_tree.

ima_evm_check_keys () {
	if [ ! -x "${IMA_EVM_IMACTL}" ]; then
		bbfatal "IMA/EVM: no imactl at ${IMA_EVM_IMACTL} (does the task depend on imactl-native:do_populate_sysroot?)"
	fi
	ima_evm_debug_keys "${IMA_EVM_PRIVKEY}" "${IMA_EVM_X509}"
	for f in "${IMA_EVM_PRIVKEY}" "${IMA_EVM_X509}"; do
		case "$f" in
		pkcs11:*) continue ;; # a key in a token, opened by imactl
		esac
		if [ ! -r "$f" ]; then
			bbfatal "IMA/EVM: cannot read $f (set IMA_EVM_KEY_DIR, or IMA_EVM_PRIVKEY and IMA_EVM_X509)"
		fi
	done
	passfile="${IMA_EVM_PRIVKEY_PASSWORD_FILE}"
	if [ -n "$passfile" ] && [ ! -r "$passfile" ]; then
		bbfatal "IMA/EVM: cannot read IMA_EVM_PRIVKEY_PASSWORD_FILE $passfile"
	fi
	if [ -z "$passfile" ] && [ -n "${IMA_EVM_EVMCTL_KEY_PASSWORD}" ]; then
		IMACTL_KEY_PASSWORD="${IMA_EVM_EVMCTL_KEY_PASSWORD}"
		export IMACTL_KEY_PASSWORD
	fi
}

# Sets $selection: imactl --include/--exclude options, and
# $selection_excluded: its --exclude options alone. Call it under set -f
# (the globs are for imactl, not for the shell).
ima_evm_selection () {
	selection=""
	selection_excluded=""
	all=""
	want_type=""
	for w in ${IMA_EVM_ROOTFS_FILES}; do
		if [ -n "$want_type" ]; then
			if [ "$w" != "f" ]; then
				bbfatal "IMA/EVM: IMA_EVM_ROOTFS_FILES: only '-type f' is supported, not '-type $w'"
			fi
			want_type=""
			continue
		fi
		case "$w" in
		-type) want_type=1 ;;
		-*) bbfatal "IMA/EVM: IMA_EVM_ROOTFS_FILES: the find predicate '$w' is not supported; use IMA_EVM_ROOTFS_INCLUDE and IMA_EVM_ROOTFS_EXCLUDE globs" ;;
		.|./) all=1 ;;
		*)
			# anchored at the root (a glob with '/' is), with its subtree
			w=${w#./}
			w=${w#/}
			w=${w%/}
			selection="$selection --include /$w"
			;;
		esac
	done
	if [ -n "$all" ]; then
		selection=""
	fi
	for g in ${IMA_EVM_ROOTFS_INCLUDE}; do
		selection="$selection --include $g"
	done
	for g in ${IMA_EVM_ROOTFS_EXCLUDE}; do
		selection="$selection --exclude $g"
		selection_excluded="$selection_excluded --exclude $g"
	done
}

# ima_evm_sign COMMAND TARGET LOG [OPTION]...: imactl sign-tree (TARGET a
# directory) or sign-image (an ext2/3/4 image) with the class's key,
# signature and cache settings, output appended to LOG; fails the task.
ima_evm_sign () {
	cmd=$1
	target=$2
	log=$3
	shift 3
	rc=0
	if [ -n "${IMA_EVM_PRIVKEY_PASSWORD_FILE}" ]; then
		set -- --pass-file "${IMA_EVM_PRIVKEY_PASSWORD_FILE}" "$@"
	fi
	if [ -n "${IMA_EVM_CACHE_DIR}" ]; then
		mkdir -p "$(dirname "${IMA_EVM_CACHE_DIR}")"
		set -- --cache "${IMA_EVM_CACHE_DIR}" "$@"
		if [ -n "${IMA_EVM_CACHE_SIZE}" ]; then
			set -- --cache-size "${IMA_EVM_CACHE_SIZE}" "$@"
		fi
	else
		set -- --no-cache "$@"
	fi
	"${IMA_EVM_IMACTL}" $cmd "$target" --key "${IMA_EVM_PRIVKEY}" --cert "${IMA_EVM_X509}" \
		--ima "${IMA_EVM_ROOTFS_IMA}" --evm "${IMA_EVM_ROOTFS_EVM}" --hash "${IMA_EVM_HASH}" \
		--target-bits "${IMA_EVM_TARGET_BITS}" ${IMA_EVM_IMACTL_ARGS} ${IMA_EVM_SIGN_ARGS} "$@" \
		>>"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: signing $target failed (imactl $cmd exit $rc):
$(tail -n 100 "$log")"
	fi
}
# where the cache is does not change a signature
ima_evm_sign[vardepsexclude] += "IMA_EVM_CACHE_DIR IMA_EVM_CACHE_SIZE"

# ima_evm_sign_tree DIR LOG [OPTION]...: imactl sign-tree (ima_evm_sign).
ima_evm_sign_tree () {
	ima_evm_sign sign-tree "$@"
}

# ima_evm_verify_tree DIR LOG [OPTION]...: imactl verify-tree with the
# certificate the target will use, as strict as the signing settings.
ima_evm_verify_tree () {
	ima_evm_verify verify-tree "$@"
}

# ima_evm_verify COMMAND TARGET LOG [OPTION]...: imactl verify-tree or
# verify-image, as strict as the signing settings; fails the task.
ima_evm_verify () {
	cmd=$1
	dir=$2
	log=$3
	shift 3
	checks="--target-bits ${IMA_EVM_TARGET_BITS}"
	if [ "${IMA_EVM_ROOTFS_EVM}" = "portable" ]; then
		checks="$checks --evm"
	fi
	if [ "${IMA_EVM_ROOTFS_IMA}" = "sig" ]; then
		checks="$checks --require-sig"
	else
		# hashes were asked for: with --cert verify-tree refuses them unless allowed
		checks="$checks --allow-hash"
	fi
	rc=0
	"${IMA_EVM_IMACTL}" $cmd "$dir" --cert "${IMA_EVM_X509}" $checks ${IMA_EVM_IMACTL_ARGS} "$@" \
		>"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: $dir does not verify after signing (imactl $cmd exit $rc):
$(tail -n 100 "$log")"
	fi
	bbnote "IMA/EVM: verified: $(tail -n 3 "$log")"
}

# ima_evm_install_policy: IMA_EVM_POLICY, checked, as /etc/ima/ima-policy.
ima_evm_install_policy () {
	rootfs="${IMAGE_ROOTFS}"
	policy="${IMA_EVM_POLICY}"
	if [ -n "$policy" ]; then
		if [ ! -r "$policy" ]; then
			bbfatal "IMA/EVM: cannot read IMA_EVM_POLICY $policy"
		fi
		if [ "${IMA_EVM_POLICY_CHECK}" = "1" ]; then
			if ! "${IMA_EVM_IMACTL}" policy check "$policy" >"${T}/ima-evm-policy-check.log" 2>&1; then
				bbfatal "IMA/EVM: the policy $policy has errors:
$(cat "${T}/ima-evm-policy-check.log")"
			fi
		fi
		install -d "$rootfs${sysconfdir}/ima"
		rm -f "$rootfs${sysconfdir}/ima/ima-policy"
		install -m 0644 "$policy" "$rootfs${sysconfdir}/ima/ima-policy"
	fi
}

# ima_evm_deploy_manifest FILE: the manifest next to the image.
ima_evm_deploy_manifest () {
	if [ -n "${IMGDEPLOYDIR}" ]; then
		install -d "${IMGDEPLOYDIR}"
		install -m 0644 "$1" "${IMGDEPLOYDIR}/${IMAGE_NAME}.ima-evm.manifest"
		ln -sf "${IMAGE_NAME}.ima-evm.manifest" "${IMGDEPLOYDIR}/${IMAGE_LINK_NAME}.ima-evm.manifest"
	fi
}

ima_evm_sign_rootfs () {
	rootfs="${IMAGE_ROOTFS}"
	ima_evm_check_keys

	# A manifest or mutable list left by an earlier run must not be signed
	# as content.
	manifest="${IMA_EVM_MANIFEST}"
	manifest=${manifest#/}
	if [ -n "$manifest" ]; then
		rm -f "$rootfs/$manifest"
	fi
	ima_evm_mutable_clean
	ima_evm_install_policy

	set -f
	ima_evm_selection
	ima_evm_mutable_setup "${T}/ima-evm-mutable.list"
	bbnote "IMA/EVM: signing $rootfs with ${IMA_EVM_PRIVKEY} (IMA ${IMA_EVM_ROOTFS_IMA}, EVM ${IMA_EVM_ROOTFS_EVM})"
	: >"${T}/ima-evm-sign.log"
	ima_evm_sign_tree "$rootfs" "${T}/ima-evm-sign.log" --jobs "${IMA_EVM_JOBS}" \
		--manifest "${T}/ima-evm.manifest" $selection $mutable
	bbnote "$(cat "${T}/ima-evm-sign.log")"

	# The manifest and the mutable list are signed too (neither can list
	# itself).
	extra=""
	if [ -n "$manifest" ]; then
		install -d "$(dirname "$rootfs/$manifest")"
		install -m 0644 "${T}/ima-evm.manifest" "$rootfs/$manifest"
		extra="$extra --include /$manifest"
	fi
	if [ -n "$mutable" ]; then
		install -d "$(dirname "$rootfs/$mutable_list")"
		install -m 0644 "${T}/ima-evm-mutable.list" "$rootfs/$mutable_list"
		extra="$extra --include /$mutable_list"
	fi
	if [ -n "$extra" ]; then
		ima_evm_sign_tree "$rootfs" "${T}/ima-evm-sign.log" $extra
	fi
	ima_evm_deploy_manifest "${T}/ima-evm.manifest"
	ima_evm_deploy_mutable_list "${T}/ima-evm-mutable.list"

	ima_evm_verify_tree "$rootfs" "${T}/ima-evm-verify.log" $selection $mutable_excluded
	ima_evm_verify_mutable verify-tree "$rootfs" "${T}/ima-evm-verify-mutable.log"
	set +f
}

# ima_evm_mutable_setup LIST: from IMA_EVM_MUTABLE, sets $mutable (imactl's
# --mutable options and --mutable-list LIST), $mutable_only (the globs as
# --include options), $mutable_excluded (as --exclude options) and
# $mutable_list (IMA_EVM_MUTABLE_LIST without its leading '/'). All empty
# without mutable files. Call it under set -f, as ima_evm_selection.
ima_evm_mutable_setup () {
	mutable=""
	mutable_only=""
	mutable_excluded=""
	mutable_list="${IMA_EVM_MUTABLE_LIST}"
	mutable_list=${mutable_list#/}
	for g in ${IMA_EVM_MUTABLE}; do
		mutable="$mutable --mutable $g"
		mutable_only="$mutable_only --include $g"
		mutable_excluded="$mutable_excluded --exclude $g"
	done
	rm -f "$1"
	if [ -z "$mutable" ]; then
		mutable_list=""
		return 0
	fi
	if [ -z "$mutable_list" ]; then
		bbfatal "IMA/EVM: IMA_EVM_MUTABLE needs IMA_EVM_MUTABLE_LIST, the list's place in the image (the initramfs module reads it)"
	fi
	mutable="$mutable --mutable-list $1"
}

# ima_evm_mutable_clean: removes from the root filesystem a mutable list an
# earlier run left there (do_ima_evm_sign, both modes).
ima_evm_mutable_clean () {
	list="${IMA_EVM_MUTABLE_LIST}"
	list=${list#/}
	if [ -n "$list" ]; then
		rm -f "${IMAGE_ROOTFS}/$list"
	fi
}

# ima_evm_deploy_mutable_list FILE: the mutable list next to the image.
ima_evm_deploy_mutable_list () {
	if [ -n "$mutable" ] && [ -n "${IMGDEPLOYDIR}" ]; then
		install -d "${IMGDEPLOYDIR}"
		install -m 0644 "$1" "${IMGDEPLOYDIR}/${IMAGE_NAME}.mutable.list"
		ln -sf "${IMAGE_NAME}.mutable.list" "${IMGDEPLOYDIR}/${IMAGE_LINK_NAME}.mutable.list"
	fi
}

# ima_evm_verify_mutable COMMAND TARGET LOG: the mutable files hold a hash
# of their content (imactl verify-tree/verify-image --allow-hash, without
# --evm: the EVM HMAC comes on the device); the others were verified with
# the mutable globs excluded.
ima_evm_verify_mutable () {
	if [ -z "$mutable" ]; then
		return 0
	fi
	rc=0
	"${IMA_EVM_IMACTL}" $1 "$2" --cert "${IMA_EVM_X509}" --allow-hash \
		--target-bits "${IMA_EVM_TARGET_BITS}" ${IMA_EVM_IMACTL_ARGS} $mutable_only $selection_excluded \
		>"$3" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: the mutable files of $2 do not verify (imactl $1 exit $rc):
$(tail -n 100 "$3")"
	fi
	bbnote "IMA/EVM: mutable files verified: $(tail -n 3 "$3")"
}

# Image mode, do_ima_evm_sign: the root filesystem gets the policy; the
# signatures come later, in the image.
ima_evm_prepare_image_mode () {
	if [ -n "${IMA_EVM_MANIFEST}" ]; then
		bbfatal "IMA/EVM: IMA_EVM_MANIFEST (a manifest inside the image, for cpio) needs IMA_EVM_SIGN_MODE = \"rootfs\""
	fi
	ima_evm_check_keys
	ima_evm_install_policy
	ima_evm_mutable_clean
	set -f
	ima_evm_selection
	ima_evm_mutable_setup "${T}/ima-evm-mutable.list"
	if [ -n "$mutable" ]; then
		ima_evm_mutable_find "${IMAGE_ROOTFS}" "${T}/ima-evm-mutable.list"
	fi
	set +f
	if [ -n "$mutable" ]; then
		install -d "$(dirname "${IMAGE_ROOTFS}/$mutable_list")"
		install -m 0644 "${T}/ima-evm-mutable.list" "${IMAGE_ROOTFS}/$mutable_list"
		bbnote "IMA/EVM: $(wc -l < "${T}/ima-evm-mutable.list") mutable files, listed in /$mutable_list"
	fi
}

# ima_evm_mutable_find ROOTFS LIST: image mode, before the image is made:
# the list sign-image --mutable-list will write, from the unsigned root
# filesystem and imactl's own matching (verify-tree lists each selected
# file without a signature, escaped as the list is). ima_evm_sign_image
# compares it with what sign-image wrote and fails the build on a difference.
ima_evm_mutable_find () {
	ima_evm_problem_paths "$1" "$2" $mutable_only $selection_excluded
	if [ "$selection" != "$selection_excluded" ]; then
		# only what the selection's --include options take in
		ima_evm_problem_paths "$1" "$2.selected" $selection
		grep -Fx -f "$2.selected" "$2" > "$2.both" || true
		mv "$2.both" "$2"
		rm -f "$2.selected"
	fi
	if [ ! -s "$2" ]; then
		bbwarn "IMA/EVM: IMA_EVM_MUTABLE (${IMA_EVM_MUTABLE}) matches no file of the image"
	fi
}

# ima_evm_problem_paths ROOTFS OUT [OPTION]...: the paths imactl
# verify-tree names as problems (every file without a signature), sorted.
ima_evm_problem_paths () {
	root=$1
	out=$2
	shift 2
	rc=0
	"${IMA_EVM_IMACTL}" verify-tree "$root" --cert "${IMA_EVM_X509}" ${IMA_EVM_IMACTL_ARGS} "$@" \
		>"$out.log" 2>&1 || rc=$?
	if [ $rc -gt 1 ]; then
		bbfatal "IMA/EVM: cannot list the files of $root (imactl verify-tree exit $rc):
$(tail -n 100 "$out.log")"
	fi
	# "/PATH: CLASS: DETAILS", PATH escaped: no blank in it
	sed -n 's|^\(/[^ ]*\): [a-z-]*: .*$|\1|p' "$out.log" > "$out"
}

# ima_evm_sign_image TYPE: image mode, the end of IMAGE_CMD:TYPE (ext2/3/4):
# imactl sign-image on the file system just made, then verify-image; the
# manifest is deployed as in rootfs mode.
ima_evm_sign_image () {
	img="${IMGDEPLOYDIR}/${IMAGE_NAME}.$1"
	ima_evm_check_keys
	set -f
	ima_evm_selection
	bbnote "IMA/EVM: signing the $1 image $img with ${IMA_EVM_PRIVKEY} (IMA ${IMA_EVM_ROOTFS_IMA}, EVM ${IMA_EVM_ROOTFS_EVM})"
	: >"${T}/ima-evm-sign-$1.log"
	ima_evm_mutable_setup "${T}/ima-evm-mutable-$1.list"
	ima_evm_sign sign-image "$img" "${T}/ima-evm-sign-$1.log" --jobs "${IMA_EVM_JOBS}" \
		--manifest "${T}/ima-evm-$1.manifest" $selection $mutable
	bbnote "$(cat "${T}/ima-evm-sign-$1.log")"
	if [ -n "$mutable" ] && ! cmp -s "${T}/ima-evm-mutable-$1.list" "${IMAGE_ROOTFS}/$mutable_list"; then
		bbfatal "IMA/EVM: the mutable files imactl sign-image found in $img differ from the list /$mutable_list the image carries (made by do_ima_evm_sign):
$(diff "${IMAGE_ROOTFS}/$mutable_list" "${T}/ima-evm-mutable-$1.list" | head -n 50)"
	fi
	ima_evm_deploy_manifest "${T}/ima-evm-$1.manifest"
	ima_evm_deploy_mutable_list "${T}/ima-evm-mutable-$1.list"
	ima_evm_verify verify-image "$img" "${T}/ima-evm-verify-$1.log" $selection $mutable_excluded
	ima_evm_verify_mutable verify-image "$img" "${T}/ima-evm-verify-mutable-$1.log"
	set +f
}
