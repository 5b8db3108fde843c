#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped policies and kernel fragments; imactl kconfig check (also on
# Debian's own kernel configuration); imactl policy coverage on a small root.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
DEB="$SRC_ROOT/tests/data/debian-6.1-amd64.config-excerpt"

# claims FILE: FILE names the six long-term kernels it was checked for, and
# policy check --strict passes for each of them
claims() {
	kernels=$(sed -n 's/^# Kernels: \([0-9. ]*\).*/\1/p' "$1")
	is "$1 names the long-term kernels it was checked for" "$(echo "$kernels" | xargs)" \
		"5.4 5.10 5.15 6.1 6.6 6.12"
	for k in $kernels; do
		ok "$1 passes check --strict for Linux $k" \
			"$IMACTL" policy check --strict --kernel "$k" "$1"
	done
}
shipped=$(cd "$SRC_ROOT/policies" && ls)
is "the shipped policies" "$(echo "$shipped" | xargs)" "appraise-all hashed mutable simple systemd"
for p in $shipped; do
	ok "policies/$p passes check --strict" "$IMACTL" policy check --strict "$SRC_ROOT/policies/$p"
	ok "policies/$p passes check --strict for Debian's 6.1" \
		"$IMACTL" policy check --strict --kernel 6.1 --kconfig "$DEB" "$SRC_ROOT/policies/$p"
	claims "$SRC_ROOT/policies/$p"
done
# the claim is checked: a rule 5.10 and 5.15 refuse (gid=, 5.16) breaks it
{ cat "$SRC_ROOT/policies/simple"; echo "measure func=FILE_CHECK gid=0"; } >gid-policy
(claims gid-policy) >claims.tap # its own count: these failures are wanted
is "a policy claiming 5.4 with a gid= rule fails for 5.4, 5.10 and 5.15" \
	"$(sed -n 's/^not ok [0-9]* - gid-policy passes check --strict for Linux //p' claims.tap | xargs)" \
	"5.4 5.10 5.15"
# the lints are live on the shipped policies: take one exclusion away
grep -v 'fsmagic=0x9fa0' "$SRC_ROOT/policies/systemd" > no-proc
fails 1 "without the proc exclusion --strict fails" "$IMACTL" policy check --strict no-proc
like "and names proc" "$T/err" 'pseudo filesystems.*proc \(0x9fa0\)'
grep -v 'imactl: allow' "$SRC_ROOT/policies/appraise-all" > no-allow
fails 1 "appraise-all without its allow comment fails --strict" "$IMACTL" policy check --strict no-allow
like "runtime-writes is named" "$T/err" '\[runtime-writes\]$'
# appraise-all and hashed = the seed's rules plus exclusions of ours (marked
# "not in the seed"); the seed's own lists fail --strict for exactly those
grep -v 'not in the seed' "$SRC_ROOT/policies/appraise-all" |
	grep -v -e 'fsmagic=0x43415d53' -e 'fsmagic=0x27e0eb' -e 'fsmagic=0x63677270' > seed-all
is "the seed's appraise-all has 12 rules" "$(grep -c '^[a-z]' seed-all)" 12
fails 1 "the seed's appraise-all list fails --strict" "$IMACTL" policy check --strict seed-all
like "for smackfs, cgroup and cgroup2 only" "$T/err" \
	'pseudo filesystems.*: smackfs \(0x43415d53\), cgroup \(0x27e0eb\), cgroup2 \(0x63677270\) \[pseudo-fs\]$'
grep -v -e 'not in the seed' -e 'fsmagic=0x63677270' "$SRC_ROOT/policies/hashed" > seed-hashed
is "the seed's hashed has 28 rules" "$(grep -c '^[a-z]' seed-hashed)" 28
fails 1 "the seed's hashed list fails --strict" "$IMACTL" policy check --strict seed-hashed
like "for cgroup2 only" "$T/err" 'pseudo filesystems.*: cgroup2 \(0x63677270\) \[pseudo-fs\]$'
grep -v 'imactl: allow' "$SRC_ROOT/policies/hashed" > no-allow
fails 1 "hashed without its allow comment fails --strict" "$IMACTL" policy check --strict no-allow
like "runtime-writes is named" "$T/err" '\[runtime-writes\]$'

