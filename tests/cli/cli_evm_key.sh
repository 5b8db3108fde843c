#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# evm-key on the host: usage errors, blob directory handling and status.
# Everything that reaches the kernel's trusted/encrypted key types (a TPM)
# runs in the VM (tests/vm/vm_hmac.sh); every case here fails before imactl
# adds a key, so the host's keyrings are never changed.
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$T" || exit 1

fails 2 "create without --blob-dir" "$IMACTL" evm-key create
fails 2 "load without --blob-dir" "$IMACTL" evm-key load
like "it says what is missing" "$T/err" "evm-key load: --blob-dir is required"
fails 2 "--label without --list" "$IMACTL" evm-key create --blob-dir . --label img
like "it says they go together" "$T/err" "--label IMAGE and --list FILE go together"
fails 2 "a keyhandle that is not a persistent handle" "$IMACTL" evm-key load --blob-dir . \
	--keyhandle 0x80000001
like "it names the range" "$T/err" "--keyhandle takes a number from 0x81000000 to 0x81ffffff"
fails 2 "--key-len 0" "$IMACTL" evm-key create --blob-dir . --key-len 0
fails 2 "--key-len 129 (the kernel's MAX_KEY_SIZE is 128)" "$IMACTL" evm-key create \
	--blob-dir . --key-len 129
fails 2 "an argument" "$IMACTL" evm-key status extra
fails 2 "a repeated option" "$IMACTL" evm-key load --blob-dir . --blob-dir .
fails 2 "no key material on the command line (no such option)" "$IMACTL" evm-key create \
	--blob-dir . --key 00112233
fails 2 "status takes no --blob-dir" "$IMACTL" evm-key status --blob-dir .

# load: each blob problem named before the kernel is asked
fails 3 "load: no such directory" "$IMACTL" evm-key load --blob-dir "$T/nodir"
like "it names the directory" "$T/err" "$T/nodir: No such file or directory"
mkdir blobs
fails 3 "load: no kmk.blob" "$IMACTL" evm-key load --blob-dir blobs
like "it names the file" "$T/err" "blobs/kmk.blob: No such file or directory"
printf '0123abcd\n' > blobs/kmk.blob
fails 3 "load: no evm-key.blob" "$IMACTL" evm-key load --blob-dir blobs
like "it names the file" "$T/err" "blobs/evm-key.blob: No such file or directory"
printf 'default trusted:kmk 32 00ff\n' > blobs/evm-key.blob
printf 'not hex\n' > blobs/kmk.blob
fails 3 "load: kmk.blob is not hex" "$IMACTL" evm-key load --blob-dir blobs
like "it says why" "$T/err" "blobs/kmk.blob: not a trusted key blob"
printf '0123abcd' > blobs/kmk.blob
cp blobs/kmk.blob blobs/evm-key.blob
fails 3 "load: the blobs swapped (evm-key.blob holds a kmk blob)" "$IMACTL" evm-key load \
	--blob-dir blobs
like "it says what the blob is not" "$T/err" \
	"blobs/evm-key.blob: not an evm-key blob encrypted under trusted:kmk"
printf 'default user:other 32 00ff' > blobs/evm-key.blob
fails 3 "load: an evm-key under another master key" "$IMACTL" evm-key load --blob-dir blobs
like "it says so" "$T/err" "not an evm-key blob encrypted under trusted:kmk"
printf 'default trusted:kmk 32 \001\002' > blobs/evm-key.blob
fails 3 "load: a blob with control bytes" "$IMACTL" evm-key load --blob-dir blobs
like "it says it is not text" "$T/err" "evm-key.blob: not a key blob"
: > blobs/evm-key.blob
fails 3 "load: an empty blob" "$IMACTL" evm-key load --blob-dir blobs
like "it says it is not a blob" "$T/err" "evm-key.blob: not a key blob"
rm blobs/evm-key.blob
printf 'default trusted:kmk 32 00ff' > real.blob
ln -s ../real.blob blobs/evm-key.blob
fails 3 "load: a blob that is a symbolic link is not followed" "$IMACTL" evm-key load \
	--blob-dir blobs
like "it says so" "$T/err" "evm-key.blob: Too many levels of symbolic links"

# create: existing blobs are kept unless --force, before any key is made
fails 3 "create: existing blobs are not replaced" "$IMACTL" evm-key create --blob-dir blobs
like "it names the file" "$T/err" "blobs/kmk.blob exists: not replaced"
fails 3 "create: no such directory" "$IMACTL" evm-key create --blob-dir "$T/nodir"
like "it names the directory" "$T/err" "$T/nodir: No such file or directory"
printf '/etc/a\n' > list
fails 3 "create --label: the list cannot be read" "$IMACTL" evm-key create --blob-dir blobs \
	--label img --list nolist
like "it names the list" "$T/err" "nolist: cannot read the list"

# status, and EVM already set up, with a securityfs of our own
mkdir -p sfs
printf '0' > sfs/evm
ok "status" "$IMACTL" evm-key status --securityfs sfs
like "status: EVM not initialized" "$T/out" "^evm: 0 \(not initialized\)$"
ok "status --json" "$IMACTL" evm-key status --securityfs sfs --json
is "status --json is JSON with the EVM bits" \
	"$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["evm"], d["evm_modes"], type(d["kmk"]).__name__, type(d["tpm"]).__name__)' "$T/out")" \
	"0 [] int bool"
