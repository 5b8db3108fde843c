#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# log verify: what the PCRs attest.  Every PCR the list extends is compared
# when PCR values are given (a missing bank, a missing PCR, a PCR the list
# extends but the source does not list all fail, naming it); an all-zero PCR
# with entries on it is a mismatch; each entry is attested only up to its own
# PCR's match point and --state saves only attested entries; the state file
# is trusted only when it is the caller's own, unwritable by others, and bound
# to its PCR source.  Lists and TPM values are written here (python3, hashlib)
# from a spec: one PCR number per entry, F marks a forged entry the TPM never
# saw.
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$T" || exit 1

# mk LIST TPMDIR BANKS SPEC: LIST gets the entries of SPEC ("10 10 F10 11");
# TPMDIR/pcr-<bank>/<n> the values a TPM holds after the entries without F.
mk() {
	python3 - "$@" <<'PY'
import hashlib, os, struct, sys
out, tpm, banks, spec = sys.argv[1], sys.argv[2], sys.argv[3].split(','), sys.argv[4].split()
size = {'sha1': 20, 'sha256': 32}
pcr = {b: {} for b in banks}
seen_pcrs = set()
data = b''
for i, s in enumerate(spec, 1):
    forged = s.startswith('F')
    p = int(s.lstrip('F'))
    path = ('/forged%d' if forged else '/file%d') % i
    d = b'sha256:\0' + hashlib.sha256(path.encode()).digest()
    tdata = struct.pack('<I', len(d)) + d + struct.pack('<I', len(path) + 1) + path.encode() + b'\0'
    th = hashlib.sha1(tdata).digest()
    data += struct.pack('<I', p) + th + struct.pack('<I', 6) + b'ima-ng' + struct.pack('<I', len(tdata)) + tdata
    seen_pcrs.add(p)
    if forged:
        continue
    for b in banks:
        h = hashlib.new(b, tdata).digest()
        old = pcr[b].get(p, bytes(size[b]))
        pcr[b][p] = hashlib.new(b, old + h).digest()
open(out, 'wb').write(data)
for b in banks:
    os.makedirs('%s/pcr-%s' % (tpm, b), exist_ok=True)
    for p in seen_pcrs:
        open('%s/pcr-%s/%d' % (tpm, b, p), 'w').write(pcr[b].get(p, bytes(size[b])).hex() + '\n')
PY
}
json() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" "$T/out"; }

# ---- item: every PCR the list extends is compared ----------------------------
mk l1.bin tpm256 sha256 "10 10 10"
ok "a list on PCR 10 against its TPM values" "$IMACTL" log verify --tpm tpm256 l1.bin
like "... says how many entries are attested" "$T/out" '^attested: 3 of 3 entries'
fails 1 "--bank sha1 against a TPM with only a sha256 bank fails" \
	"$IMACTL" log verify --tpm tpm256 --bank sha1 l1.bin
like "... naming what could not be compared" "$T/out" '^PCR 10 sha1: .* NOT COMPARED'
like "... in the result" "$T/out" 'result: FAILED: PCRs the list extends have no value to compare with: sha1 10'
fails 1 "--bank sha1,sha256 with only sha256 values: sha1 is not compared, fails" \
	"$IMACTL" log verify --tpm tpm256 --bank sha1,sha256 l1.bin
printf 'PCR-00: %s\n' "$(printf '%064d' 0)" > no10.pcrs
fails 1 "a PCR file without PCR 10 fails" "$IMACTL" log verify --pcrs sha256,no10.pcrs l1.bin
like "... naming it" "$T/out" 'no value to compare with: sha256 10'
mkdir -p zero/pcr-sha256
printf '%064d\n' 0 > zero/pcr-sha256/10
fails 1 "an all-zero PCR 10 with entries on it is a mismatch" "$IMACTL" log verify --tpm zero l1.bin
like "... said so" "$T/out" '^PCR 10 sha256: .* MISMATCH: the TPM.s value is all zero'
ok "an all-zero PCR 10 with an empty list matches" "$IMACTL" log verify --tpm zero /dev/null
mk l2.bin tpm-l2 sha256 "10 11 10"
rm tpm-l2/pcr-sha256/11
fails 1 "an entry on PCR 11, which the PCR source does not list, fails" \
	"$IMACTL" log verify --tpm tpm-l2 l2.bin
