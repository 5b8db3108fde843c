#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2086 # $TO is a command prefix (a timeout) or empty: split on purpose
# imactl log verify / show / keylime-policy on lists written by tests/mloggen
# (real template hashes, real signatures, the TPM's PCRs as sysfs files), on
# damaged copies of them, and against evmctl ima_measurement.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
: "${MLOGGEN:?}"
G=$MLOGGEN
TO="timeout 60" # hang guard only
py() { python3 -c "$@"; }

# ---- usage -------------------------------------------------------------
fails 2 "log without subcommand" "$IMACTL" log
fails 2 "log with an unknown subcommand" "$IMACTL" log frob
fails 2 "verify without LOG" "$IMACTL" log verify
fails 2 "--pcrs and --tpm together" "$IMACTL" log verify --pcrs a --tpm x
fails 2 "--bank md5" "$IMACTL" log verify --bank md5 x
fails 2 "keylime-policy without --cert" "$IMACTL" log keylime-policy .
fails 2 "an option of another subcommand" "$IMACTL" log show --cert x y
ok "log verify --help" "$IMACTL" log verify --help
like "verify --help names --state" "$T/out" '--state FILE'

# ---- good lists ----------------------------------------------------------
$G --count 50 --template ima-ng --tpm-dir tpm-ng --pcrs-file sha1,ng.sha1 \
	--pcrs-file sha256,ng.sha256 ng.bin
$G --count 50 --template ima-ng --format ascii ng.asc
ok "binary ima-ng list matches the TPM (all banks)" $TO "$IMACTL" log verify --tpm tpm-ng ng.bin
like "sha256 bank matched" "$T/out" '^PCR 10 sha256: [0-9a-f]{64} matches$'
like "sha512 bank matched" "$T/out" '^PCR 10 sha512: [0-9a-f]{128} matches$'
like "boot_aggregate checked" "$T/out" '^boot_aggregate: matches'
ok "the ascii form of the same list" $TO "$IMACTL" log verify --tpm tpm-ng ng.asc
ok "--format ascii" "$IMACTL" log verify --format ascii --tpm tpm-ng ng.asc
fails 1 "--format binary on an ascii list fails" "$IMACTL" log verify --format binary --tpm tpm-ng ng.asc
ok "from standard input" sh -c "\"$IMACTL\" log verify --tpm tpm-ng - < ng.bin"
ok "--pcrs in evmctl's format (sha1 bank)" "$IMACTL" log verify --pcrs ng.sha1 ng.bin
ok "--pcrs sha256,FILE" "$IMACTL" log verify --pcrs sha256,ng.sha256 --bank sha256 ng.bin
sed 's/^\(PCR-10: ..\)./\1z/' ng.sha1 > badhex.sha1
fails 3 "--pcrs: a PCR value with a non-hex digit is refused" "$IMACTL" log verify --pcrs badhex.sha1 ng.bin
like "... naming the file and the line" "$T/err" "badhex.sha1: malformed line for bank sha1: PCR-10: 8b"
sed 's/^\(PCR-10: ..\)\(.\)/\1 \2/' ng.sha1 > spaced.sha1
ok "--pcrs: spaces between the hex digits are allowed" "$IMACTL" log verify --pcrs spaced.sha1 ng.bin
ok "--bank all without PCRs" "$IMACTL" log verify --bank all ng.bin
like "without PCRs it says so" "$T/out" 'no PCRs given'
ok "--tpm DIR with '=' form" "$IMACTL" log verify --tpm=tpm-ng ng.bin

$G --count 40 --template ima --tpm-dir tpm-ima ima.bin
$G --count 40 --template ima --format ascii ima.asc
ok "the legacy 'ima' template (binary)" "$IMACTL" log verify --tpm tpm-ima ima.bin
ok "the legacy 'ima' template (ascii)" "$IMACTL" log verify --tpm tpm-ima ima.asc
like "sha1 boot_aggregate over PCRs 0-7" "$T/out" '^boot_aggregate: matches'

$G --count 40 --template ima-ng --big-endian --tpm-dir tpm-be be.bin
ok "a big-endian binary list (no ima_canonical_fmt)" "$IMACTL" log verify --tpm tpm-be be.bin
ok "--endian big" "$IMACTL" log verify --endian big --tpm tpm-be be.bin
fails 1 "--endian little on a big-endian list fails" "$IMACTL" log verify --endian little --tpm tpm-be be.bin

