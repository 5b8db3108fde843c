#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes one ima-modsig measurement list entry for a file that carries an
appended signature (the kernel module format), as the kernel logs it
(security/integrity/ima/ima_modsig.c, ima_template_lib.c), with its real
template hash (SHA-1 of the template data):
  d-ng      "ALGO:\\0" + digest of the whole file (signature included)
  n-ng      the path + NUL
  sig       the security.ima signature: empty here
  d-modsig  "ALGO:\\0" + digest of the file without the appended part
  modsig    the raw PKCS#7 message
Options to make lying entries whose template hash is still right:
  --flip-sig N       flip a bit in byte N from the end of the PKCS#7
                     (its signature value ends the message)
  --dmodsig-of FILE  d-modsig over FILE's content instead
  --dmodsig-algo A   d-modsig with another algorithm than --algo
"""
import argparse, hashlib, struct, sys

MAGIC = b"~Module signature appended~\n"


def split(data):
    if not data.endswith(MAGIC):
        sys.exit("modsig-entry: no appended signature")
    # struct module_signature: algo, hash, id_type (2: PKCS#7), signer_len,
    # key_id_len, pad[3], __be32 sig_len; then the magic string
    info = data[-len(MAGIC) - 12:-len(MAGIC)]
    if info[2] != 2 or struct.unpack(">I", info[8:12])[0] >= len(data):
        sys.exit("modsig-entry: not a PKCS#7 appended signature")
    siglen = struct.unpack(">I", info[8:12])[0]
    end = len(data) - len(MAGIC) - 12
    return data[:end - siglen], data[end - siglen:end]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("format", choices=["binary", "ascii"])
    ap.add_argument("file")
    ap.add_argument("path")
    ap.add_argument("--algo", default="sha256")
    ap.add_argument("--dmodsig-algo")
    ap.add_argument("--dmodsig-of")
    ap.add_argument("--flip-sig", type=int)
    a = ap.parse_args()
    data = open(a.file, "rb").read()
    body, p7 = split(data)
    if a.dmodsig_of:
        body = open(a.dmodsig_of, "rb").read()
    if a.flip_sig:
        p7 = bytearray(p7)
        p7[-a.flip_sig] ^= 0x01
        p7 = bytes(p7)
    malgo = a.dmodsig_algo or a.algo
    dng = hashlib.new(a.algo, data).digest()
    dmod = hashlib.new(malgo, body).digest()
    fields = [a.algo.encode() + b":\0" + dng, a.path.encode() + b"\0", b"",
              malgo.encode() + b":\0" + dmod, p7]
    tdata = b"".join(struct.pack("<I", len(f)) + f for f in fields)
    th = hashlib.sha1(tdata).digest()
    if a.format == "binary":
        t = b"ima-modsig"
        sys.stdout.buffer.write(struct.pack("<I", 10) + th + struct.pack("<I", len(t)) + t +
                                struct.pack("<I", len(tdata)) + tdata)
    else:
        # an empty field (sig) leaves just its separator
        print("10 %s ima-modsig %s:%s %s  %s:%s %s" % (
            th.hex(), a.algo, dng.hex(), a.path, malgo, dmod.hex(), p7.hex()))


main()
