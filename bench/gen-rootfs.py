#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds a deterministic tree shaped like a root filesystem: many small files
# (log-distributed sizes, most under 64 KiB), a few large ones, nested
# directories, symlinks and hard links.  Same arguments -> byte-identical tree.
# Usage: bench/gen-rootfs.py DIR [FILES] [MEGABYTES]
import os, random, subprocess, sys

root = sys.argv[1]
nfiles = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
total_mb = int(sys.argv[3]) if len(sys.argv) > 3 else 500
stamp = root.rstrip("/") + ".stamp-%d-%d" % (nfiles, total_mb)
if os.path.exists(stamp):
    sys.exit(0)
subprocess.run(["rm", "-rf", root], check=True)
os.makedirs(root)

rng = random.Random(20260101)
# a 64 MiB deterministic pool of incompressible bytes: AES-CTR of zeros
POOL = 64 << 20
pool = subprocess.run(
    ["openssl", "enc", "-aes-128-ctr", "-nosalt", "-K", "00" * 16, "-iv", "00" * 16],
    input=bytes(POOL), stdout=subprocess.PIPE, check=True).stdout

nlarge = 16
large_bytes = (total_mb << 20) * 6 // 10          # 60 % in a few large files
small_budget = (total_mb << 20) - large_bytes
nsmall = nfiles - nlarge
# small files: log-uniform sizes from 0 to 256 KiB, scaled to the budget
raw = [int(2 ** rng.uniform(0, 18)) - 1 for _ in range(nsmall)]
scale = small_budget / max(1, sum(raw))
sizes = [max(0, int(s * scale)) for s in raw]
sizes += [large_bytes // nlarge + rng.randrange(1 << 20) for _ in range(nlarge)]

tops = ["usr/bin", "usr/sbin", "usr/lib", "usr/lib/modules", "usr/share/doc",
        "usr/share/locale", "usr/share/man/man1", "etc", "etc/init.d", "lib/firmware",
        "usr/lib/python3/dist-packages", "usr/share/zoneinfo", "opt/app/lib"]
dirs = []
for t in tops:
    for i in range(rng.randrange(2, 14)):
        dirs.append("%s/d%02d" % (t, i))
for d in dirs:
    os.makedirs(os.path.join(root, d), exist_ok=True)

paths = []
for i, size in enumerate(sizes):
    d = dirs[rng.randrange(len(dirs))] if i < nsmall else "usr/lib/big"
    p = os.path.join(root, d, "f%05d" % i)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    off = rng.randrange(POOL)
    with open(p, "wb") as f:
        left = size
        while left:
            n = min(left, POOL - off)
            f.write(pool[off:off + n])
            left -= n
            off = 0
    os.chmod(p, 0o755 if "bin" in d else 0o644)
    paths.append(p)
for i in range(200):  # symlinks and hard links, as in a real rootfs
    src = paths[rng.randrange(len(paths))]
    os.symlink(os.path.basename(src), os.path.join(os.path.dirname(src), "l%03d" % i))
for i in range(50):
    src = paths[rng.randrange(len(paths))]
    os.link(src, os.path.join(os.path.dirname(src), "h%03d" % i))
open(stamp, "w").close()