# the rule table the VM test also gives the real kernel (tests/data/policy-grammar-cases)
n=0; bad=""
while read -r verdict rule; do
	case $verdict in accept|refuse|warn) ;; *) continue ;; esac
	printf '%s\n' "$rule" > case.pol
	rc=0; "$IMACTL" policy check -q --kernel 6.1 --kconfig "$DEB" case.pol 2>case.err || rc=$?
	n=$((n + 1))
	if { [ "$verdict" = accept ] && [ "$rc" != 0 ]; } || { [ "$verdict" = refuse ] && [ "$rc" != 1 ]; } ||
	   { [ "$verdict" = warn ] && { [ "$rc" != 0 ] || ! grep -q ': warning: ' case.err; }; }; then
		bad="$bad [$verdict $rule: exit $rc]"
	fi
done < "$SRC_ROOT/tests/data/policy-grammar-cases"
is "policy check agrees with Debian 6.1 on all $n table rules" "$bad" ""
_result "$([ $n -ge 60 ] && echo 0 || echo 1)" "the table has $n rules"

# kernel fragments
cat "$SRC_ROOT"/kernel/ima.cfg "$SRC_ROOT"/kernel/evm.cfg "$SRC_ROOT"/kernel/modsign.cfg "$SRC_ROOT"/kernel/tpm.cfg > merged
ok "the four fragments satisfy ima,appraise,evm,modsign,tpm" \
	"$IMACTL" kconfig check --features ima,appraise,evm,modsign,tpm merged
is "without a single finding" "$(cat "$T/out")" "merged: 0 missing or wrong options (0 required)"
fails 1 "signed-policy needs one more option" "$IMACTL" kconfig check --features all merged
like "IMA_APPRAISE_REQUIRE_POLICY_SIGS, its feature and why" "$T/err" \
	'^merged: error: CONFIG_IMA_APPRAISE_REQUIRE_POLICY_SIGS is not set, want y \(signed-policy: makes the kernel refuse any policy that is not signed\)'
{ cat merged; echo CONFIG_IMA_APPRAISE_REQUIRE_POLICY_SIGS=y; } > merged-sp
fails 1 "evm-hmac needs evm-hmac.cfg" "$IMACTL" kconfig check --features all merged-sp
like "USER_DECRYPTED_DATA, its feature and why" "$T/err" \
	'^merged-sp: error: CONFIG_USER_DECRYPTED_DATA is not set, want y \(evm-hmac: imactl evm-key create --label'
cat "$SRC_ROOT/kernel/evm-hmac.cfg" >> merged-sp
ok "with it: all features" "$IMACTL" kconfig check --features all merged-sp
ok "ima.cfg, evm.cfg, tpm.cfg and evm-hmac.cfg satisfy evm-hmac" "$IMACTL" kconfig check --features evm-hmac merged-sp
grep -v '^CONFIG_TRUSTED_KEYS_TPM=' merged-sp > no-trusted-tpm
fails 1 "evm-hmac without the TPM backend of trusted keys" "$IMACTL" kconfig check --features evm-hmac no-trusted-tpm
like "names it" "$T/err" 'CONFIG_TRUSTED_KEYS_TPM is not set, want y \(evm-hmac:'
grep -q '^CONFIG_IMA_APPRAISE=y$' "$SRC_ROOT/kernel/ima.cfg"
is "ima.cfg has CONFIG_IMA_APPRAISE=y (meta-integrity's lacks it)" "$?" 0
grep -v '^CONFIG_IMA_APPRAISE=y' merged > no-appraise
fails 1 "without IMA_APPRAISE appraise is missing" "$IMACTL" kconfig check --features appraise no-appraise
like "names it" "$T/err" 'CONFIG_IMA_APPRAISE is not set, want y \(appraise:'
sed 's/^CONFIG_TCG_TPM=y/CONFIG_TCG_TPM=m/' merged > tpm-m
fails 1 "a TPM driver as a module is wrong" "$IMACTL" kconfig check --features tpm tpm-m
like "says =m, want y" "$T/err" 'CONFIG_TCG_TPM=m, want y \(tpm:'
# the trust rule of kernel/ima-ca-secondary.cfg is wider than "keys our CA signed"
cat merged "$SRC_ROOT/kernel/ima-ca-secondary.cfg" > secondary
ok "the secondary-keyring trust rule is a warning, not an error" \
	"$IMACTL" kconfig check --features ima,appraise,evm,tpm secondary
