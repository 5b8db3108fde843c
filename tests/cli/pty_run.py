#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs a command on a new pseudo-terminal (its controlling tty) and answers
its prompts: pty_run.py OUT ANSWER... -- CMD ARGS...
Each ANSWER is typed (with a newline) after the terminal shows a line that
ends in ": ".  Everything the terminal shows is written to OUT; the exit
status is the command's.  A 60 s guard ends a hung command (status 124)."""
import os
import pty
import select
import sys
import time


def main():
    out, rest = sys.argv[1], sys.argv[2:]
    sep = rest.index("--")
    answers, cmd = rest[:sep], rest[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    seen = b""
    deadline = time.monotonic() + 60
    while True:
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            open(out, "wb").write(seen)
            return 124
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        seen += data
        if answers and seen.rstrip().endswith(b":"):
            os.write(fd, answers.pop(0).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    open(out, "wb").write(seen)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