$G --count 40 --template ima-ng --padded --tpm-dir tpm-pad pad.bin
ok "old kernels: sha1 template hash zero-padded into other banks" "$IMACTL" log verify --tpm tpm-pad pad.bin
like "the padded mode is reported" "$T/out" 'PCR 10 sha256: .* matches \(sha1 hashes zero-padded'

# signed lists: every template, one entry signed by another key
$G --count 60 --template ima-ng,ima-sig,ima-sigv2,ima-buf --key "$KEYS/rsa2048.key" \
	--tpm-dir tpm-sig sig.bin
$G --count 60 --template ima-ng,ima-sig,ima-sigv2,ima-buf --key "$KEYS/rsa2048.key" \
	--format ascii sig.asc
ok "signatures verify (binary)" "$IMACTL" log verify --tpm tpm-sig --cert "$KEYS/rsa2048.pem" sig.bin
like "good and unsigned are counted" "$T/out" '^signatures: 26 good, 0 bad, 0 unknown key, 4 unsigned'
ok "signatures verify (ascii)" "$IMACTL" log verify --tpm tpm-sig --cert "$KEYS/rsa2048.der" sig.asc
ok "--json" "$IMACTL" log verify --json --tpm tpm-sig --cert "$KEYS/rsa2048.pem" sig.bin
is "--json report" "$(py 'import json,sys; r=json.load(open(sys.argv[1])); print(r["result"], r["entries"], r["signatures"]["good"], r["boot_aggregate"], len(r["pcrs"]), all(p["matched"] for p in r["pcrs"]))' "$T/out")" "ok 60 26 ok 4 True"

$G --count 60 --template ima-ng,ima-sig --key "$KEYS/rsa2048.key" --other-key "$KEYS/other.key" \
	--tpm-dir tpm-other other.bin
fails 1 "a signature by an unknown key fails" "$IMACTL" log verify --tpm tpm-other --cert "$KEYS/rsa2048.pem" other.bin
like "... naming the entry, the path and the keyid" "$T/err" 'entry 6 \(/usr/bin/file000005\): signed by an unknown key \(keyid [0-9a-f]{8}\)'
like "... and the first failure in the result" "$T/out" '^result: FAILED at entry 6 \(/usr/bin/file000005\)'
ok "with both certificates it verifies" "$IMACTL" log verify --tpm tpm-other --cert "$KEYS/rsa2048.pem" --cert "$KEYS/other.pem" other.bin
ok "without --cert signatures are not checked" "$IMACTL" log verify --tpm tpm-other other.bin

# evm-sig: the EVM portable signature over the logged xattrs, uid, gid, mode
$G --count 8 --template ima-ng,evm-sig --key "$KEYS/rsa2048.key" --tpm-dir tpm-evm evm.bin
ok "evm-sig: EVM portable signatures verify from the list's fields" \
	"$IMACTL" log verify --tpm tpm-evm --cert "$KEYS/rsa2048.pem" evm.bin
like "... all four" "$T/out" '^signatures: 4 good, 0 bad'
fails 1 "evm-sig: unknown key" "$IMACTL" log verify --tpm tpm-evm --cert "$KEYS/other.pem" evm.bin
# change imode of entry 2 and recompute its template hash: only the EVM signature can tell
py 'import struct, hashlib
d = bytearray(open("evm.bin", "rb").read()); off = 0; n = 0
while off < len(d):
    n += 1
    nl = struct.unpack_from("<I", d, off + 24)[0]
    dl = struct.unpack_from("<I", d, off + 28 + nl)[0]
    data = off + 32 + nl
    if n == 2:
        d[data + dl - 2] ^= 0x01  # low byte of imode
        d[off + 4:off + 24] = hashlib.sha1(d[data:data + dl]).digest()
    off = data + dl
open("evm-mode.bin", "wb").write(d)'
fails 1 "evm-sig: a changed mode fails the EVM signature" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" evm-mode.bin
like "... at entry 2" "$T/err" 'entry 2 \(/usr/bin/file000001\): bad signature'
# a list from a 32-bit system: struct h_misc of 20 bytes in the EVM input
$G --count 8 --template ima-ng,evm-sig --key "$KEYS/rsa2048.key" --target-bits 32 --tpm-dir tpm-evm32 evm32.bin
ok "evm-sig from a 32-bit system verifies (--target-bits auto, the default)" \
	"$IMACTL" log verify --tpm tpm-evm32 --cert "$KEYS/rsa2048.pem" evm32.bin