like "the warning names the option and why" "$T/err" \
	'^secondary: warning: CONFIG_IMA_KEYRINGS_PERMIT_SIGNED_BY_BUILTIN_OR_SECONDARY=y, want it not set \(appraise: .*does not check that it is a CA'
cat merged "$SRC_ROOT/kernel/ima-ca-strict.cfg" > strict
ok "the strict trust rule" "$IMACTL" kconfig check --features ima,appraise,evm,tpm strict
is "passes without a finding" "$(cat "$T/out")" "strict: 0 missing or wrong options (0 required)"
fails 2 "unknown feature" "$IMACTL" kconfig check --features ima,nope merged
like "names it" "$T/err" "unknown feature 'nope'"
fails 3 "missing .config" "$IMACTL" kconfig check nonexistent
fails 2 "no .config" "$IMACTL" kconfig check
like "... says so" "$T/err" '^imactl: kconfig check: no .config given$'
fails 2 "two .config files" "$IMACTL" kconfig check a b
like "... says so" "$T/err" '^imactl: kconfig check: exactly one .config, please$'
fails 2 "unknown subcommand" "$IMACTL" kconfig frob x

# Debian's own kernel configuration (excerpt in git, whole file when cached)
ok "Debian 6.1: ima,appraise,evm,tpm are all there" "$IMACTL" kconfig check --features ima,appraise,evm,tpm "$DEB"
fails 1 "Debian 6.1: modules may be unsigned" "$IMACTL" kconfig check --features modsign "$DEB"
like "MODULE_SIG_FORCE" "$T/err" 'CONFIG_MODULE_SIG_FORCE is not set, want y \(modsign:'
fails 1 "Debian 6.1: policies need not be signed" "$IMACTL" kconfig check --features signed-policy "$DEB"
printf 'appraise func=BPRM_CHECK fsmagic=0xef53 appraise_algos=sm3\n' > sm3
fails 1 "Debian 6.1 has no sm3 for appraise_algos" "$IMACTL" policy check --kconfig "$DEB" sm3
like "names CRYPTO_SM3_GENERIC" "$T/err" 'CONFIG_CRYPTO_SM3_GENERIC'
# shellcheck disable=SC2012 # the kernel cache's paths: no blanks
full=$(ls /var/cache/imactl/kernel-linux-image-6.1*/config 2>/dev/null | head -1)
if [ -n "$full" ]; then
	ok "the whole Debian config agrees with the excerpt" "$IMACTL" kconfig check --features ima,appraise,evm,tpm "$full"
	fails 1 "whole Debian config: modsign" "$IMACTL" kconfig check --features modsign "$full"
else
	skip "the whole Debian config" "not cached in /var/cache/imactl"
	skip "whole Debian config: modsign" "not cached in /var/cache/imactl"
fi

# Which kernel can verify which key at all (kconfig check --cert, cert check --kernel)
DEB612="$SRC_ROOT/tests/data/debian-6.12-amd64.config-excerpt"
fails 1 "Debian 6.1 cannot verify ECDSA (CRYPTO_ECDSA unset)" \
	"$IMACTL" kconfig check --kernel 6.1 --cert "$KEYS/ec256.pem" "$DEB"