like "... naming it" "$T/out" 'no value to compare with: sha256 11'
run "$IMACTL" log verify --json --tpm tpm-l2 l2.bin
is "... JSON: not attested, PCR 11 extended and not compared" \
	"$(json 'r["attested"], r["result"], [(p["pcr"], p["extended"], p["compared"]) for p in r["pcrs"]]')" \
	"1 failed [(10, True, True), (11, True, False)]"

# ---- item: each entry attested only up to its own PCR's match ----------------
mk forged.bin tpm-f sha1,sha256 "10 10 F10 11"
run "$IMACTL" log verify --json --tpm tpm-f forged.bin
is "10,10,FORGED@10,11 against a TPM that saw 10,10,11: 2 attested" \
	"$(json 'r["attested"], [(p["bank"], p["pcr"], p["matched_at"]) for p in r["pcrs"]]')" \
	"2 [('sha1', 10, 2), ('sha1', 11, 4), ('sha256', 10, 2), ('sha256', 11, 4)]"
ok "--state after it" "$IMACTL" log verify --state st-f --tpm tpm-f forged.bin
like "... saves only the 2 attested entries" st-f '^entries 2$'
like "... the PCR line prints the TPM's value, not the replay of all" "$T/out" \
	"^PCR 10 sha256: $(cat tpm-f/pcr-sha256/10) matches after entry 2; 2 entries follow"
mk forged-next.bin tpm-f-next sha1,sha256 "10 10 10 11"
fails 1 "... against the real TPM values after entry 3 the forged entry fails" \
	"$IMACTL" log verify --state st-f --tpm tpm-f-next forged.bin
like "... and the state is not advanced" st-f '^entries 2$'

# ---- item: the state file is trusted only when it is the caller's own -------
mk s.bin tpm-s sha256 "10 10 10"
ok "a state is saved" "$IMACTL" log verify --state st --tpm tpm-s s.bin
is "... mode 0600" "$(stat -c %a st)" 600
chmod 0666 st
fails 3 "a state writable by others is refused" "$IMACTL" log verify --state st --tpm tpm-s s.bin
like "... said so" "$T/err" 'st: writable by its group or others: not trusted'
chmod 0600 st
if [ "$(id -u)" = 0 ]; then
	chown nobody st
	fails 3 "a state owned by another user is refused" "$IMACTL" log verify --state st --tpm tpm-s s.bin
	like "... said so" "$T/err" 'st: owned by uid [0-9]+, not by the caller'
	chown 0 st
else
	skip "a state owned by another user" "needs root"
fi
ln -s st st-link
fails 3 "a state that is a symlink is refused" "$IMACTL" log verify --state st-link --tpm tpm-s s.bin
mkfifo st-fifo
fails 3 "a FIFO as the state is refused without waiting" timeout 60 "$IMACTL" log verify --state st-fifo --tpm tpm-s s.bin
like "... said so" "$T/err" 'st-fifo: not a regular file'
ok "a state saved without PCRs" "$IMACTL" log verify --state st-none s.bin
like "... covers every entry" st-none '^entries 3$'
fails 3 "... is refused with --tpm (its entries were never attested)" \
	"$IMACTL" log verify --state st-none --tpm tpm-s s.bin
like "... said so" "$T/err" 'bound to another PCR source, banks, certificates or runtime policy'
sed 's/^imactl-mlog-state 2$/imactl-mlog-state 1/; /^bound /d' st > st-v1
chmod 600 st-v1
fails 3 "a state of the old format (no binding) is refused" "$IMACTL" log verify --state st-v1 --tpm tpm-s s.bin
ok "the state resumes with its own PCR source" "$IMACTL" log verify --state st --tpm tpm-s s.bin
like "... and skipped the attested entries" "$T/out" '3 entries \(binary\), 3 of them checked before'
is "no temporary state file left behind" "$(find . -maxdepth 1 -name '.st*.tmp' | wc -l)" 0
done_testing
