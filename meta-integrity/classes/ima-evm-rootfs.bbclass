# Signs the root filesystem of an image with IMA signatures and EVM portable
# signatures, using imactl from imactl-native. Enable it in local.conf:
#
#   DISTRO_FEATURES:append = " integrity ima"
#   IMAGE_CLASSES += "ima-evm-rootfs"
#
# Signing is the last IMAGE_PREPROCESS_COMMAND (it runs in do_image under
# pseudo, which keeps the security.* xattrs for the image types), and it is
# followed by imactl verify-tree. Any file that cannot be signed or does not
# verify fails the build with the file named; nothing is ignored.

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
# like every other file), e.g. "${IMACTL_BASE}/policies/...". Empty: none.
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

IMAGE_INSTALL:append = "${@bb.utils.contains('DISTRO_FEATURES', 'ima', ' ima-evm-keys', '', d)}"
do_rootfs[depends] += "${@bb.utils.contains('DISTRO_FEATURES', 'ima', 'imactl-native:do_populate_sysroot', '', d)}"
do_image[depends] += "${@bb.utils.contains('DISTRO_FEATURES', 'ima', 'imactl-native:do_populate_sysroot', '', d)}"
do_image[file-checksums] += "${@ima_evm_key_checksums(d)}"
ima_evm_sign_rootfs[vardepsexclude] += "IMA_EVM_EVMCTL_KEY_PASSWORD BB_NUMBER_THREADS"

def ima_evm_key_checksums(d):
    import os
    files = [d.getVar(v) for v in ('IMA_EVM_PRIVKEY', 'IMA_EVM_X509', 'IMA_EVM_POLICY')]
    return ' '.join('%s:%s' % (f, os.path.exists(f)) for f in files if f and not f.startswith('pkcs11:'))

ima_evm_sign_rootfs () {
	rootfs="${IMAGE_ROOTFS}"
	imactl="${IMA_EVM_IMACTL}"
	if [ ! -x "$imactl" ]; then
		bbfatal "IMA/EVM: no imactl at $imactl (does do_image depend on imactl-native?)"
	fi
	ima_evm_debug_keys
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

	# A manifest left by an earlier do_image must not be signed as content.
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
			if ! "$imactl" policy check "$policy" >"${T}/ima-evm-policy-check.log" 2>&1; then
				bbfatal "IMA/EVM: the policy $policy has errors:
$(cat "${T}/ima-evm-policy-check.log")"
			fi
		fi
		install -d "$rootfs${sysconfdir}/ima"
		rm -f "$rootfs${sysconfdir}/ima/ima-policy"
		install -m 0644 "$policy" "$rootfs${sysconfdir}/ima/ima-policy"
	fi

	# The selection, as imactl --include/--exclude options.
	set -f
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

	keyopts="--key ${IMA_EVM_PRIVKEY} --cert ${IMA_EVM_X509}"
	if [ -n "$passfile" ]; then
		keyopts="$keyopts --pass-file $passfile"
	fi

	bbnote "IMA/EVM: signing $rootfs with ${IMA_EVM_PRIVKEY} (IMA ${IMA_EVM_ROOTFS_IMA}, EVM ${IMA_EVM_ROOTFS_EVM})"
	rc=0
	"$imactl" sign-tree "$rootfs" $keyopts --ima "${IMA_EVM_ROOTFS_IMA}" \
		--evm "${IMA_EVM_ROOTFS_EVM}" --hash "${IMA_EVM_HASH}" \
		--target-bits "${IMA_EVM_TARGET_BITS}" --jobs "${IMA_EVM_JOBS}" \
		--manifest "${T}/ima-evm.manifest" ${IMA_EVM_IMACTL_ARGS} $selection \
		>"${T}/ima-evm-sign.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: signing $rootfs failed (imactl sign-tree exit $rc):
$(tail -n 100 "${T}/ima-evm-sign.log")"
	fi
	bbnote "$(cat "${T}/ima-evm-sign.log")"

	if [ -n "$manifest" ]; then
		install -d "$(dirname "$rootfs/$manifest")"
		install -m 0644 "${T}/ima-evm.manifest" "$rootfs/$manifest"
		# The manifest itself is signed too (it cannot list itself).
		"$imactl" sign-tree "$rootfs" $keyopts --ima "${IMA_EVM_ROOTFS_IMA}" \
			--evm "${IMA_EVM_ROOTFS_EVM}" --hash "${IMA_EVM_HASH}" \
			--target-bits "${IMA_EVM_TARGET_BITS}" ${IMA_EVM_IMACTL_ARGS} --include "/$manifest" \
			>>"${T}/ima-evm-sign.log" 2>&1 || rc=$?
		if [ $rc -ne 0 ]; then
			bbfatal "IMA/EVM: signing the manifest $rootfs/$manifest failed (exit $rc):
$(tail -n 20 "${T}/ima-evm-sign.log")"
		fi
	fi
	if [ -n "${IMGDEPLOYDIR}" ]; then
		install -d "${IMGDEPLOYDIR}"
		install -m 0644 "${T}/ima-evm.manifest" "${IMGDEPLOYDIR}/${IMAGE_NAME}.ima-evm.manifest"
		ln -sf "${IMAGE_NAME}.ima-evm.manifest" "${IMGDEPLOYDIR}/${IMAGE_LINK_NAME}.ima-evm.manifest"
	fi

	# Check what was written, with the certificate the target will use.
	checks="--target-bits ${IMA_EVM_TARGET_BITS}"
	if [ "${IMA_EVM_ROOTFS_EVM}" = "portable" ]; then
		checks="$checks --evm"
	fi
	if [ "${IMA_EVM_ROOTFS_IMA}" = "sig" ]; then
		checks="$checks --require-sig"
	fi
	rc=0
	"$imactl" verify-tree "$rootfs" --cert "${IMA_EVM_X509}" $checks ${IMA_EVM_IMACTL_ARGS} $selection \
		>"${T}/ima-evm-verify.log" 2>&1 || rc=$?
	set +f
	if [ $rc -ne 0 ]; then
		bbfatal "IMA/EVM: $rootfs does not verify after signing (imactl verify-tree exit $rc):
$(tail -n 100 "${T}/ima-evm-verify.log")"
	fi
	bbnote "IMA/EVM: verified: $(tail -n 3 "${T}/ima-evm-verify.log")"
}

# Signing must be the last pre-process command: a command after it could
# change signed files. Other classes and recipes may append to
# IMAGE_PREPROCESS_COMMAND after this class, so the order is fixed once
# everything is parsed (RecipeTaskPreProcess comes after the anonymous
# functions and before the task signatures). Setting the expanded value also
# drops pending :append/:remove operations, which are part of it already.
python ima_evm_sign_handler () {
    if not e.data or 'ima' not in (e.data.getVar('DISTRO_FEATURES') or '').split():
        return
    cmds = (e.data.getVar('IMAGE_PREPROCESS_COMMAND') or '').replace(';', ' ').split()
    cmds = [c for c in cmds if c != 'ima_evm_sign_rootfs'] + ['ima_evm_sign_rootfs']
    e.data.setVar('IMAGE_PREPROCESS_COMMAND', ' '.join(cmds))
}
addhandler ima_evm_sign_handler
ima_evm_sign_handler[eventmask] = "bb.event.RecipeTaskPreProcess"