like "... all four" "$T/out" '^signatures: 4 good, 0 bad'
ok "... and with --target-bits 32" "$IMACTL" log verify --target-bits 32 --tpm tpm-evm32 --cert "$KEYS/rsa2048.pem" evm32.bin
fails 1 "... but not as a 64-bit system's" "$IMACTL" log verify --target-bits 64 --tpm tpm-evm32 --cert "$KEYS/rsa2048.pem" evm32.bin
like "... four bad" "$T/out" '^signatures: 0 good, 4 bad'
fails 1 "a 64-bit system's list is not a 32-bit one's" "$IMACTL" log verify --target-bits 32 --tpm tpm-evm --cert "$KEYS/rsa2048.pem" evm.bin
ok "--target-bits 64 on it" "$IMACTL" log verify --target-bits 64 --tpm tpm-evm --cert "$KEYS/rsa2048.pem" evm.bin
fails 2 "--target-bits 16 is a usage error" "$IMACTL" log verify --target-bits 16 evm.bin
fails 2 "--target-bits is not for log show" "$IMACTL" log show --target-bits 32 evm.bin

# ---- damaged lists -------------------------------------------------------
# flip one byte in the path of entry 7 (binary)
py 'import sys
d=bytearray(open("ng.bin","rb").read()); i=d.index(b"file000006"); d[i+4]^=1
open("flip.bin","wb").write(d)'
fails 1 "a flipped byte is detected" $TO "$IMACTL" log verify --tpm tpm-ng flip.bin
like "... with the entry number" "$T/err" 'entry 7 \(/usr/bin/file100006\): template hash does not match'
# the same in a signature byte
py 'import sys
d=bytearray(open("sig.bin","rb").read()); i=d.index(b"file000009\0"); d[i+60]^=0x80
open("sigflip.bin","wb").write(d)'
fails 1 "a flipped signature byte is detected" "$IMACTL" log verify --tpm tpm-sig --cert "$KEYS/rsa2048.pem" sigflip.bin
like "... with the entry number" "$T/err" 'entry 10 \(/usr/bin/file000009\)'
# a reordered entry (ascii lines 10 and 11 swapped)
py 'l=open("ng.asc").readlines(); l[9],l[10]=l[10],l[9]; open("swap.asc","w").writelines(l)'
fails 1 "reordered entries do not match the PCRs" "$IMACTL" log verify --tpm tpm-ng swap.asc
like "... said so" "$T/out" 'MISMATCH'
# an extra entry in the middle
py 'l=open("ng.asc").readlines(); l.insert(20, l[5]); open("extra.asc","w").writelines(l)'
fails 1 "an inserted entry does not match the PCRs" "$IMACTL" log verify --tpm tpm-ng extra.asc
# truncated entry
head -c $(( $(wc -c < ng.bin) - 7 )) ng.bin > trunc.bin
fails 1 "a truncated entry is detected" $TO "$IMACTL" log verify --tpm tpm-ng trunc.bin
like "... as entry 50" "$T/err" 'entry 50: malformed: truncated entry'
# a length over its bound is refused before its bytes are used (an "ima" name is copied into a
# 256-byte buffer; template data is bounded before it is read)
py 'import struct
h = struct.pack("<I", 10) + b"\x11" * 20
open("imalong.bin", "wb").write(h + struct.pack("<I", 3) + b"ima" + b"\x22" * 20 + struct.pack("<I", 300) + b"a" * 300)
open("datalong.bin", "wb").write(h + struct.pack("<I", 6) + b"ima-ng" + struct.pack("<I", (1 << 20) + 1) + bytes(64))'
fails 1 "an \"ima\" name longer than 255 is refused" "$IMACTL" log verify imalong.bin
like "... said so" "$T/err" 'entry 1: malformed: "ima" template name longer than 255'
fails 1 "template data over 1 MiB is refused by its length" "$IMACTL" log verify datalong.bin
like "... said so" "$T/err" 'entry 1: malformed: template data length over the 1 MiB limit'
# a wrong PCR
cp -r tpm-ng tpm-wrong; echo 0000000000000000000000000000000000000001 > tpm-wrong/pcr-sha1/10
fails 1 "a wrong PCR value fails" "$IMACTL" log verify --tpm tpm-wrong ng.bin
like "... naming the bank" "$T/out" '^PCR 10 sha1: .* MISMATCH'
cp -r tpm-ng tpm-ba; echo 0000000000000000000000000000000000000000000000000000000000000001 > tpm-ba/pcr-sha256/3
fails 1 "a wrong PCR 3 fails boot_aggregate" "$IMACTL" log verify --tpm tpm-ba ng.bin
like "... said so" "$T/out" '^boot_aggregate: MISMATCH'
# the log ahead of the PCR read
$G --count 50 --template ima-ng --pcr-at 46 --tpm-dir tpm-ahead ng-ahead.bin
ok "a list ahead of the PCR read matches at a prefix" "$IMACTL" log verify --tpm tpm-ahead ng-ahead.bin
like "... and says how many entries follow" "$T/out" 'matches after entry 46; 4 entries follow the PCR read'
# a violation
$G --count 30 --template ima-ng --violation 12 --tpm-dir tpm-viol viol.bin
fails 1 "a violation fails" "$IMACTL" log verify --tpm tpm-viol viol.bin
like "... at its entry" "$T/err" 'entry 12 \(/usr/bin/file000011\): measurement violation'
ok "--ignore-violations (0xff extends still match the TPM)" "$IMACTL" log verify --ignore-violations --tpm tpm-viol viol.bin
like "... counted" "$T/out" '1 violations'
: > empty.bin
fails 1 "an empty list does not match a TPM with PCR 10 extended" "$IMACTL" log verify --tpm tpm-ng empty.bin

