#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Keylime's own verdicts (KEYLIME_SRC: a Keylime source tree) on a runtime
policy and a measurement list, for tests/cli/cli_keylime.sh.

  keylime_verdict.py validate POLICY
      keylime.ima.ima.validate_runtime_policy (what the verifier and
      keylime-policy sign run) and the tenant keyring loaded from
      verification-keys: prints "valid N-keys keyids".
  keylime_verdict.py attest POLICY LIST [PCRS]
      keylime.ima.ima.process_measurement_list with that keyring, on the
      ascii LIST read as UTF-8 (as Keylime's agent sends it), the sha1 PCR 10
      of PCRS ("PCR-10: HEX") when given: prints "ok" or the failure's event
      ids, sorted.
"""
import json
import logging
import os
import sys

sys.path.insert(0, os.environ["KEYLIME_SRC"])
logging.disable(logging.CRITICAL)
from keylime.ima import file_signatures, ima  # noqa: E402


def main():
    policy = json.load(open(sys.argv[2], encoding="utf-8"))
    ring = file_signatures.ImaKeyring.from_string(policy["verification-keys"])
    if sys.argv[1] == "validate":
        ima.validate_runtime_policy(policy)
        print("valid", len(ring.ringv2), " ".join(str(k) for k in sorted(ring.ringv2)))
        return
    lines = open(sys.argv[3], encoding="utf-8").read().split("\n")
    pcr = None
    if len(sys.argv) > 4:
        for line in open(sys.argv[4], encoding="ascii"):
            if line.startswith("PCR-10:"):
                pcr = line.split(":", 1)[1].strip()
    keyrings = file_signatures.ImaKeyrings()
    keyrings.set_tenant_keyring(ring)
    _, failure = ima.process_measurement_list(None, lines, policy, pcr, keyrings)
    print(" ".join(sorted(set(failure.get_event_ids()))) if failure else "ok")


main()