like "names CRYPTO_ECDSA" "$T/err" 'ec256.pem: error: CONFIG_CRYPTO_ECDSA is not set: the kernel cannot verify ECDSA signatures at all \[kconfig\]'
like "and says so" "$T/out" 'ec256.pem: this kernel cannot verify IMA signatures made with its key'
fails 1 "nor P-384" "$IMACTL" kconfig check --kernel 6.1 --cert "$KEYS/ec384.pem" "$DEB"
ok "Debian 6.1 verifies RSA" "$IMACTL" kconfig check --kernel 6.1 --cert "$KEYS/rsa2048.pem" "$DEB"
like "and says so" "$T/out" 'rsa2048.pem: this kernel can verify IMA signatures made with its key'
ok "Debian 6.1 has fs-verity for sigv3" "$IMACTL" kconfig check --kernel 6.1 --cert "$KEYS/rsa2048.pem" --sigv3 "$DEB"
ok "Debian 6.12 verifies ECDSA (version from the .config header)" \
	"$IMACTL" kconfig check --cert "$KEYS/ec256.pem" "$DEB612"
fails 1 "5.10 cannot verify ECDSA at all" "$IMACTL" kconfig check --kernel 5.10 --cert "$KEYS/ec256.pem" "$DEB612"
like "names the version" "$T/err" 'Linux 5.10 cannot verify ECDSA P-256 IMA signatures'
fails 1 "5.15 has no sigv3" "$IMACTL" kconfig check --kernel 5.15 --cert "$KEYS/rsa2048.pem" --sigv3 "$DEB612"
like "names sigv3" "$T/err" 'Linux 5.15 has no sigv3'
grep -v FS_VERITY "$DEB" > no-verity
fails 1 "sigv3 needs FS_VERITY" "$IMACTL" kconfig check --kernel 6.1 --cert "$KEYS/rsa2048.pem" --sigv3 no-verity
like "names FS_VERITY" "$T/err" 'CONFIG_FS_VERITY is not set'
fails 1 "cert check --kernel: Debian 6.1 cannot verify P-256" \
	"$IMACTL" cert check --kernel 6.1 --kconfig "$DEB" "$KEYS/ec256.pem"
like "and the certificate is not usable there" "$T/out" 'ec256.pem: NOT usable for IMA: 1 error'
ok "cert check --kernel: Debian 6.12 can" "$IMACTL" cert check --kconfig "$DEB612" "$KEYS/ec256.pem"
fails 1 "cert check --kernel 5.4: no ECDSA" "$IMACTL" cert check --kernel 5.4 "$KEYS/ec256.pem"
fails 1 "cert check --kernel 5.12: no ECDSA yet" "$IMACTL" cert check --kernel 5.12 "$KEYS/ec384.pem"
like "names the first version" "$T/err" 'Linux 5.12 cannot verify ECDSA P-384 IMA signatures \(from 5.13 on\)'
ok "cert check --kernel 5.13: ECDSA" "$IMACTL" cert check --kernel 5.13 "$KEYS/ec256.pem"
ok "cert check --kernel 5.4: RSA" "$IMACTL" cert check --kernel 5.4 "$KEYS/rsa2048.pem"
fails 2 "cert check --kernel 5.3 is a usage error" "$IMACTL" cert check --kernel 5.3 "$KEYS/rsa2048.pem"
fails 2 "cert check without a CERT" "$IMACTL" cert check --kernel 5.4
like "... says so" "$T/err" '^imactl: cert check: no CERT given$'
fails 2 "cert check of two certs" "$IMACTL" cert check "$KEYS/rsa2048.pem" "$KEYS/ec256.pem"
like "... says so" "$T/err" '^imactl: cert check: exactly one CERT, please$'
# option history: a .config for 6.12 checked as one for 5.4 / 5.15
ok "a 6.12 .config is no 6.12 problem" "$IMACTL" kconfig check --features ima "$DEB612"
is "no option history warning for its own version" "$(grep -c kconfig-version "$T/err")" 0
ok "a 6.12 .config checked for 5.4: only warnings" "$IMACTL" kconfig check --features ima --kernel 5.4 "$DEB612"
like "5.4 has no IMA_MEASURE_ASYMMETRIC_KEYS" "$T/err" 'CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS is set, but Linux 5.4 does not have it'
ok "a 6.12 .config checked for 5.15: only warnings" "$IMACTL" kconfig check --features ima --kernel 5.15 "$DEB612"
like "5.15 has no INTEGRITY_MACHINE_KEYRING" "$T/err" 'CONFIG_INTEGRITY_MACHINE_KEYRING is set, but Linux 5.15 does not have it'
printf 'appraise func=SETXATTR_CHECK appraise_algos=sha3-256\n' > sha3
ok "Debian 6.12 takes sha3-256 in appraise_algos" "$IMACTL" policy check --kernel 6.12 --kconfig "$DEB612" sha3
fails 1 "6.6 does not know sha3-256" "$IMACTL" policy check --kernel 6.6 --kconfig "$DEB612" sha3
like "names the version" "$T/err" 'hash algorithm sha3-256 is not known to Linux 6.6 \(added in 6.7\)'