# ---- malformed input: an error, never a crash or a hang -----------------
mal() { # name, python expression for the bytes, exit of verify [, of show]
	py "import struct,sys; open('$1','wb').write($2)"
	fails "$3" "malformed: $1" $TO "$IMACTL" log verify --format binary "$1"
	fails "${4:-$3}" "malformed (show): $1" $TO "$IMACTL" log show --format binary "$1"
}
H='b"\x11"*20'
mal huge-name.bin "struct.pack('<I',10)+$H+struct.pack('<I',0xffffffff)+b'ima-ng'" 1
mal zero-name.bin "struct.pack('<I',10)+$H+struct.pack('<I',0)" 1
mal huge-data.bin "struct.pack('<I',10)+$H+struct.pack('<I',6)+b'ima-ng'+struct.pack('<I',0x7fffffff)+b'x'*100" 1
mal field-beyond.bin "struct.pack('<I',10)+$H+struct.pack('<I',6)+b'ima-ng'+struct.pack('<I',8)+struct.pack('<I',4000)+b'abcd'" 1
mal pcr-range.bin "struct.pack('<I',99)+$H+struct.pack('<I',6)+b'ima-ng'+struct.pack('<I',0)" 1
mal zero-fields.bin "struct.pack('<I',10)+$H+struct.pack('<I',6)+b'ima-ng'+struct.pack('<I',8)+b'\0'*8" 1 0
mal one-byte.bin "b'\x0a'" 1
mal ima-name.bin "struct.pack('<I',10)+$H+struct.pack('<I',3)+b'ima'+b'\0'*20+struct.pack('<I',100000)" 1
py 'import random; r=random.Random(7); open("noise.bin","wb").write(bytes(r.randrange(256) for _ in range(5000)))'
fails 1 "random bytes" $TO "$IMACTL" log verify --format binary noise.bin
printf '10 zz1517bf448f05f1d940a71196b068d73e890c3 ima-ng sha256:00 boot_aggregate\n' > nonhex.asc
fails 1 "non-hex template hash" $TO "$IMACTL" log verify nonhex.asc
head -3 ng.asc | sed '3s/sha256:\(..\)/sha256:zz/' > nonhex2.asc
fails 1 "non-hex digest" $TO "$IMACTL" log verify nonhex2.asc
like "... at entry 3" "$T/err" 'entry 3: malformed: digest is not hex'
head -c $(( $(wc -c < ng.asc) - 20 )) ng.asc > trunc.asc
fails 1 "a truncated line" $TO "$IMACTL" log verify trunc.asc
like "... said so" "$T/err" 'truncated line'
printf '10 10b1517bf448f05f1d940a71196b068d73e890c3 ima-ng\n' > fewfields.asc
fails 1 "missing fields" $TO "$IMACTL" log verify fewfields.asc
printf '10 10b1517bf448f05f1d940a71196b068d73e890c3 my-template a b c\n' > unknown.asc
fails 1 "an unknown template in an ascii list cannot be checked" "$IMACTL" log verify unknown.asc
like "... said so" "$T/err" 'unknown template'