printf '3' > sfs/evm
ok "status: EVM HMAC and X.509" "$IMACTL" evm-key status --securityfs sfs
like "both bits named" "$T/out" "^evm: 3 \(hmac,x509\)$"
ok "status --json: EVM HMAC and X.509" "$IMACTL" evm-key status --securityfs sfs --json
like "both modes in the JSON" "$T/out" '"evm":3,"evm_modes":\["hmac","x509"\]'
printf '6' > sfs/evm
ok "status: X.509 and metadata writes" "$IMACTL" evm-key status --securityfs sfs
like "both bits named" "$T/out" "^evm: 6 \(x509,metadata-writes\)$"
ok "status without securityfs" "$IMACTL" evm-key status --securityfs "$T/nodir"
like "it says EVM is unknown, and why" "$T/out" "^evm: unknown \(No such file or directory\)$"
printf '3' > sfs/evm
mkdir -p empty
fails 3 "create --enable when EVM has its HMAC key already" "$IMACTL" evm-key create \
	--blob-dir empty --enable --securityfs sfs
like "it says EVM is set up" "$T/err" "EVM is already set up with an HMAC key"
is "nothing stored" "$(ls empty)" ""
rm blobs/evm-key.blob
printf 'default trusted:kmk 32 00ff' > blobs/evm-key.blob
fails 3 "load --enable when EVM has its HMAC key already" "$IMACTL" evm-key load \
	--blob-dir blobs --enable --securityfs sfs
like "it says EVM is set up" "$T/err" "EVM is already set up with an HMAC key"
fails 3 "enable when EVM has its HMAC key already" "$IMACTL" evm-key enable --securityfs sfs
like "it says EVM is set up" "$T/err" "EVM is already set up with an HMAC key"
fails 3 "enable without EVM in securityfs" "$IMACTL" evm-key enable --securityfs "$T/nodir"
like "it names the file and the cause" "$T/err" "nodir/evm: No such file or directory \(a kernel without CONFIG_EVM"
fails 2 "enable takes no --blob-dir" "$IMACTL" evm-key enable --blob-dir blobs

# --x509-only: the write for a boot without the device's key
fails 3 "enable --x509-only when EVM has its HMAC key already" "$IMACTL" evm-key enable \
	--x509-only --securityfs sfs
like "it says EVM is set up" "$T/err" "EVM is already set up with an HMAC key"
is "nothing written" "$(cat sfs/evm)" 3
printf '0' > sfs/evm
ok "enable --x509-only" "$IMACTL" evm-key enable --x509-only --securityfs sfs
is "X.509 and EVM_SETUP_COMPLETE (0x80000002) in one write" "$(cat sfs/evm)" 2147483650
like "it says what follows" "$T/out" "files with an HMAC fail appraisal until the next boot"
fails 2 "--x509-only is enable's" "$IMACTL" evm-key load --blob-dir blobs --x509-only

# --pcrs: the list checked before anything else; the PCR file load reads
for bad in "" 24 12,12 "12," 1a -1; do
	fails 2 "create --pcrs '$bad'" "$IMACTL" evm-key create --blob-dir empty --pcrs "$bad"
done
like "it says what a PCR list is" "$T/err" "--pcrs takes PCR numbers from 0 to 23, each once"
fails 2 "load takes no --pcrs (kmk.pcrs says)" "$IMACTL" evm-key load --blob-dir blobs --pcrs 12
printf '# no PCR line\n' > blobs/kmk.pcrs
fails 3 "load: kmk.pcrs without a PCR line" "$IMACTL" evm-key load --blob-dir blobs
like "it names the file and what is missing" "$T/err" 'blobs/kmk.pcrs: no "PCR-NN: HEX" line'
printf 'PCR-12: 0011\n' > blobs/kmk.pcrs
fails 3 "load: kmk.pcrs with a short value" "$IMACTL" evm-key load --blob-dir blobs
like "it names the file and the line" "$T/err" "blobs/kmk.pcrs: malformed line for bank sha256: PCR-12: 0011$"
mkdir -p pcronly
cp blobs/kmk.pcrs pcronly/
fails 3 "create without --force: an earlier key's kmk.pcrs is kept" "$IMACTL" evm-key create \
	--blob-dir pcronly
like "it names the file" "$T/err" "pcronly/kmk.pcrs exists: not replaced"
rm blobs/kmk.pcrs
if [ -e /dev/tpm0 ]; then
	skip "create --pcrs without a TPM" "this machine has /dev/tpm0 (not touched here)"
else
	mkdir -p nopcr
	fails 3 "create --pcrs without a TPM" "$IMACTL" evm-key create --blob-dir nopcr --pcrs 12
	like "it says why" "$T/err" "(/dev/tpm0: no TPM 2.0 device|built without libtss2)"
	is "nothing stored" "$(ls nopcr)" ""
fi
done_testing
