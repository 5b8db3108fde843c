#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs one shell function of meta-integrity the way a BitBake task would.

bbrun.py --layer DIR [--conf FILE]... [--set VAR=VALUE]... --eval FILE...
         (--func NAME --scriptdir DIR [--runner CMD] | --get VAR... | --handler NAME)

The layer's conf/layer.conf is evaluated first (LAYERDIR = DIR), then each
--conf (local.conf-like), the --set values, then the --eval files (a class, a
recipe, a bbappend) in order, with BBPATH = the layer. --func writes
DIR/run.NAME and runs it with /bin/sh (optionally under --runner, e.g.
"setpriv --reuid=65534 --regid=65534 --clear-groups"), passing its output
and exit code through. --get prints expanded variables, one per line.
--handler runs a python event handler and prints the messages it logged.
"""
import argparse
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minibb  # noqa: E402


def build(args):
    layer = os.path.abspath(args.layer)
    d = minibb.DataStore(bbpath=[layer])
    d.setVar('LAYERDIR', layer)
    d.eval_file(os.path.join(layer, 'conf', 'layer.conf'))
    d.vars.pop('LAYERDIR', None)
    for c in args.conf or []:
        with open(c) as f:
            minibb.load_conf_text(d, f.read(), c)
    for kv in args.set or []:
        k, v = kv.split('=', 1)
        d.setVar(k, v)
    for f in args.eval:
        d.eval_file(f if os.path.isabs(f) else os.path.join(layer, f))
    # the --set values win over the class defaults (like local.conf)
    for kv in args.set or []:
        k, v = kv.split('=', 1)
        d.setVar(k, v)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--layer', required=True)
    ap.add_argument('--conf', action='append')
    ap.add_argument('--set', action='append')
    ap.add_argument('--eval', action='append', default=[])
    ap.add_argument('--func')
    ap.add_argument('--scriptdir')
    ap.add_argument('--runner')
    ap.add_argument('--get', nargs='+')
    ap.add_argument('--handler')
    args = ap.parse_args()
    try:
        d = build(args)
    except minibb.ParseError as e:
        print('parse error: %s' % e, file=sys.stderr)
        return 4
    if args.get:
        for v in args.get:
            print(d.getVar(v) or '')
        return 0
    if args.handler:
        try:
            d.run_python_handler(args.handler)
        except minibb.ParseError as e:
            print('FATAL: %s' % e)
        for level, msg in d.bb.messages:
            print('%s: %s' % (level, msg))
        return 0
    r = minibb.run_shell(d, args.func, args.scriptdir,
                         runner=shlex.split(args.runner) if args.runner else None)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    return r.returncode


if __name__ == '__main__':
    sys.exit(main())