# an unknown template in a binary list is still hash-checked
py 'import struct,hashlib
data=struct.pack("<I",3)+b"abc"
th=hashlib.sha1(data).digest()
open("unk.bin","wb").write(struct.pack("<I",10)+th+struct.pack("<I",5)+b"mytpl"+struct.pack("<I",len(data))+data)'
ok "an unknown template in a binary list is hash-checked" "$IMACTL" log verify unk.bin
ok "... and shown" "$IMACTL" log show unk.bin
like "... as unknown" "$T/out" 'mytpl .*unknown template: 1 fields'

# ---- show --------------------------------------------------------------
ok "log show" "$IMACTL" log show sig.bin
is "one line per entry" "$(wc -l < "$T/out")" 60
like "signature keyid shown" "$T/out" "^3 10 ima-sigv2 ima:sha256:[0-9a-f]{64} /usr/bin/file000002 signature v2 keyid $("$IMACTL" keyid "$KEYS/rsa2048.pem")\$"
# a symbolic link to a list is followed only for securityfs's own aliases
# (ima/binary_runtime_measurements -> ..._sha1 in newer kernels), not here
ln -sf sig.bin sig-link.bin
fails 3 "a symbolic link to a list on another filesystem is refused" "$IMACTL" log show sig-link.bin
like "  ... as never followed" "$T/err" 'sig-link.bin: cannot open: is a symbolic link: refused \(never followed\)'
ok "log show --json" "$IMACTL" log show --json sig.asc
is "--json is an array of every entry" "$(py 'import json,sys; a=json.load(open(sys.argv[1])); print(len(a), a[1]["path"], a[1]["template"])' "$T/out")" "60 /usr/bin/file000001 ima-sig"

# ---- incremental (--state) ----------------------------------------------
$G --count 40 --template ima-ng,ima-sig --key "$KEYS/rsa2048.key" --tpm-dir tpm-s1 s1.bin
$G --count 70 --template ima-ng,ima-sig --key "$KEYS/rsa2048.key" --tpm-dir tpm-s2 s2.bin
ok "first run saves the state" "$IMACTL" log verify --state st --tpm tpm-s1 --cert "$KEYS/rsa2048.pem" s1.bin
like "state records 40 entries" st '^entries 40$'
ok "second run resumes" "$IMACTL" log verify --state st --tpm tpm-s2 --cert "$KEYS/rsa2048.pem" s2.bin
like "... checking only the new entries" "$T/out" '70 entries \(binary\), 40 of them checked before'
like "state advanced" st '^entries 70$'
fails 3 "the state is bound to the certificates: a run without --cert is refused" "$IMACTL" log verify --state st --tpm tpm-s2 s2.bin
like "... saying so" "$T/err" "bound to another PCR source, banks, certificates or runtime policy"
ok "a third run with nothing new" "$IMACTL" log verify --state st --tpm tpm-s2 --cert "$KEYS/rsa2048.pem" s2.bin
py 'd=bytearray(open("s2.bin","rb").read()); i=d.index(b"file000003"); d[i+9]^=1; open("s2x.bin","wb").write(d)'
fails 1 "a rewritten list is detected through the state" "$IMACTL" log verify --state st --tpm tpm-s2 --cert "$KEYS/rsa2048.pem" s2x.bin
like "... said so" "$T/err" 'rewritten since the state was saved'
fails 1 "a shorter list is detected through the state" "$IMACTL" log verify --state st --tpm tpm-s1 --cert "$KEYS/rsa2048.pem" s1.bin
cp st st.before
fails 1 "a failing run does not advance the state" "$IMACTL" log verify --state st --tpm tpm-wrong --cert "$KEYS/rsa2048.pem" ng.bin
is "... the state is unchanged" "$(cmp -s st st.before && echo same)" same
echo garbage > badstate
fails 3 "a malformed state is an operational error" "$IMACTL" log verify --state badstate --tpm tpm-s1 s1.bin
[ -n "$(find . -maxdepth 1 -name '.st.*.tmp')" ] && leftover=yes || leftover=no
is "no temporary state file left behind" "$leftover" no