# coverage
mkdir -p root/bin root/lib root/etc root/proc root/usr/lib/modules/6.1/kernel
for f in good unsigned hashonly badsig otherkey; do printf '#!/bin/sh\necho %s\n' "$f" > root/bin/$f; chmod 755 root/bin/$f; done
printf 'lib\n' > root/lib/libx.so.1; printf 'data\n' > root/etc/data; printf 'x\n' > root/proc/stat
sign() { "$IMACTL" sign --xattr-user "$@" >/dev/null; }
sign --key "$KEYS/rsa2048.key" --cert "$KEYS/rsa2048.pem" root/bin/good root/bin/badsig root/lib/libx.so.1
sign --ima hash root/bin/hashonly root/etc/data
sign --key "$KEYS/ec256.key" root/bin/otherkey
printf 'tampered\n' >> root/bin/badsig
printf 'appraise func=BPRM_CHECK appraise_type=imasig\nappraise func=MMAP_CHECK mask=MAY_EXEC appraise_type=imasig\n' > exec.pol
# IMA alone first (--no-evm: a target without EVM); EVM is checked by default, below
fails 1 "coverage finds the files that would be refused" \
	"$IMACTL" policy coverage --xattr-user --no-evm --policy exec.pol --cert "$KEYS/rsa2048.pem" root
like "unsigned" "$T/out" '^DENY /bin/unsigned: no security.ima \(unsigned\) \(line 1: appraise func=BPRM_CHECK appraise_type=imasig; BPRM_CHECK\)$'
like "hash only under imasig" "$T/out" '^DENY /bin/hashonly: only a hash'
like "bad signature" "$T/out" '^DENY /bin/badsig: '
like "unknown key" "$T/out" '^DENY /bin/otherkey: signed by an unknown key \(keyid [0-9a-f]{8}\)'
is "exactly those four" "$(grep -c '^DENY' "$T/out")" 4
like "summary" "$T/out" '^7 files, 6 appraised, 4 would be denied$'
like "... says EVM was not checked" "$T/out" '^checked: the policy.s appraise rules \(IMA\) only; EVM not checked \(--no-evm\)$'
like "pseudo filesystems are skipped" "$T/out" 'not checked'
fails 1 "with the other certificate too, otherkey passes" \
	"$IMACTL" policy coverage --xattr-user --no-evm --policy exec.pol --cert "$KEYS/rsa2048.pem" --cert "$KEYS/ec256.pem" root -q
