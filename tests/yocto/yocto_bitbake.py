#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""meta-integrity with real BitBake (opt-in): runs when BITBAKE_DIR (a bitbake
checkout), OECORE_DIR (openembedded-core) and METAOE_DIR (meta-openembedded,
or its meta-oe) are given, and skips otherwise. Never fetches anything: the
build runs with BB_NO_NETWORK and only parses.

1. the layer is copied alone into an empty directory (nothing above it);
2. with the layer README's local.conf, "bitbake -p" parses every recipe of
   oe-core + meta-oe + the layer with 0 errors and 0 warnings;
3. "bitbake -e" of the image, the kernel, imactl and the policies: every
   path into the layer exists, the key, CA and policy settings name files that
   exist or the debug keys that ima-evm-debug-keys-native stages for the task;
   tar keeps the security.* xattrs; the same with the README's "own keys";
   imactl's LICENSE in the form this oe-core parses ("&", or SPDX "AND");
   without IMACTL_GIT_URI the recipe parses with no SRC_URI and its do_fetch
   stops with the message (a real task run, offline);
4. "bitbake -g integrity-image-minimal": do_ima_evm_sign after do_image (so
   after do_rootfs) and before every do_image_<type>; the kconfig check between
   do_configure and do_compile of the kernel; the signature cache's
   directory; image mode (the README's IMA_EVM_SIGN_MODE = "image" block, the
   image recipes parsed alone by bitbake -e -b and tinfoil):
   do_image_ext4's body signs after oe_mkext234fs and before the conversion,
   its [depends] has imactl-native and the keys, the image types not signed there
   refuse to run, the initramfs stays in rootfs mode;
5. meta-integrity's documented debug-key setting stops the parse, naming the
   migration table; its policy paths exist in this layer;
6. with YOCTO_CHECK_LAYER=1, oe-core's scripts/yocto-check-layer with meta-oe
   as --dependency (slow: it computes the signatures of "world" twice).