# ---- evmctl interop (binary sha1 lists) ----------------------------------
if command -v evmctl >/dev/null; then
	ok "evmctl ima_measurement accepts the generated list and PCRs" evmctl ima_measurement --pcrs ng.sha1 ng.bin
	ok "imactl with the same PCR file" "$IMACTL" log verify --pcrs ng.sha1 ng.bin
	run evmctl ima_measurement --pcrs ng.sha1 flip.bin
		# shellcheck disable=SC2154 # rc is set by run() of tests/cli/lib.sh
	_result "$([ $rc != 0 ] && echo 0 || echo 1)" "evmctl also rejects the flipped byte (exit $rc)"
	fails 1 "and imactl does" "$IMACTL" log verify --pcrs ng.sha1 flip.bin
	$G --count 30 --template ima-sig --key "$KEYS/rsa2048.key" --pcrs-file sha1,isig.sha1 isig.bin
	ok "evmctl ima_measurement on an ima-sig list" evmctl ima_measurement --pcrs isig.sha1 isig.bin
	ok "imactl on the same list with signatures" "$IMACTL" log verify --pcrs isig.sha1 --cert "$KEYS/rsa2048.pem" isig.bin
else
	skip "evmctl interop" "evmctl not installed"
fi

# ---- names in JSON: UTF-8 kept, other bytes as \udcXX (surrogateescape) ------
printf '/caf\303\251\n/a b\n/bad\377name\n/q"\\\n' > names.txt
$G --count 5 --template ima-ng --names names.txt names.bin
ok "log show --json on non-ASCII names" "$IMACTL" log show --json names.bin
is "log show --json carries the names' bytes (UTF-8 as is, '_' for the kernel's space)" \
	"$(py 'import json, os, sys; print([os.fsencode(e["path"]) for e in json.load(open(sys.argv[1]))])' "$T/out")" \
	"[b'boot_aggregate', b'/caf\\xc3\\xa9', b'/a_b', b'/bad\\xffname', b'/q\"\\\\']"
like "... UTF-8 written as it is" "$T/out" '"path":"/café"'
like "... the invalid byte as \\udcff" "$T/out" '"path":"/bad\\udcffname"'
ok "log show on non-ASCII names" "$IMACTL" log show names.bin
like "... a UTF-8 name is printed as it is" "$T/out" ' /café$'
like "... other bytes as the manifest writes them" "$T/out" ' /bad\\377name$'
printf '/caf\303\251\n' > cafe.txt
$G --count 6 --template ima-sig --key "$KEYS/rsa2048.key" --other-key "$KEYS/other.key" \
	--names cafe.txt cafe.bin
fails 1 "log verify --json: an entry signed by another key" "$IMACTL" log verify --json \
	--cert "$KEYS/rsa2048.pem" cafe.bin
is "log verify --json names the failing entry's UTF-8 path" \
	"$(py 'import json, sys; print(json.load(open(sys.argv[1]))["first_failure"]["path"])' "$T/out")" "/café"

# ---- keylime-policy ------------------------------------------------------
# Keylime's runtime-policy format (keylime/ima/ima.py RUNTIME_POLICY_SCHEMA,
# file_signatures.py ImaKeyring) and how Keylime uses it (re.match of the
# excludes against logged names, digests by logged name) are facts carried
# over here; tests/cli/keylime_check.sh runs Keylime's own code when given.
fails 2 "keylime-policy: --exclude with an unknown [:class:]" "$IMACTL" log keylime-policy \
	--cert "$KEYS/rsa2048.pem" --exclude '[[:frob:]]' .
fails 2 "keylime-policy: a malformed --boot-aggregate" "$IMACTL" log keylime-policy \
	--cert "$KEYS/rsa2048.pem" --boot-aggregate 12zz .
mkdir -p root/usr/bin root/usr/lib root/etc root/tmp root/var/log root/srv
for f in usr/bin/a usr/bin/b etc/conf tmp/scratch var/log/x var/log/y.pyc usr/lib/m.pyc \
	'usr/bin/my prog' 'usr/bin/tab	name' 'usr/bin/[x]' 'usr/bin/st*r' etc/café \
	srv/a1 srv/b1 srv/c1 'srv/z\slash'; do
	echo "content of $f" > "root/$f"