is "three left" "$(grep -c '^DENY' "$T/out")" 3
printf 'dont_appraise fsmagic=0x9fa0\nappraise fowner>60000\n' > none.pol
ok "a policy that appraises nothing here denies nothing" "$IMACTL" policy coverage --xattr-user --policy none.pol root
like "zero appraised" "$T/out" '^7 files, 0 appraised, 0 would be denied$'
# only the files an appraise rule selects are opened: an unreadable file no
# rule appraises is counted, not reported (as root: run as nobody to make it
# unreadable)
mkdir -p sel/bin sel/etc
printf '#!/bin/sh\n' > sel/bin/tool && chmod 755 sel/bin/tool && sign --ima hash sel/bin/tool
printf 'secret\n' > sel/etc/secret && chmod 000 sel/etc/secret
printf 'appraise func=BPRM_CHECK\n' > bprm.pol
as_user=""
[ "$(id -u)" != 0 ] || as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
# shellcheck disable=SC2086 # the setpriv command, if any, split on purpose
ok "an unreadable file no rule appraises is not opened" \
	$as_user "$IMACTL" policy coverage --xattr-user --no-evm --policy bprm.pol sel
like "... but counted" "$T/out" '^2 files, 1 appraised, 0 would be denied$'
is "... and not reported" "$(grep -c secret "$T/err")" 0
printf 'appraise func=FILE_CHECK fsuuid=01234567-89ab-cdef-0123-456789abcdef\n' > uuid.pol
ok "fsuuid rules do not match without --fsuuid" "$IMACTL" policy coverage --xattr-user --policy uuid.pol root
fails 1 "with --fsuuid they do" "$IMACTL" policy coverage --xattr-user --fsuuid 01234567-89ab-cdef-0123-456789abcdef --policy uuid.pol root
printf 'appraise func=BPRM_CHECK appraise_algos=sha512\n' > algos.pol
fails 1 "appraise_algos: a sha256 signature is refused" "$IMACTL" policy coverage --xattr-user --no-evm --policy algos.pol --cert "$KEYS/rsa2048.pem" root
like "names the algorithm" "$T/out" '^DENY /bin/good: hash algorithm sha256 is not in appraise_algos='
printf 'appraise func=NOPE\n' > refused.pol
fails 1 "no coverage for a policy the kernel refuses" "$IMACTL" policy coverage --policy refused.pol root
like "says so" "$T/err" 'the kernel would refuse this policy'
ok "policies/simple (measure only) denies nothing" "$IMACTL" policy coverage --policy "$SRC_ROOT/policies/simple" root
if [ "$(id -u)" = 0 ]; then
	fails 1 "policies/systemd on the root (files owned by root)" \
		"$IMACTL" policy coverage --xattr-user --no-evm --policy "$SRC_ROOT/policies/systemd" --cert "$KEYS/rsa2048.pem" root
	like "4 denied, the library is signed" "$T/out" '^7 files, 6 appraised, 4 would be denied$'
else
	skip "policies/systemd on the root" "needs files owned by root"
	skip "4 denied" "needs files owned by root"
fi
# EVM by default: the kernel with an EVM key refuses a file whose security.evm
# was lost (cp -a with Debian's /etc/xattr.conf drops it); the prediction must
# say so without being asked (issue: 0 predicted, the boot panicked)
mkdir -p evmroot/usr/lib/systemd evmroot/sbin
printf '\177ELF\002\001\001\000systemd\n' > evmroot/usr/lib/systemd/systemd
printf '\177ELF\002\001\001\000init\n' > evmroot/sbin/init
chmod 755 evmroot/usr/lib/systemd/systemd evmroot/sbin/init
sign --key "$KEYS/rsa2048.key" --cert "$KEYS/rsa2048.pem" --evm portable evmroot/usr/lib/systemd/systemd evmroot/sbin/init
ok "coverage (EVM by default): signed with EVM, nothing denied" \
	"$IMACTL" policy coverage --xattr-user --policy exec.pol --cert "$KEYS/rsa2048.pem" evmroot