BitBake refuses to run as root (scarthgap): as root, the commands run as
nobody (setpriv). YOCTO_WORKDIR: where to build (default under /tmp, kept
between runs: the parse cache makes the second run fast).
TAP output; environment from meson: IMACTL, SRC_ROOT, BUILD_ROOT."""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys

SRC = os.environ.get('SRC_ROOT') or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYER_SRC = os.path.join(SRC, 'meta-integrity')
IMACTL = os.environ.get('IMACTL', 'imactl')

n = 0
failed = 0


def result(good, desc, *diag):
    global n, failed
    n += 1
    print('%s %d - %s' % ('ok' if good else 'not ok', n, desc), flush=True)
    if not good:
        failed += 1
        for d in diag:
            for line in str(d).splitlines()[-60:]:
                print('# ' + line)


def note(msg):
    for line in str(msg).splitlines():
        print('# ' + line, flush=True)


def skip_all(why):
    print('1..0 # SKIP %s' % why)
    sys.exit(0)


def done():
    print('1..%d' % n)
    sys.exit(1 if failed else 0)


BITBAKE = os.environ.get('BITBAKE_DIR')
OECORE = os.environ.get('OECORE_DIR')
METAOE = os.environ.get('METAOE_DIR')
if not (BITBAKE and OECORE and METAOE):
    skip_all('set BITBAKE_DIR, OECORE_DIR and METAOE_DIR to checkouts of bitbake, '
             'openembedded-core and meta-openembedded to run it')
BITBAKE, OECORE, METAOE = (os.path.abspath(p) for p in (BITBAKE, OECORE, METAOE))
if os.path.isdir(os.path.join(METAOE, 'meta-oe')):
    METAOE = os.path.join(METAOE, 'meta-oe')
for p, what in ((os.path.join(BITBAKE, 'bin', 'bitbake'), 'BITBAKE_DIR'),
                (os.path.join(OECORE, 'meta', 'conf', 'layer.conf'), 'OECORE_DIR'),
                (os.path.join(METAOE, 'conf', 'layer.conf'), 'METAOE_DIR')):
    if not os.path.exists(p):
        print('Bail out! %s: no %s' % (what, p))
        sys.exit(1)
if b'en_US.utf8' not in subprocess.run(['locale', '-a'], capture_output=True).stdout:
    skip_all('BitBake needs the en_US.UTF-8 locale (scripts/install-deps yocto)')
missing = [t for t in ('chrpath', 'diffstat', 'gawk', 'wget', 'cpio', 'file', 'patch', 'bzip2', 'git')
           if not shutil.which(t)]
if missing:
    skip_all('host tools BitBake checks for are missing: %s (scripts/install-deps yocto)' % ' '.join(missing))

key = hashlib.sha1(('%s:%s:%s' % (BITBAKE, OECORE, METAOE)).encode()).hexdigest()[:10]
W = os.path.abspath(os.environ.get('YOCTO_WORKDIR') or '/tmp/imactl-yocto-bitbake-%s' % key)
AS_NOBODY = os.getuid() == 0
os.makedirs(W, exist_ok=True)

ENV = {
    'HOME': os.path.join(W, 'home'),
    'LANG': 'en_US.UTF-8',
    'LC_ALL': 'en_US.UTF-8',
    'PATH': '%s:%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
            % (os.path.join(BITBAKE, 'bin'), os.path.join(OECORE, 'scripts')),
}


def sh(args, cwd, timeout=7200, env=None):
    """Runs args in cwd (as nobody when root), nice 19; returns (rc, output)."""
    cmd = ['nice', '-n', '19'] + args
    if AS_NOBODY:
        cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] + cmd
    e = dict(ENV)
    e.update(env or {})
    r = subprocess.run(cmd, cwd=cwd, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors='replace', timeout=timeout)
    return r.returncode, r.stdout


# parses the given recipes alone (config + the recipe) and prints, tab
# separated, for every image type task: recipe, task, [depends], [prefuncs],
# [deps] (the tasks it runs after); and IMA_EVM_SIGN_MODE of each recipe
TINFOIL_FLAGS = r'''
import os, sys, bb.tinfoil
with bb.tinfoil.Tinfoil() as t:
    t.prepare(config_only=True, quiet=2)
    for fn in sys.argv[1:]:
        d = t.parse_recipe_file(fn)
        print('%s IMA_EVM_SIGN_MODE=%s' % (os.path.basename(fn), d.getVar('IMA_EVM_SIGN_MODE')))
        for task in d.getVar('__BBTASKS', False) or []:
            if d.getVarFlag(task, 'imagetype'):
                print('\t'.join([os.path.basename(fn), task, d.getVarFlag(task, 'depends') or '',
                                 d.getVarFlag(task, 'prefuncs') or '', ' '.join(d.getVarFlag(task, 'deps') or [])]))
'''


def chown_nobody(path):
    if AS_NOBODY:
        subprocess.run(['chown', '-R', '65534:65534', path], check=True)


# ---- 1. the layer alone ----------------------------------------------------
layers = os.path.join(W, 'layers')
LAYER = os.path.join(layers, 'meta-integrity')
shutil.rmtree(layers, ignore_errors=True)
os.makedirs(layers)
shutil.copytree(LAYER_SRC, LAYER, symlinks=True,
                ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
outside = []
for root, dirs, files in os.walk(LAYER):
    for f in dirs + files:
        p = os.path.join(root, f)
        if os.path.islink(p) and not os.path.realpath(p).startswith(LAYER + os.sep):
            outside.append(p)
result(not outside, 'the layer copied alone into %s: no symlink leads out of it' % layers, *outside)
for d in ('home', 'build/conf', 'keys'):
    os.makedirs(os.path.join(W, d), exist_ok=True)
for readable in (BITBAKE, OECORE, METAOE):
    if AS_NOBODY:
        r = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r',
                            os.path.join(readable, 'README' if readable == BITBAKE else 'conf/layer.conf'
                                         if readable == METAOE else 'meta/conf/layer.conf')])
        if r.returncode != 0:
            print('Bail out! nobody cannot read %s (BitBake refuses root; make it readable)' % readable)
            sys.exit(1)


# The README's local.conf: the first indented block after the heading
# "## Signing images: local.conf".
def readme_blocks(heading):
    lines = open(os.path.join(LAYER, 'README.md')).read().split('\n')
    i = lines.index(heading)
    blocks, cur = [], []
    for line in lines[i + 1:]:
        if line.startswith('## '):
            break
        if line.startswith('    '):
            cur.append(line[4:])
        elif cur and line.strip() == '':
            cur.append('')
        elif cur:
            blocks.append('\n'.join(cur).strip() + '\n')
            cur = []
    if cur:
        blocks.append('\n'.join(cur).strip() + '\n')
    return blocks


def readme_block(heading, nth=0):
    return readme_blocks(heading)[nth]


README_CONF = readme_block('## Signing images: local.conf')
# imactl's source: this checkout (only parsed, never fetched here)
NO_URI_CONF = '\n'.join(l for l in README_CONF.split('\n') if not l.startswith('IMACTL_GIT_URI'))
README_CONF = README_CONF.replace('/path/to/imactl', SRC)
OWN_KEYS = readme_block('## Signing images: local.conf', 1)
result('IMAGE_CLASSES += "ima-evm-rootfs"' in README_CONF and 'IMA_EVM_KEY_DIR' in OWN_KEYS and
       'IMACTL_GIT_URI = "git://%s;protocol=file"' % SRC in README_CONF,
       'the README has the local.conf and the own-keys lines', README_CONF, OWN_KEYS)

BASE_CONF = '''MACHINE ??= "qemux86-64"
CONF_VERSION = "2"
BB_NO_NETWORK = "1"
DL_DIR = "%(w)s/downloads"
SSTATE_DIR = "%(w)s/sstate-cache"
TMPDIR = "%(w)s/build/tmp"
PERSISTENT_DIR = "%(w)s/build/persistent"
# the hash equivalence database beside the shared sstate (oe-core master
# warns when SSTATE_DIR is outside the build directory and the database inside)
BB_HASHSERVE_DB_DIR = "${SSTATE_DIR}"
''' % {'w': W}


def write_conf(builddir, extra):
    os.makedirs(os.path.join(builddir, 'conf'), exist_ok=True)
    with open(os.path.join(builddir, 'conf', 'local.conf'), 'w') as f:
        f.write(BASE_CONF + '\n# from the layer README\n' + extra)
    with open(os.path.join(builddir, 'conf', 'bblayers.conf'), 'w') as f:
        f.write('LCONF_VERSION = "7"\nBBPATH = "${TOPDIR}"\nBBFILES ?= ""\n'
                'BBLAYERS ?= "%s %s %s"\n' % (os.path.join(OECORE, 'meta'), METAOE, LAYER))


BUILD = os.path.join(W, 'build')
write_conf(BUILD, README_CONF)
chown_nobody(W)
bbver = subprocess.run(['git', '-C', BITBAKE, 'describe', '--tags', '--always'], capture_output=True, text=True).stdout.strip()
corenames = re.search(r'LAYERSERIES_CORENAMES = "([^"]*)"', open(os.path.join(OECORE, 'meta', 'conf', 'layer.conf')).read())
note('bitbake %s (%s), oe-core series "%s", meta-oe %s' % (
    re.search(r'__version__ = "([^"]+)"', open(os.path.join(BITBAKE, 'lib', 'bb', '__init__.py')).read()).group(1),
    bbver or 'no git', corenames.group(1) if corenames else '?', METAOE))


# ---- 2. parse ----------------------------------------------------------------
def parse_summary(out):
    m = re.search(r'Parsing of (\d+) \.bb files complete \((\d+) cached, (\d+) parsed\)\. (\d+) targets, '
                  r'(\d+) skipped, (\d+) masked, (\d+) errors\.', out)
    return m


rc, out = sh(['bitbake', '-p'], BUILD)
open(os.path.join(W, 'parse.log'), 'w').write(out)
m = parse_summary(out)
warnings = [l for l in out.splitlines() if l.startswith('WARNING:')]
errors = [l for l in out.splitlines() if l.startswith('ERROR:')]
if m:
    note('bitbake -p: %s .bb files (%s cached, %s parsed), %s targets, %s skipped, %s masked, %s errors; '
         '%d WARNING and %d ERROR lines' % (m.group(1), m.group(2), m.group(3), m.group(4), m.group(5),
                                            m.group(6), m.group(7), len(warnings), len(errors)))
result(rc == 0 and m is not None and m.group(7) == '0' and not errors,
       'bitbake -p: the layer alone parses with 0 errors', out[-4000:])
result(rc == 0 and not warnings, 'bitbake -p: 0 warnings', *(warnings or [out[-3000:]]))
if rc != 0:
    note('no parse: the other checks need it')
    done()


# ---- 3. bitbake -e ----------------------------------------------------------------
def env_of(target, builddir=BUILD, extra=()):
    rc, out = sh(['bitbake', '-e'] + list(extra) + [target], builddir)
    vals = {}
    for m in re.finditer(r'^(?:export )?([A-Za-z0-9_:${}.+/-]+)="((?:[^"\\]|\\.)*)"$', out, re.M):
        vals[m.group(1)] = m.group(2)
    return rc, out, vals


# Variables that list candidates rather than files: search paths, globs,
# regular expressions, files BitBake looked for (BBINCLUDED has the misses).
CANDIDATES = {'BBINCLUDED', 'FILESPATH', 'BBFILES', 'BBFILES_PRIORITIZED', 'BBPATH', 'BBFILE_PATTERN_integrity',
              'POSTINST_INTERCEPTS_PATHS', 'POSTINST_INTERCEPT_CHECKSUMS', 'WKS_SEARCH_PATH'}


def layer_paths(out):
    """Every path into the layer that a variable or function of "bitbake -e"
    expands to, but for the variables that list candidates."""
    paths = set()
    for line in out.splitlines():
        m = re.match(r'(?:export )?([A-Za-z0-9_:${}.+/-]+)=', line)
        if line.startswith('#') or (m and m.group(1) in CANDIDATES):
            continue
        for m in re.finditer(re.escape(LAYER) + r'(/[A-Za-z0-9_./%+-]*)?', line):
            paths.add(m.group(0).rstrip('/.:'))
    return sorted(paths)


targets = ['integrity-image-minimal', 'virtual/kernel', 'imactl', 'imactl-native', 'ima-policy-systemd',
           'ima-evm-debug-keys-native', 'ima-evm-keys']
envs = {}
for t in targets:
    rc, out, vals = env_of(t)
    envs[t] = (out, vals)
    result(rc == 0, 'bitbake -e %s' % t, out[-2000:])
    above = [l for l in out.splitlines() if (LAYER + '/..') in l]
    result(not above, 'bitbake -e %s: nothing reaches above the layer' % t, *above[:10])
    missing = [p for p in layer_paths(out) if not os.path.exists(p)]
    result(not missing, 'bitbake -e %s: every path into the layer exists (%d paths)' % (t, len(layer_paths(out))),
           *missing[:20])

_, img = envs['integrity-image-minimal']
debug_dir = img.get('IMA_EVM_DEBUG_KEY_DIR', '')
keys_out, _ = envs['ima-evm-debug-keys-native']
installed = set(re.findall(r'\b([a-z0-9_-]+\.(?:pem|der|x509|priv))\b',
                           keys_out[keys_out.find('\ndo_install() {'):][:2000]))
note('image: IMA_EVM_PRIVKEY=%s IMA_EVM_X509=%s IMA_EVM_ROOT_CA=%s IMA_EVM_POLICY=%s'
     % tuple(img.get(v) for v in ('IMA_EVM_PRIVKEY', 'IMA_EVM_X509', 'IMA_EVM_ROOT_CA', 'IMA_EVM_POLICY')))
for var in ('IMA_EVM_PRIVKEY', 'IMA_EVM_X509', 'IMA_EVM_ROOT_CA', 'IMA_EVM_POLICY'):
    v = img.get(var, '')
    if debug_dir and v.startswith(debug_dir + '/'):
        name = v[len(debug_dir) + 1:]
        result(name in installed and
               img.get('IMA_EVM_DEBUG_KEYS_DEPENDS') == 'ima-evm-debug-keys-native:do_populate_sysroot',
               '%s = %s: a debug key that ima-evm-debug-keys-native installs (%s), staged for the task'
               % (var, '${IMA_EVM_DEBUG_KEY_DIR}/' + name, ' '.join(sorted(installed))))
    else:
        result(bool(v) and os.path.exists(v), '%s = %s exists' % (var, v))
result("--xattrs --xattrs-include='security.*'" in img.get('IMAGE_CMD_TAR', ''),
       'IMAGE_CMD_TAR keeps the security.* xattrs', img.get('IMAGE_CMD_TAR'))
_, kern = envs['virtual/kernel']
frags = [u for u in kern.get('SRC_URI', '').split() if u.startswith('file://') and u.endswith('.cfg')]
result({'file://ima.cfg', 'file://evm.cfg'} <= set(frags), 'kernel: the layer\'s ima.cfg and evm.cfg are in SRC_URI', frags)
_, imactl = envs['imactl']
result(re.fullmatch(r'[0-9a-f]{40}', imactl.get('SRCREV', '')) is not None and 'AUTOREV' not in imactl.get('SRCREV', ''),
       'imactl: a fixed SRCREV (%s)' % imactl.get('SRCREV'))
result(imactl.get('SRC_URI') == 'git://%s;protocol=file;branch=main;destsuffix=imactl-git' % SRC,
       'imactl: SRC_URI is the README\'s IMACTL_GIT_URI (%s)' % imactl.get('SRC_URI'))
lic = imactl.get('LIC_FILES_CHKSUM', '')
result('file://LICENSES/GPL-2.0-or-later.txt' in lic and 'file://LICENSES/LGPL-2.1-or-later.txt' in lic,
       'imactl: LIC_FILES_CHKSUM names the license texts', lic)
spdx = 'def parse_legacy_license' in open(os.path.join(OECORE, 'meta', 'lib', 'oe', 'license.py')).read()
want = 'GPL-2.0-or-later %s LGPL-2.1-or-later' % ('AND' if spdx else '&')
result(imactl.get('LICENSE') == want, 'imactl: LICENSE = "%s" (this oe-core %s LICENSE as an SPDX expression)'
       % (imactl.get('LICENSE'), 'parses' if spdx else 'does not parse'), imactl.get('LICENSE'))
# the revision exists in this checkout (when it is one), on the branch, and carries those texts
src_git = subprocess.run(['git', '-C', SRC, 'cat-file', '-e', imactl.get('SRCREV', '') + '^{commit}'],
                         capture_output=True)
if subprocess.run(['git', '-C', SRC, 'rev-parse'], capture_output=True).returncode == 0:
    result(src_git.returncode == 0, 'imactl: SRCREV is a commit of this repository')
    on_branch = subprocess.run(['git', '-C', SRC, 'merge-base', '--is-ancestor', imactl.get('SRCREV', ''),
                                'refs/heads/main'], capture_output=True)
    result(on_branch.returncode == 0, 'imactl: SRCREV is on branch main (the recipe\'s IMACTL_BRANCH)')
    for e in lic.split():
        f = e.split(';')[0][len('file://'):]
        md5 = dict(p.split('=', 1) for p in e.split(';')[1:]).get('md5')
        blob = subprocess.run(['git', '-C', SRC, 'show', '%s:%s' % (imactl.get('SRCREV'), f)], capture_output=True)
        result(blob.returncode == 0 and hashlib.md5(blob.stdout).hexdigest() == md5,
               'imactl: %s at SRCREV has md5 %s' % (f, md5))

# without IMACTL_GIT_URI: the recipe parses, names no URL, and its fetch stops with the message
nouri = os.path.join(W, 'build-no-uri')
write_conf(nouri, NO_URI_CONF)
chown_nobody(W)
imactl_bb = os.path.join(LAYER, 'recipes-security', 'imactl', 'imactl_git.bb')
rc, out, nouri_env = env_of(imactl_bb, nouri, ['-b'])
result(rc == 0 and nouri_env.get('SRC_URI') == '' and nouri_env.get('IMACTL_GIT_URI') == '',
       'no IMACTL_GIT_URI: bitbake -e -b imactl_git.bb parses, SRC_URI is empty',
       'SRC_URI=%r' % nouri_env.get('SRC_URI'), out[-2000:])
rc, out = sh(['bitbake', '-b', imactl_bb, '-c', 'fetch'], nouri, timeout=1800)
result(rc != 0 and 'IMACTL_GIT_URI is not set' in out and 'devtool modify imactl' in out and
       'has commit %s ' % imactl.get('SRCREV') in out,
       'no IMACTL_GIT_URI: bitbake -b imactl_git.bb -c fetch stops, naming IMACTL_GIT_URI', out[-3000:])
open(os.path.join(W, 'fetch-no-uri.log'), 'w').write(out)

# the README's own keys: keys made here, the lines from the README
keydir = os.path.join(W, 'keys')
shutil.rmtree(keydir, ignore_errors=True)
r = subprocess.run([IMACTL, 'keygen', 'debug', '--out', keydir], capture_output=True, text=True)
result(r.returncode == 0, 'keys for the own-keys case (imactl keygen debug)', r.stderr)
own = os.path.join(W, 'build-own-keys')
write_conf(own, README_CONF + OWN_KEYS.replace('/path/to/keys', keydir))
chown_nobody(W)
image_bb = os.path.join(LAYER, 'recipes-core', 'images', 'integrity-image-minimal.bb')
rc, out, own_env = env_of(image_bb, own, ['-b'])
result(rc == 0, 'own keys: bitbake -e -b integrity-image-minimal.bb', out[-2000:])
for var in ('IMA_EVM_PRIVKEY', 'IMA_EVM_X509', 'IMA_EVM_ROOT_CA', 'IMA_EVM_POLICY'):
    v = own_env.get(var, '')
    result(bool(v) and os.path.exists(v), 'own keys: %s = %s exists' % (var, v))
result(own_env.get('IMA_EVM_DEBUG_KEYS_DEPENDS') == '',
       'own keys: no task depends on the debug keys (IMA_EVM_DEBUG_KEYS_DEPENDS is empty)',
       own_env.get('IMA_EVM_DEBUG_KEYS_DEPENDS'))

# ---- 4. task order (bitbake -g) ---------------------------------------------------
rc, out = sh(['bitbake', '-g', 'integrity-image-minimal', 'virtual/kernel'], BUILD)
dot = os.path.join(BUILD, 'task-depends.dot')
result(rc == 0 and os.path.exists(dot), 'bitbake -g integrity-image-minimal virtual/kernel', out[-3000:])
edges = set()
if os.path.exists(dot):
    for m in re.finditer(r'^"([^"]+)" -> "([^"]+)"', open(dot).read(), re.M):
        edges.add((m.group(1), m.group(2)))


def has(a, b):
    return (a, b) in edges


IM = 'integrity-image-minimal'
result(has(IM + '.do_ima_evm_sign', IM + '.do_image') and has(IM + '.do_image', IM + '.do_rootfs'),
       'do_ima_evm_sign runs after do_image, which runs after do_rootfs')
types = sorted(a for a, b in edges if a.startswith(IM + '.do_image_') and b == IM + '.do_image'
               and a not in (IM + '.do_image_complete', IM + '.do_image_qa'))
result(bool(types) and all(has(t, IM + '.do_ima_evm_sign') for t in types),
       'every image type task runs after do_ima_evm_sign: %s' % ' '.join(t.split('.')[-1] for t in types),
       *['%s lacks the edge' % t for t in types if not has(t, IM + '.do_ima_evm_sign')])
result(has(IM + '.do_image_complete', IM + '.do_ima_evm_sign'), 'do_image_complete runs after do_ima_evm_sign')
result(has(IM + '.do_ima_evm_sign', 'imactl-native.do_populate_sysroot') and
       has(IM + '.do_ima_evm_sign', 'ima-evm-debug-keys-native.do_populate_sysroot'),
       'do_ima_evm_sign has imactl-native and the debug keys staged')
kernel = sorted({a.split('.')[0] for a, b in edges if a.endswith('.do_ima_evm_kconfig_check')})
result(len(kernel) == 1 and has(kernel[0] + '.do_ima_evm_kconfig_check', kernel[0] + '.do_configure') and
       has(kernel[0] + '.do_compile', kernel[0] + '.do_ima_evm_kconfig_check'),
       'kernel %s: do_ima_evm_kconfig_check between do_configure and do_compile' % ' '.join(kernel))

# the signature cache: in the build directory's persistent cache, which
# pseudo does not track (scarthgap: PSEUDO_IGNORE_PATHS), out of the task hash
cache_dir = img.get('IMA_EVM_CACHE_DIR', '')
result(cache_dir != '' and cache_dir == img.get('PERSISTENT_DIR', '') + '/imactl-sign',
       'IMA_EVM_CACHE_DIR = %s (PERSISTENT_DIR/imactl-sign)' % cache_dir)
if 'PSEUDO_INCLUDE_PATHS' in img:  # wrynose and later: pseudo tracks only these
    incl = img['PSEUDO_INCLUDE_PATHS']
    result(not any(cache_dir.startswith(p.rstrip('/') + '/') for p in incl.split(',') if p),
           'the cache directory is outside PSEUDO_INCLUDE_PATHS (pseudo does not track it)', incl)
else:
    result(cache_dir in img.get('PSEUDO_IGNORE_PATHS', '').split(','),
           'the cache directory is in PSEUDO_IGNORE_PATHS', img.get('PSEUDO_IGNORE_PATHS'))

# image mode: the README's block
mode_block = [b for b in readme_blocks('## Signing images: local.conf') if 'IMA_EVM_SIGN_MODE = "image"' in b]
result(len(mode_block) == 1, 'the README has an image-mode block', *mode_block)
imgmode = os.path.join(W, 'build-image-mode')
# plus a type image mode does not sign, to see it refused
write_conf(imgmode, README_CONF + (mode_block[0] if mode_block else '') + 'IMAGE_FSTYPES:append = " tar.bz2"\n')
chown_nobody(W)
# (its local.conf differs, so a full parse would start from an empty cache:
# bitbake -e -b and tinfoil parse the two image recipes alone)
image_bb = os.path.join(LAYER, 'recipes-core', 'images', 'integrity-image-minimal.bb')
rc, out, im = env_of(image_bb, imgmode, ['-b'])
result(rc == 0, 'image mode: bitbake -e -b integrity-image-minimal.bb', out[-2000:])
body = re.search(r'^do_image_ext4\(\) \{\n(.*?)^\}', out, re.M | re.S)
body = body.group(1) if body else ''
note('image mode: do_image_ext4:\n' + body)
pos = [body.find(x) for x in ('oe_mkext234fs ext4', 'ima_evm_sign_image ext4', 'zstd ')]
result(-1 not in pos and pos == sorted(pos),
       'image mode: do_image_ext4 makes the file system, signs it (ima_evm_sign_image), then converts it (zst)',
       body)
rc2, out2 = sh(['/usr/bin/python3', '-c', TINFOIL_FLAGS, image_bb,
                os.path.join(LAYER, 'recipes-core', 'images', 'integrity-initramfs.bb')], imgmode,
               env={'PYTHONPATH': os.path.join(BITBAKE, 'lib')})
note('image mode, the image type tasks (tinfoil): ' + out2.strip()[-2500:])
tasks = {}
for line in out2.splitlines():
    f = line.split('\t')
    if len(f) == 5 and f[1].startswith('do_image_'):
        tasks[(os.path.basename(f[0]), f[1])] = f[2:]
mini = {t: v for (r, t), v in tasks.items() if r == 'integrity-image-minimal.bb'}
ext4 = mini.get('do_image_ext4', ['', '', ''])
result(rc2 == 0 and 'imactl-native:do_populate_sysroot' in ext4[0] and
       'ima-evm-debug-keys-native:do_populate_sysroot' in ext4[0],
       'image mode: do_image_ext4[depends] has imactl-native and the debug keys', out2[-2000:])
result('do_ima_evm_sign' in ext4[2].split(), 'image mode: do_image_ext4 runs after do_ima_evm_sign (the policy)',
       ext4[2])
result('ima_evm_unsigned_type' not in ext4[1] and 'do_image_tar' in mini and
       'ima_evm_unsigned_type' in mini['do_image_tar'][1],
       'image mode: ima_evm_unsigned_type is a prefunc of the unsigned types only (%s)'
       % ' '.join(sorted(t for t, v in mini.items() if 'ima_evm_unsigned_type' in v[1])), out2[-2000:])
initrd = {t: v for (r, t), v in tasks.items() if r == 'integrity-initramfs.bb'}
result(bool(initrd) and not any('ima_evm_unsigned_type' in v[1] for v in initrd.values()) and
       'IMA_EVM_SIGN_MODE=rootfs' in out2,
       'image mode: integrity-initramfs stays in rootfs mode (cpio + manifest)', out2[-1500:])

# ---- 4b. mutable files: the README's evm-hmac block ---------------------------------
hmac_block = [b for b in readme_blocks('## Signing images: local.conf') if 'evm-hmac' in b]
result(len(hmac_block) == 1, 'the README has an evm-hmac block (mutable files)', *hmac_block)
hmacdir = os.path.join(W, 'build-evm-hmac')
write_conf(hmacdir, README_CONF + (hmac_block[0] if hmac_block else ''))
chown_nobody(W)
# (another local.conf: the recipes concerned are parsed alone, with -b)
recipes = os.path.join(LAYER, 'recipes-core')
kernels = sorted(glob.glob(os.path.join(OECORE, 'meta', 'recipes-kernel', 'linux', 'linux-yocto_*.bb')))
checks = [('image', os.path.join(recipes, 'images', 'integrity-image-minimal.bb')),
          ('initramfs', os.path.join(recipes, 'images', 'integrity-initramfs.bb')),
          ('module', os.path.join(recipes, 'initrdscripts', 'initramfs-module-imactl-evm_1.0.bb')),
          ('ima module', os.path.join(recipes, 'initrdscripts', 'initramfs-framework-ima.bb')),
          ('policy', os.path.join(LAYER, 'recipes-security', 'ima_policy_mutable', 'ima-policy-mutable_1.0.bb'))]
hm = {}
for name, bb_ in checks:
    rc, out, vals = env_of(bb_, hmacdir, ['-b'])
    hm[name] = vals
    result(rc == 0, 'evm-hmac: bitbake -e -b %s' % os.path.basename(bb_), out[-2000:])
    missing = [p for p in layer_paths(out) if not os.path.exists(p)]
    result(not missing, 'evm-hmac: bitbake -e -b %s: every path into the layer exists (%d paths)'
           % (os.path.basename(bb_), len(layer_paths(out))), *missing[:20])
img_ = hm['image']
pol = img_.get('IMA_EVM_POLICY', '')
result(pol == os.path.join(LAYER, 'recipes-security', 'ima_policy_mutable', 'files', 'ima_policy_mutable') and
       os.path.exists(pol), 'evm-hmac: IMA_EVM_POLICY = %s, a file the layer ships' % pol)
result(img_.get('IMA_EVM_MUTABLE') == '/etc/machine-id /var' and
       img_.get('IMA_EVM_MUTABLE_LIST') == '/etc/imactl/mutable.list',
       'evm-hmac: IMA_EVM_MUTABLE = "%s", the list at %s' % (img_.get('IMA_EVM_MUTABLE'), img_.get('IMA_EVM_MUTABLE_LIST')))
result('ima-policy-mutable' in img_.get('IMAGE_INSTALL', '').split(),
       'evm-hmac: integrity-image-minimal installs ima-policy-mutable', img_.get('IMAGE_INSTALL'))
result('initramfs-module-imactl-evm' in hm['initramfs'].get('PACKAGE_INSTALL', '').split(),
       'evm-hmac: integrity-initramfs installs initramfs-module-imactl-evm', hm['initramfs'].get('PACKAGE_INSTALL'))
mod = hm['module']
result(mod.get('IMA_EVM_MUTABLE_LIST') == '/etc/imactl/mutable.list' and
       mod.get('IMA_EVM_KEY_BLOB_DIR') == '/etc/imactl' and mod.get('IMA_EVM_KEYHANDLE') == '0x81000001',
       'evm-hmac: the module reads the list where the image class puts it (%s), keeps the blobs in %s, keyhandle %s'
       % (mod.get('IMA_EVM_MUTABLE_LIST'), mod.get('IMA_EVM_KEY_BLOB_DIR'), mod.get('IMA_EVM_KEYHANDLE')))
srcs = [u[7:] for u in mod.get('SRC_URI', '').split() if u.startswith('file://')]
result(srcs == ['imactlevm', 'imactlevmstore'] and
       all(os.path.exists(os.path.join(recipes, 'initrdscripts', 'initramfs-module-imactl-evm', f)) for f in srcs),
       'evm-hmac: the module\'s files are in the layer (%s)' % ' '.join(srcs))
result('ima-policy-mutable' in hm['ima module'].get('RDEPENDS:initramfs-framework-ima', hm['ima module'].get('RDEPENDS:${PN}', '')),
       'evm-hmac: the initramfs carries ima-policy-mutable',
       hm['ima module'].get('RDEPENDS:initramfs-framework-ima'), hm['ima module'].get('RDEPENDS:${PN}'))
# the kernel: "bitbake -b" applies no bbappend, so tinfoil parses the newest
# linux-yocto recipe with the layer's append
TINFOIL_KERNEL = r'''
import sys, bb.tinfoil
with bb.tinfoil.Tinfoil() as t:
    t.prepare(config_only=True, quiet=2)
    d = t.parse_recipe_file(sys.argv[1], appendlist=sys.argv[2:])
    for v in ('SRC_URI', 'IMA_EVM_KCONFIG_FEATURES', 'FILESPATH'):
        print('%s=%s' % (v, d.getVar(v) or ''))
'''
if kernels:
    rc, out = sh(['/usr/bin/python3', '-c', TINFOIL_KERNEL, kernels[-1],
                  os.path.join(LAYER, 'recipes-kernel', 'linux', 'linux-yocto%.bbappend')], hmacdir,
                 env={'PYTHONPATH': os.path.join(BITBAKE, 'lib')})
    result(rc == 0, 'evm-hmac: tinfoil parses %s with the layer\'s append' % os.path.basename(kernels[-1]), out[-2000:])
    k = dict(l.split('=', 1) for l in out.splitlines() if '=' in l and l.split('=', 1)[0] in
             ('SRC_URI', 'IMA_EVM_KCONFIG_FEATURES', 'FILESPATH'))
    fdir = os.path.join(LAYER, 'recipes-kernel', 'linux', 'files')
    # (FILESPATH's entries end in the overrides, the plain one in '/')
    result(fdir in [os.path.normpath(p) for p in k.get('FILESPATH', '').split(':') if p] and
           os.path.exists(os.path.join(fdir, 'evm-hmac.cfg')),
           'evm-hmac: the kernel finds the layer\'s files/ (FILESPATH), evm-hmac.cfg is there', k.get('FILESPATH', '')[:500])
    frags = [u[7:] for u in k.get('SRC_URI', '').split() if u.startswith('file://') and u.endswith('.cfg')]
    result('evm-hmac.cfg' in frags and 'tpm.cfg' in frags and frags.index('evm-hmac.cfg') > frags.index('tpm.cfg') and
           os.path.exists(os.path.join(LAYER, 'recipes-kernel', 'linux', 'files', 'evm-hmac.cfg')),
           'evm-hmac: %s has the layer\'s evm-hmac.cfg after tpm.cfg' % os.path.basename(kernels[-1]), frags)
    result(k.get('IMA_EVM_KCONFIG_FEATURES') == 'ima,appraise,evm,tpm,evm-hmac',
           'evm-hmac: the kernel\'s kconfig check knows the mode (%s)' % k.get('IMA_EVM_KCONFIG_FEATURES'))

# ---- 5. meta-integrity's settings -------------------------------------------------
for policy in ('ima_policy_appraise_all', 'ima_policy_hashed', 'ima_policy_simple'):
    p = os.path.join(LAYER, 'recipes-security', policy, 'files', policy)
    result(os.path.exists(p), "meta-integrity's IMA_EVM_POLICY ${INTEGRITY_BASE}/recipes-security/%s/files/%s exists"
           % (policy, policy))
seed = os.path.join(W, 'build-seed')
write_conf(seed, README_CONF + 'IMA_EVM_KEY_DIR = "${INTEGRITY_BASE}/data/debug-keys"\n'
           'IMA_EVM_PRIVKEY = "${IMA_EVM_KEY_DIR}/privkey_ima.pem"\n')
chown_nobody(W)
rc, out = sh(['bitbake', '-p'], seed)
result(rc != 0 and 'IMA_EVM_KEY_DIR = "%s/data/debug-keys": this meta-integrity (imactl) does not ship that file'
       % LAYER in out and 'migration table' in out,
       "meta-integrity's IMA_EVM_KEY_DIR = ${INTEGRITY_BASE}/data/debug-keys stops the parse, naming the migration table",
       out[-3000:])

# ---- 6. yocto-check-layer ------------------------------------------------------------
if os.environ.get('YOCTO_CHECK_LAYER') == '1':
    chk = os.path.join(W, 'build-check')
    write_conf(chk, '')
    with open(os.path.join(chk, 'conf', 'bblayers.conf'), 'w') as f:
        f.write('LCONF_VERSION = "7"\nBBPATH = "${TOPDIR}"\nBBFILES ?= ""\nBBLAYERS ?= "%s"\n'
                % os.path.join(OECORE, 'meta'))
    chown_nobody(W)
    # --no-auto-dependency: without it the tool tests meta-oe as well (the
    # layer's dependency), a second world run that says nothing about this layer
    rc, out = sh(['yocto-check-layer', '--no-auto-dependency', '--dependency', METAOE, '--', LAYER], chk,
                 env={'BUILDDIR': chk, 'BBPATH': chk})
    open(os.path.join(W, 'check-layer.log'), 'w').write(out)
    for line in out.splitlines():
        if re.search(r'INFO: (test_\w+ |SUMMARY|meta-integrity|Ran )|\.\.\. (ok|FAIL|ERROR|skipped)', line):
            note(line)
    # the summary line is "INFO: meta-integrity ... PASS"
    result(rc == 0 and re.search(r'^INFO: meta-integrity \.\.\. PASS$', out, re.M) is not None,
           'yocto-check-layer --dependency meta-oe: PASS', out[-6000:])
done()