done
ln root/usr/bin/a root/usr/bin/a2
echo unsigned > root/usr/bin/unsigned
echo other > root/usr/bin/byother
echo outside > outside; ln -s ../../../outside root/usr/bin/link
(cd root && find . -type f ! -name unsigned ! -name byother ! -name a2 -print0) |
	(cd root && xargs -0 "$IMACTL" sign --xattr-user --key "$KEYS/rsa2048.key" \
		--cert "$KEYS/rsa2048.pem") >/dev/null
"$IMACTL" sign --xattr-user --key "$KEYS/other.key" root/usr/bin/byother >/dev/null
"$IMACTL" sign --xattr-user --key "$KEYS/rsa2048.key" outside >/dev/null
BA=$(printf %064d 7)
fails 1 "keylime-policy names a file it cannot verify" "$IMACTL" log keylime-policy --xattr-user \
	--cert "$KEYS/rsa2048.pem" --exclude '/tmp/*' --exclude '/var/log' --exclude '*.pyc' \
	--exclude '/srv/[ab]*' --boot-aggregate "$BA" root
like "... the other-key file" "$T/err" '/usr/bin/byother: not in the policy'
cp "$T/out" policy.json
cat > check.py <<'PY'
import base64, hashlib, json, os, re, subprocess, sys
p = json.load(open("policy.json"))
want = {"meta", "release", "digests", "excludes", "keyrings", "ima", "ima-buf", "verification-keys"}
print("fields", sorted(p) == sorted(want))
# generator 3: Keylime treats <= 1 as "no runtime policy" and does not enforce it
print("meta", p["meta"]["version"] == 1 and p["meta"]["generator"] == 3)
print("ima", p["ima"] == {"ignored_keyrings": [], "log_hash_alg": "sha1", "dm_policy": None})
print("empty", p["keyrings"] == {} and p["ima-buf"] == {} and p["release"] == 0)
def sha(f): return hashlib.sha256(open("root" + f, "rb").read()).hexdigest()
signed = ["/usr/bin/a", "/usr/bin/b", "/etc/conf", "/usr/bin/my prog", "/usr/bin/tab\tname",
          "/usr/bin/[x]", "/usr/bin/st*r", "/etc/café", "/srv/c1", "/srv/z\\slash"]
exp = {f.replace(" ", "_"): [sha(f)] for f in signed}
exp["/usr/bin/a2"] = [sha("/usr/bin/a")]  # a hard link: logged by the name it is opened by
exp["boot_aggregate"] = [sys.argv[3]]
print("digests", p["digests"] == exp)
ex = re.compile("(" + ")|(".join(p["excludes"]) + ")")
skipped = ["/tmp/scratch", "/var/log/x", "/var/log/y.pyc", "/usr/lib/m.pyc", "/srv/a1", "/srv/b1"]
print("excluded", all(ex.match(f) for f in skipped))
print("listed-not-excluded", not any(ex.match(f) for f in p["digests"]))
# every file of the tree: listed, excluded, or one that must fail (unsigned, other key)
files = [os.path.join(d, f)[4:] for d, _, fs in os.walk("root") for f in fs]
rest = sorted(f for f in files if f.replace(" ", "_") not in p["digests"] and not ex.match(f))
print("rest", rest == ["/usr/bin/byother", "/usr/bin/link", "/usr/bin/unsigned"])
k = json.loads(p["verification-keys"])
der = subprocess.run(["openssl", "x509", "-in", sys.argv[1], "-pubkey", "-noout"], capture_output=True).stdout
der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=der, capture_output=True).stdout
print("keys", k == {"pubkeys": [base64.b64encode(der).decode()], "keyids": [int(sys.argv[2], 16)]})
PY
is "keylime policy: Keylime's fields, generator 3, logged names, hard links, excludes covering the walk, keyring" \
	"$(python3 check.py "$KEYS/rsa2048.pem" "$("$IMACTL" keyid "$KEYS/rsa2048.pem")" "$BA" | tr '\n' ' ')" \
	"fields True meta True ima True empty True digests True excluded True listed-not-excluded True rest True keys True "
