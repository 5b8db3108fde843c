#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Keylime's own verdicts on an ascii measurement list, entry by entry.

    KEYLIME_SRC=/path/to/keylime keylime_verdicts.py POLICY LIST [BOOT_AGGREGATE_HEX]

LIST is an ascii list, or a binary one (little-endian, templates ima-ng,
ima-sig, ima-buf), which is first written as the kernel's
ascii_runtime_measurements shows it.

Runs Keylime's code (keylime.ima.ima from a checkout given by KEYLIME_SRC;
nothing is fetched): validate_runtime_policy() on POLICY, then
process_measurement_list() on each line of LIST with the runtime policy and a
tenant keyring loaded from its "verification-keys" (as Keylime's verifier
does), sharing one ImaKeyrings across the lines so keys measured into
keyrings are learnt as Keylime learns them.  BOOT_AGGREGATE_HEX stands for
the boot_aggregate Keylime's verifier computes from the quoted PCRs.

Prints "policy: valid" or "policy: invalid: WHY", then one line per entry:
"N pass" or "N fail EVENT_ID[,EVENT_ID...]" (Keylime's failure event ids), or
"N error EXCEPTION" when Keylime's code raised.  Exit 0, or 2 on usage.
"""
import copy
import json
import logging
import os
import struct
import sys


def binary_to_ascii(data):
    """The kernel's ima_ascii_measurements_show() of a binary list (its bytes)."""
    out, i = [], 0
    while i < len(data):
        pcr, th = struct.unpack_from("<I", data, i)[0], data[i + 4 : i + 24]
        nlen = struct.unpack_from("<I", data, i + 24)[0]
        name = data[i + 28 : i + 28 + nlen].decode()
        i += 28 + nlen
        dlen = struct.unpack_from("<I", data, i)[0]
        tdata, i = data[i + 4 : i + 4 + dlen], i + 4 + dlen
        fields, j = [], 0
        while j < len(tdata):
            flen = struct.unpack_from("<I", tdata, j)[0]
            fields.append(tdata[j + 4 : j + 4 + flen])
            j += 4 + flen
        line = b"%d %s %s" % (pcr, th.hex().encode(), name.encode())
        for k, f in enumerate(fields):
            line += b" "
            if not f:
                continue
            if k == 0:  # d-ng: "algo:\0" digest
                algo, digest = f.split(b"\0", 1)
                line += algo + digest.hex().encode()
            elif k == 1:  # n-ng: the string without its NUL
                line += f.rstrip(b"\0")
            else:  # sig, buf
                line += f.hex().encode()
        out.append(line)
    return b"\n".join(out) + b"\n"


def main():
    if len(sys.argv) not in (3, 4) or not os.environ.get("KEYLIME_SRC"):
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, os.environ["KEYLIME_SRC"])
    logging.disable(logging.CRITICAL)
    from keylime.ima import file_signatures, ima  # pylint: disable=import-outside-toplevel

    with open(sys.argv[1], "rb") as f:
        policy = json.loads(f.read())
    try:
        ima.validate_runtime_policy(policy)
        print("policy: valid")
    except ima.ImaValidationError as e:
        print(f"policy: invalid: {e.message}")
    keyrings = file_signatures.ImaKeyrings()
    keyrings.set_tenant_keyring(file_signatures.ImaKeyring.from_string(policy["verification-keys"]))
    boot = {"sha256": [sys.argv[3]]} if len(sys.argv) == 4 else None
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    if data[:4] == b"\x0a\0\0\0":
        data = binary_to_ascii(data)
    # the agent hands the verifier text; undecodable bytes stay as surrogates
    lines = data.decode("utf-8", errors="surrogateescape").split("\n")
    n = 0
    for line in lines:
        if not line:
            continue
        n += 1
        try:
            _, failure = ima.process_measurement_list(
                None, [line], copy.deepcopy(policy), ima_keyrings=keyrings, boot_aggregates=boot
            )
        except Exception as e:  # pylint: disable=broad-except
            print(f"{n} error {type(e).__name__}")
            continue
        if failure:
            ids = sorted({ev.event_id.split(".")[-1] for ev in failure.events})
            print(f"{n} fail {','.join(ids)}")
        else:
            print(f"{n} pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
