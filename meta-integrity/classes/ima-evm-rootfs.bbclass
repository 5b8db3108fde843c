# SPDX-License-Identifier: MIT
# Signs the root filesystem of an image with IMA signatures and EVM portable
# signatures, using imactl from imactl-native. Enable it in local.conf:
#
#   DISTRO_FEATURES:append = " integrity ima"
#   IMAGE_CLASSES += "ima-evm-rootfs"
#
# Signing is the task do_ima_evm_sign: after do_image (which runs every
# IMAGE_PREPROCESS_COMMAND, the last changes to the root filesystem) and before
# each do_image_<type>, under pseudo, which keeps the security.* xattrs for the
# image types. Nothing is reordered: the class adds one task and its edges.
# Signing is followed by imactl verify-tree. Any file that cannot be signed or
# does not verify fails the build with the file named; nothing is ignored.
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

# More options for imactl sign-tree only.
IMA_EVM_SIGN_ARGS ?= ""

# tar image types keep the signatures (pax headers SCHILY.xattr.security.*);
# unpack with "tar --xattrs --xattrs-include='security.*'" as root to keep them.
IMA_EVM_TAR_ARGS ?= "--xattrs --xattrs-include='security.*'"
IMAGE_CMD_TAR:append = "${@' ' + d.getVar('IMA_EVM_TAR_ARGS') if bb.utils.contains('DISTRO_FEATURES', 'ima', True, False, d) else ''}"

IMAGE_INSTALL:append = "${@bb.utils.contains('DISTRO_FEATURES', 'ima', ' ima-evm-keys', '', d)}"

do_ima_evm_sign () {
	ima_evm_sign_rootfs
}
addtask ima_evm_sign after do_image before do_image_complete
do_ima_evm_sign[fakeroot] = "1"
do_ima_evm_sign[depends] += "imactl-native:do_populate_sysroot ${IMA_EVM_DEBUG_KEYS_DEPENDS}"
do_ima_evm_sign[file-checksums] += "${@ima_evm_file_checksums(d, 'IMA_EVM_PRIVKEY IMA_EVM_X509 IMA_EVM_POLICY')}"
do_ima_evm_sign[vardepsexclude] += "DATETIME DATE"
ima_evm_sign_rootfs[vardepsexclude] += "IMA_EVM_EVMCTL_KEY_PASSWORD BB_NUMBER_THREADS"

# Every do_image_<type> (image.bbclass marks them with the "imagetype" flag)
# runs after signing. Without "ima" in DISTRO_FEATURES the task is dropped.
python () {
    if not bb.utils.contains('DISTRO_FEATURES', 'ima', True, False, d):
        bb.build.deltask('do_ima_evm_sign', d)
        return
    types = [t for t in (d.getVar('__BBTASKS', False) or []) if d.getVarFlag(t, 'imagetype')]
    if not types and (d.getVar('IMAGE_FSTYPES') or '').split():
        bb.fatal('ima-evm-rootfs: no do_image_<type> tasks to sign before; inherit it after image '
                 'or core-image, or through IMAGE_CLASSES')
    for t in types:
        bb.build.addtask('do_ima_evm_sign', t, 'do_image', d)
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

# Sets $selection: imactl --include/--exclude options. Call it under set -f
# (the globs are for imactl, not for the shell).
ima_evm_selection () {
	selection=""
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
	done
}

# ima_evm_sign_tree DIR LOG [OPTION]...: imactl sign-tree with the class's
# key and signature settings, output appended to LOG; fails the task.
ima_evm_sign_tree () {
	dir=$1
	log=$2
	shift 2
	rc=0
	if [ -n "${IMA_EVM_PRIVKEY_PASSWORD_FILE}" ]; then
		set -- --pass-file "${IMA_EVM_PRIVKEY_PASSWORD_FILE}" "$@"
	fi
	"${IMA_EVM_IMACTL}" sign-tree "$dir" --key "${IMA_EVM_PRIVKEY}" --cert "${IMA_EVM_X509}" \
		--ima "${IMA_EVM_ROOTFS_IMA}" --evm "${IMA_EVM_ROOTFS_EVM}" --hash "${IMA_EVM_HASH}" \
		--target-bits "${IMA_EVM_TARGET_BITS}" ${IMA_EVM_IMACTL_ARGS} ${IMA_EVM_SIGN_ARGS} "$@" \
		>>"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: signing $dir failed (imactl sign-tree exit $rc):
$(tail -n 100 "$log")"
	fi
}

# ima_evm_verify_tree DIR LOG [OPTION]...: imactl verify-tree with the
# certificate the target will use, as strict as the signing settings.
ima_evm_verify_tree () {
	dir=$1
	log=$2
	shift 2
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
	"${IMA_EVM_IMACTL}" verify-tree "$dir" --cert "${IMA_EVM_X509}" $checks ${IMA_EVM_IMACTL_ARGS} "$@" \
		>"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: $dir does not verify after signing (imactl verify-tree exit $rc):
$(tail -n 100 "$log")"
	fi
	bbnote "IMA/EVM: verified: $(tail -n 3 "$log")"
}

ima_evm_sign_rootfs () {
	rootfs="${IMAGE_ROOTFS}"
	ima_evm_check_keys

	# A manifest left by an earlier run must not be signed as content.
	manifest="${IMA_EVM_MANIFEST}"
	manifest=${manifest#/}
	if [ -n "$manifest" ]; then
		rm -f "$rootfs/$manifest"
	fi

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

	set -f
	ima_evm_selection
	bbnote "IMA/EVM: signing $rootfs with ${IMA_EVM_PRIVKEY} (IMA ${IMA_EVM_ROOTFS_IMA}, EVM ${IMA_EVM_ROOTFS_EVM})"
	: >"${T}/ima-evm-sign.log"
	ima_evm_sign_tree "$rootfs" "${T}/ima-evm-sign.log" --jobs "${IMA_EVM_JOBS}" \
		--manifest "${T}/ima-evm.manifest" $selection
	bbnote "$(cat "${T}/ima-evm-sign.log")"

	if [ -n "$manifest" ]; then
		install -d "$(dirname "$rootfs/$manifest")"
		install -m 0644 "${T}/ima-evm.manifest" "$rootfs/$manifest"
		# The manifest itself is signed too (it cannot list itself).
		ima_evm_sign_tree "$rootfs" "${T}/ima-evm-sign.log" --include "/$manifest"
	fi
	if [ -n "${IMGDEPLOYDIR}" ]; then
		install -d "${IMGDEPLOYDIR}"
		install -m 0644 "${T}/ima-evm.manifest" "${IMGDEPLOYDIR}/${IMAGE_NAME}.ima-evm.manifest"
		ln -sf "${IMAGE_NAME}.ima-evm.manifest" "${IMGDEPLOYDIR}/${IMAGE_LINK_NAME}.ima-evm.manifest"
	fi

	ima_evm_verify_tree "$rootfs" "${T}/ima-evm-verify.log" $selection
	set +f
}