# the glob's meaning is the walk's: each --exclude alone leaves out exactly what Keylime's regex
# excludes (ASCII names: on others '?' and [...] match a byte in the walk, a character in Keylime)
cat > agree.py <<'PY'
import json, os, re, subprocess, sys
imactl, cert, root = sys.argv[1:4]
files = sorted(os.path.join(d, f)[len(root):] for d, _, fs in os.walk(root) for f in fs)
bad = []
for g in ["*.pyc", "/srv/[ab]*", "/srv/[!a]1", "[[:digit:]]*", "/usr/bin/\\[x]", "/usr/bin/st\\*r",
          "my prog", "/usr/*/a", "?1", "tab*", "/srv/z\\\\slash", "/var"]:
    r = subprocess.run([imactl, "log", "keylime-policy", "--xattr-user", "--cert", cert, "--exclude", g, root],
                       capture_output=True)
    p = json.loads(r.stdout)
    ex = re.compile("(" + ")|(".join(p["excludes"]) + ")")
    for f in files:
        listed = f.replace(" ", "_") in p["digests"]
        if listed == bool(ex.match(f.replace(" ", "_"))) and f not in ("/usr/bin/byother", "/usr/bin/unsigned", "/usr/bin/link"):
            bad.append((g, f, listed))
print(bad or "agree")
PY
is "--exclude: the walk and Keylime's regex agree (classes, escapes, names at any depth, subtrees)" \
	"$(python3 agree.py "$IMACTL" "$KEYS/rsa2048.pem" root 2>&1)" "agree"
printf '/etc/bad\377' > badname.txt
echo bad > "$(printf 'root/etc/bad\377')"
"$IMACTL" sign --xattr-user --key "$KEYS/rsa2048.key" "$(printf 'root/etc/bad\377')" >/dev/null
fails 1 "keylime-policy: a name that is not UTF-8 is refused" "$IMACTL" log keylime-policy --xattr-user \
	--cert "$KEYS/rsa2048.pem" --exclude /usr/bin root
like "... named, with the cause" "$T/err" 'bad\\377: not in the policy: the name is not UTF-8'
rm "$(printf 'root/etc/bad\377')" root/usr/bin/byother
ok "keylime-policy exits 0 when every signed file verifies" "$IMACTL" log keylime-policy --xattr-user --cert "$KEYS/rsa2048.pem" root
ok "... and with --verify-signatures" "$IMACTL" log keylime-policy --xattr-user --cert "$KEYS/rsa2048.pem" \
	--verify-signatures root
# the signatures are checked only with --verify-signatures (the signer's keyid always): a file
# changed after it was signed is listed by what it holds, as Keylime's own generator lists it
echo changed >> root/usr/bin/b
ok "keylime-policy: a file changed after signing (signatures not checked)" "$IMACTL" log keylime-policy \
	--xattr-user --cert "$KEYS/rsa2048.pem" root
cp "$T/out" policy-changed.json
is "... is listed with the digest of its content now" "$(py '
import hashlib, json
p = json.load(open("policy-changed.json"))["digests"]
print(p["/usr/bin/b"] == [hashlib.sha256(open("root/usr/bin/b", "rb").read()).hexdigest()])')" "True"
fails 1 "keylime-policy --verify-signatures leaves it out" "$IMACTL" log keylime-policy --xattr-user \
	--cert "$KEYS/rsa2048.pem" --verify-signatures root
like "... named, with the cause" "$T/err" '/usr/bin/b: not in the policy: signature does not match the content'
is "... and lists the others" "$(py '
import json, sys
p = json.loads(sys.stdin.read())["digests"]
print("/usr/bin/b" not in p and "/usr/bin/a" in p)' < "$T/out")" "True"
# --log: boot_aggregate, keyring and ima-buf entries of a real list
$G --count 8 --template ima-ng,ima-buf --format ascii kl.asc
ok "keylime-policy --log LIST" "$IMACTL" log keylime-policy --xattr-user --cert "$KEYS/rsa2048.pem" --log kl.asc root
cp "$T/out" policy-log.json
is "... boot_aggregate and every ima-buf entry of the list, by name" "$(py '
import json, sys
p = json.load(open("policy-log.json"))
lst = [l.split() for l in open("kl.asc")]
ba = [l[3].split(":")[1] for l in lst if l[4] == "boot_aggregate"]
buf = {}
for l in lst:
    if l[2] == "ima-buf": buf.setdefault(l[4], []).append(l[3].split(":")[1])
print(p["digests"]["boot_aggregate"] == ba, p["ima-buf"] == {k: sorted(set(v)) for k, v in buf.items()} and len(buf) > 0)
')" "True True"
done_testing