like "... the summary says EVM was checked, for the tree's 64-bit target" "$T/out" \
	'^checked: the policy.s appraise rules \(IMA\) and EVM portable signatures \(64-bit target\)$'
setfattr -x user.evm evmroot/usr/lib/systemd/systemd
fails 1 "a lost security.evm is predicted as a denial without --evm" \
	"$IMACTL" policy coverage --xattr-user --policy exec.pol --cert "$KEYS/rsa2048.pem" evmroot
like "... named" "$T/out" '^DENY /usr/lib/systemd/systemd: no security.evm \(line 1: '
like "... counted" "$T/out" '^2 files, 2 appraised, 1 would be denied$'
ok "--no-evm: IMA alone passes" \
	"$IMACTL" policy coverage --xattr-user --no-evm --policy exec.pol --cert "$KEYS/rsa2048.pem" evmroot
like "... and the summary notes the EVM values it did not check" "$T/out" \
	'^note: 1 appraised files carry security.evm: a kernel with EVM enabled checks them'
fails 2 "--evm and --no-evm exclude each other" \
	"$IMACTL" policy coverage --xattr-user --evm --no-evm --policy exec.pol evmroot
# the walk is the library's (descriptors, never a path from ROOT): a file
# whose path is longer than PATH_MAX (4096) is checked like any other
/usr/bin/python3 -c 'import os
os.makedirs("longroot"); os.chdir("longroot")
for i in range(450):
    os.mkdir("dddddddddd"); os.chdir("dddddddddd")
open("deepbin", "w").write("#!/bin/sh\n")
os.chmod("deepbin", 0o755)'
fails 1 "coverage reaches a file whose path is longer than PATH_MAX" \
	"$IMACTL" policy coverage --xattr-user --no-evm --policy exec.pol --cert "$KEYS/rsa2048.pem" longroot
like "... and denies it, unsigned" "$T/out" '^DENY (/dddddddddd){450}/deepbin: no security.ima \(unsigned\)'
like "... counted" "$T/out" '^1 files, 1 appraised, 1 would be denied$'
rm -rf longroot
# files the system writes at runtime
mkdir -p root2/etc root2/var/lib/systemd
printf 'abc\n' > root2/etc/machine-id; printf 'seed\n' > root2/var/lib/systemd/random-seed
sign --key "$KEYS/rsa2048.key" root2/etc/machine-id
sign --ima hash root2/var/lib/systemd/random-seed
printf 'dont_appraise fsmagic=0x9fa0\nappraise fowner=0\n' > tcb.pol
fails 1 "ima_appraise_tcb with a signed /etc/machine-id" "$IMACTL" policy coverage --xattr-user --policy tcb.pol --cert "$KEYS/rsa2048.pem" root2
like "machine-id is named" "$T/out" '^RUNTIME /etc/machine-id: written at runtime by root; its signature from the image breaks when it changes \(line 2: appraise fowner=0\)$'
is "a hashed runtime file is fine (the kernel updates hashes)" "$(grep -c '^RUNTIME' "$T/out")" 1
printf 'appraise func=FILE_CHECK appraise_type=imasig\n' > sigread.pol
fails 1 "imasig on FILE_CHECK: every runtime file" "$IMACTL" policy coverage --xattr-user --policy sigread.pol --cert "$KEYS/rsa2048.pem" root2
like "random-seed can never be signed" "$T/out" '^RUNTIME /var/lib/systemd/random-seed: written at runtime by root; a new version can never be signed'
ok "policies/systemd leaves runtime files alone" "$IMACTL" policy coverage --xattr-user --policy "$SRC_ROOT/policies/systemd" --cert "$KEYS/rsa2048.pem" root2
is "no RUNTIME line" "$(grep -c '^RUNTIME' "$T/out")" 0
fails 2 "coverage without --policy" "$IMACTL" policy coverage root
done_testing
