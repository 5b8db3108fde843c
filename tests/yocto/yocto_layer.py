#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""meta-integrity without BitBake: every metadata file parses (and the checker
catches what BitBake would reject), the layer's python event handlers do what
they claim, recipes point at files that exist, license checksums match,
EXTRA_OEMESON names real meson options, and the kernel fragments the layer
adds satisfy "imactl kconfig check --features" for what the layer enables.
TAP output; environment from meson: IMACTL, SRC_ROOT, BUILD_ROOT."""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import minibb  # noqa: E402

SRC = os.environ.get('SRC_ROOT') or os.path.dirname(os.path.dirname(HERE))
LAYER_SRC = os.path.join(SRC, 'meta-integrity')
IMACTL = os.environ.get('IMACTL', 'imactl')
TMP = os.path.join(os.environ.get('BUILD_ROOT', '/tmp'), 'tests', 'tmp', 'yocto_layer')
shutil.rmtree(TMP, ignore_errors=True)
os.makedirs(TMP)
# Everything below runs on a copy of the layer alone, as layer indexes, kas,
# repo manifests and tarballs deliver it: nothing above it exists.
LAYER = os.path.join(TMP, 'alone', 'meta-integrity')
shutil.copytree(LAYER_SRC, LAYER, symlinks=True, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))

n = 0
failed = 0


def result(good, desc, *diag):
    global n, failed
    n += 1
    print('%s %d - %s' % ('ok' if good else 'not ok', n, desc))
    if not good:
        failed += 1
        for d in diag:
            for line in str(d).splitlines():
                print('# ' + line)


def skip(desc, why):
    global n
    n += 1
    print('ok %d - %s # SKIP %s' % (n, desc, why))


def have(cmd):
    return subprocess.run([IMACTL, 'help', cmd], capture_output=True).returncode == 0


def metadata_files():
    out = []
    for ext in ('*.bb', '*.bbappend', '*.bbclass', '*.conf', '*.inc'):
        out += glob.glob(os.path.join(LAYER, '**', ext), recursive=True)
    return sorted(out)


# ---- 1. every metadata file of the layer parses ---------------------------
files = metadata_files()
result(len(files) >= 15, 'the layer has its metadata files (%d)' % len(files))
for p in files:
    _, errors = minibb.lint(p)
    result(not errors, 'BitBake syntax: %s' % os.path.relpath(p, os.path.dirname(LAYER)), *errors)

# ---- 1b. self-contained: nothing above ${LAYERDIR} -------------------------------
above = []
for root, dirs, names in os.walk(LAYER):
    for f in dirs + names:
        path = os.path.join(root, f)
        if os.path.islink(path) and not os.path.realpath(path).startswith(LAYER + os.sep):
            above.append('%s: symlink out of the layer' % path)
        elif os.path.isfile(path):
            text = open(path, errors='replace').read()
            for pat in ('${LAYERDIR}/..', '${INTEGRITY_BASE}/..', '${THISDIR}/../..', 'IMACTL_BASE', '${TOPDIR}'):
                if pat in text:
                    above.append('%s: %s' % (os.path.relpath(path, LAYER), pat))
result(not above, 'the layer uses nothing above itself (no ${LAYERDIR}/.., IMACTL_BASE, ${TOPDIR}, symlinks out)',
       *above)
generated = subprocess.run(['git', '-C', SRC, 'ls-files', '--', 'meta-integrity'], capture_output=True, text=True)
if generated.returncode == 0:
    bad = [f for f in generated.stdout.split() if re.search(r'(__pycache__|\.pyc$|\.pem$|\.der$|\.priv$|\.x509$|~$)', f)]
    result(not bad, 'no generated files or keys tracked in meta-integrity/', *bad)

# copies of imactl's policies/ and kernel/ fragments: policies/ and kernel/
# are the source of truth (the CLI and VM tests use them); scripts/sync-layer
# refreshes the layer's copies
COPIES = [('policies/%s' % p, 'recipes-security/ima_policy_%s/files/ima_policy_%s' % (p.replace('-', '_'), p.replace('-', '_')))
          for p in ('simple', 'appraise-all', 'hashed', 'systemd', 'mutable')]
COPIES += [('kernel/%s.cfg' % f, 'recipes-kernel/linux/files/%s.cfg' % f) for f in ('ima', 'evm', 'modsign', 'tpm', 'evm-hmac')]
for src, copy in COPIES:
    a, b = os.path.join(SRC, src), os.path.join(LAYER, copy)
    same = os.path.exists(a) and os.path.exists(b) and open(a, 'rb').read() == open(b, 'rb').read()
    result(same, 'meta-integrity/%s is identical to %s (scripts/sync-layer copies it)' % (copy, src))

# ---- 2. the checker catches bad syntax ------------------------------------
BAD = [
    ('FOO = "bar', 'recipe', 'does not end with its opening quote'),
    ("FOO = 'bar\"", 'recipe', 'does not end with its opening quote'),
    ('FOO = bar', 'recipe', 'must be quoted'),
    ('FOO = "a "b" c"', 'recipe', 'stray "'),
    ('FOO="bar"', 'recipe', 'no blank around'),
    ('FOO =+"bar"', 'recipe', 'no blank around'),
    ('FOO ?== "bar"', 'recipe', 'must be quoted'),
    ('FOO := bar"', 'recipe', 'must be quoted'),
    ('SRC_URI_append = " file://x"', 'recipe', 'old override syntax'),
    ('DEPENDS_prepend = "x "', 'recipe', 'old override syntax'),
    ('IMAGE_INSTALL_remove = "x"', 'recipe', 'old override syntax'),
    ('RDEPENDS_${PN}_append_class-target = "x"', 'recipe', 'old override syntax'),
    ('do_install_append() {\n\ttrue\n}', 'recipe', 'old override syntax'),
    ('FOO:append += "x"', 'recipe', ':append already appends'),
    ('FOO:remove .= "x"', 'recipe', ':remove already removes'),
    ('FOO:append:prepend = "x"', 'recipe', 'combines'),
    ('FOO::append = "x"', 'recipe', 'empty override'),
    ('FOO: = "x"', 'recipe', 'empty override'),
    (':FOO = "x"', 'recipe', 'starts with ":"'),
    ('FOO = "a \\\n# comment\nb"', 'recipe', 'comment in the middle of a multiline'),
    ('# a comment \\\nFOO = "x"', 'recipe', 'multiline comment continues'),
    ('FOO = "a \\', 'recipe', 'ends inside a line continuation'),
    ('FOO = "${@bb.utils.contains(\'A\', \'b\', \'c\' \'\', d}"', 'recipe', 'Python syntax error'),
    ('FOO = "${@foo(d) "', 'recipe', 'unterminated ${@'),
    ('FOO = "${@1 +}"', 'recipe', 'Python syntax error'),
    ('FOO = "${BAR"', 'recipe', 'unterminated ${'),
    ('do_install () {\n\ttrue\n', 'recipe', 'never closed'),
    ('do_install () {\n\tif true; then\n}', 'recipe', 'shell syntax error'),
    ('python do_x () {\n    if True\n        pass\n}', 'recipe', 'Python syntax error'),
    ('python do_x () {\n\tpass\n}', 'recipe', 'tab in Python'),
    ('def f(d):\n    return (\n', 'recipe', 'Python syntax error'),
    ('addtask foo after do_a after do_b', 'recipe', 'given twice'),
    ('addtask foo do_bar', 'recipe', 'ignored'),
    ('addtask foo after', 'recipe', 'nothing after'),
    ('inherit foo', 'conf', 'not allowed in a .conf'),
    ('do_x () {\n}', 'conf', 'not allowed in a .conf'),
    ('frobnicate the layer', 'recipe', 'unparsed line'),
    ('FOO[doc = "x"', 'recipe', 'bad variable name or operator'),
]
for text, kind, want in BAD:
    path = 'bad.conf' if kind == 'conf' else 'bad.bb'
    _, errors = minibb.lint_text(text + '\n', path, kind)
    result(any(want in e for e in errors), 'checker rejects %r (%s)' % (text, want), *(errors or ['no error']))

GOOD = [
    'FOO = "bar"', "FOO = 'a \" b'", 'FOO ?= "x"', 'FOO ??= "x"', 'FOO := "${BAR}"', 'FOO += "x"',
    'FOO =+ "x"', 'FOO .= "x"', 'FOO =. "x"', 'FOO:append = " x"', 'FOO:prepend:pn-foo = "x "',
    'FOO:remove = "x"', 'FILESEXTRAPATHS:prepend := "${THISDIR}/files:"', 'export FOO = "x"',
    'export FOO', 'unset FOO', 'unset FOO[doc]', 'FOO[doc] = "x"', 'do_x[depends] += "a:do_b"',
    'RDEPENDS:${PN}:class-target = "x"',
    'FOO = "${@bb.utils.contains("DISTRO_FEATURES", "ima", "a", "", d)}"',
    'FOO = "a \\\n    b \\\n    c"', '# a comment \\\n# still a comment',
    'inherit core-image ${@"x" if 1 else ""}', 'require ${@"" if 1 else "x.inc"}', 'include foo.inc',
    'addtask foo after do_a before do_b do_c', 'deltask do_foo', 'addhandler h',
    'h[eventmask] = "bb.event.SanityCheck"',
    'do_install () {\n\tinstall -d ${D}${sysconfdir}\n\tfor f in a b; do\n\t\t:\n\tdone\n}',
    'do_install:append () {\n\ttrue\n}',
    'python () {\n    d.setVar("A", "b")\n}', 'python do_x () {\n    bb.warn("x")\n}',
    'def f(d):\n    return "x"\n\nFOO = "${@f(d)}"',
    'SRC_URI = "git://x;protocol=file;branch=main"',
]
for text in GOOD:
    _, errors = minibb.lint_text(text + '\n', 'good.bb', 'recipe')
    result(not errors, 'checker accepts %r' % text, *errors)
for text in ('BBPATH =. "${LAYERDIR}:"', 'addpylib ${LAYERDIR}/lib oeqa', 'INHERIT += "x"'):
    _, errors = minibb.lint_text(text + '\n', 'good.conf', 'conf')
    result(not errors, 'checker accepts %r in a .conf' % text, *errors)


# ---- 3. the layer evaluates as the seed documents -----------------------------
def store(conf='', files=()):
    d = minibb.DataStore(bbpath=[LAYER])
    d.setVar('LAYERDIR', LAYER)
    d.eval_file(os.path.join(LAYER, 'conf', 'layer.conf'))
    d.vars.pop('LAYERDIR', None)
    minibb.load_conf_text(d, conf)
    for f in files:
        d.eval_file(os.path.join(LAYER, f))
    return d


d = store()
result(d.getVar('BBFILE_COLLECTIONS').split() == ['integrity'], 'layer.conf: collection "integrity"')
result(d.getVar('INTEGRITY_BASE') == LAYER, 'layer.conf: INTEGRITY_BASE is the layer')
result('sanity-meta-integrity' in d.getVar('INHERIT').split(), 'layer.conf inherits the sanity check')
result({'scarthgap', 'wrynose'} <= set(d.getVar('LAYERSERIES_COMPAT_integrity').split()),
       'LAYERSERIES_COMPAT_integrity has scarthgap and wrynose', d.getVar('LAYERSERIES_COMPAT_integrity'))

SEED_WARNING = ("You have included the meta-integrity layer, but 'integrity' has not been enabled in your "
                "DISTRO_FEATURES. Some bbappend files and preferred version setting may not take effect.")
for conf, want, desc in (
        ('DISTRO_FEATURES = "systemd ima"\n', True, 'warns without integrity'),
        ('DISTRO_FEATURES = "ima"\nSKIP_META_INTEGRITY_SANITY_CHECK = "1"\n', False, 'SKIP_META_INTEGRITY_SANITY_CHECK = "1" silences it'),
        ('DISTRO_FEATURES = "ima"\nSKIP_META_INTEGRITY_SANITY_CHECK = "0"\n', True, 'SKIP_META_INTEGRITY_SANITY_CHECK = "0" does not'),
        ('DISTRO_FEATURES = "x"\nDISTRO_FEATURES:append = " integrity"\n', False, 'no warning with integrity (via :append)')):
    d = store(conf, ['classes/sanity-meta-integrity.bbclass'])
    d.run_python_handler('integrity_bbappend_distrocheck')
    warned = [m for lvl, m in d.bb.messages if lvl == 'WARNING']
    ok = bool(warned) == want and (not want or warned[0].startswith(SEED_WARNING))
    result(ok, 'sanity check: %s' % desc, repr(d.bb.messages))
d = store('', ['classes/sanity-meta-integrity.bbclass'])
result('integrity_bbappend_distrocheck' in d.handlers and
       d.getVarFlag('integrity_bbappend_distrocheck', 'eventmask') == 'bb.event.SanityCheck',
       'the sanity check is a bb.event.SanityCheck handler')

# signing is a task of its own: after do_image, before do_image_complete (and,
# from the anonymous function, before each do_image_<type>; checked with real
# BitBake by yocto_bitbake.py); the class leaves IMAGE_PREPROCESS_COMMAND alone
conf = 'DISTRO_FEATURES = "integrity ima"\nIMAGE_PREPROCESS_COMMAND = "a; b "\n'
d = store(conf, ['classes/ima-evm-rootfs.bbclass'])
result(any(t.task == 'ima_evm_sign' and t.after == ['do_image'] and t.before == ['do_image_complete']
           for t in d.tasks), 'addtask ima_evm_sign after do_image before do_image_complete')
result(d.getVarFlag('do_ima_evm_sign', 'fakeroot') == '1', 'do_ima_evm_sign runs under pseudo (fakeroot)')
result(d.getVar('IMAGE_PREPROCESS_COMMAND') == 'a; b ', 'the class does not touch IMAGE_PREPROCESS_COMMAND',
       d.getVar('IMAGE_PREPROCESS_COMMAND'))
result(not d.handlers, 'the class registers no event handler', d.handlers)
text = open(os.path.join(LAYER, 'classes', 'ima-evm-rootfs.bbclass')).read()
result("bb.build.addtask('do_ima_evm_sign', t, 'do_image', d)" in text and "getVarFlag(t, 'imagetype')" in text,
       'the anonymous function puts the task before every task image.bbclass marks "imagetype"')
d = store(conf + 'IMAGE_CMD_TAR = "tar"\n', ['classes/ima-evm-rootfs.bbclass'])
result(d.getVar('IMAGE_CMD_TAR') == "tar --xattrs --xattrs-include='security.*'",
       'with "ima": tar keeps the security.* xattrs', d.getVar('IMAGE_CMD_TAR'))
d = store('DISTRO_FEATURES = "integrity"\nIMAGE_CMD_TAR = "tar"\n', ['classes/ima-evm-rootfs.bbclass'])
result(d.getVar('IMAGE_CMD_TAR') == 'tar', 'without "ima": IMAGE_CMD_TAR unchanged', d.getVar('IMAGE_CMD_TAR'))
d = store('DISTRO_FEATURES = "integrity ima"\n', ['classes/ima-evm-rootfs.bbclass'])
result('ima-evm-keys' in d.getVar('IMAGE_INSTALL').split(), 'the image gets ima-evm-keys')
deps = d.getVarFlag('do_ima_evm_sign', 'depends').split()
result('imactl-native:do_populate_sysroot' in deps and 'ima-evm-debug-keys-native:do_populate_sysroot' in deps,
       'do_ima_evm_sign depends on imactl-native and (no keys set) the debug keys', deps)
d = store('DISTRO_FEATURES = "integrity ima"\nIMA_EVM_KEY_DIR = "/k"\n', ['classes/ima-evm-rootfs.bbclass'])
result('ima-evm-debug-keys-native:do_populate_sysroot' not in d.getVarFlag('do_ima_evm_sign', 'depends').split() and
       d.getVar('IMA_EVM_PRIVKEY') == '/k/privkey_ima.pem',
       'with IMA_EVM_KEY_DIR set the debug keys are not built')
d = store('DISTRO_FEATURES = "integrity ima"\nIMA_EVM_PRIVKEY = "/k/p.pem"\n', ['classes/ima-evm-rootfs.bbclass'])
result('ima-evm-debug-keys-native:do_populate_sysroot' in d.getVarFlag('do_ima_evm_sign', 'depends').split(),
       'a debug certificate still in use (IMA_EVM_X509 default) keeps the debug keys')
d = store('DISTRO_FEATURES = "integrity ima"\nIMA_EVM_PRIVKEY = "/k/p.pem"\nIMA_EVM_X509 = "/k/x.der"\n',
          ['classes/ima-evm-rootfs.bbclass'])
result('ima-evm-debug-keys-native' not in d.getVarFlag('do_ima_evm_sign', 'depends'),
       'signing with a configured key and certificate does not need the debug keys (the CA is the kernel\'s)')
d = store('DISTRO_FEATURES = "integrity"\n', ['classes/ima-evm-rootfs.bbclass'])
result('ima-evm-keys' not in (d.getVar('IMAGE_INSTALL') or ''), 'no keys package without "ima"')

# ---- 4. recipes: files exist, licenses, meson options ---------------------------
FEATURES = 'DISTRO_FEATURES = "integrity ima modsign"\nMACHINE_FEATURES = "tpm2"\nPN = "x"\n'


def src_files(d, recipe):
    """file:// entries of SRC_URI and where BitBake's FILESPATH finds them."""
    rdir = os.path.dirname(recipe)
    bpn = os.path.basename(recipe).split('_')[0].split('.')[0].rstrip('%')
    paths = [p for p in (d.getVar('FILESEXTRAPATHS') or '').split(':') if p and p != '__default']
    paths += [os.path.join(rdir, bpn), os.path.join(rdir, 'files'), rdir, os.path.join(rdir, 'linux')]
    out = []
    for u in (d.getVar('SRC_URI') or '').split():
        if u.startswith('file://'):
            name = u[7:].split(';')[0]
            found = [os.path.join(p, name) for p in paths if os.path.exists(os.path.join(p, name))]
            out.append((name, found[0] if found else None, paths))
    return out


recipes = sorted(glob.glob(os.path.join(LAYER, 'recipes-*', '*', '*.bb')) +
                 glob.glob(os.path.join(LAYER, 'recipes-*', '*', '*.bbappend')))
result(len(recipes) >= 10, 'recipes found (%d)' % len(recipes))
fragments = {}
for r in recipes:
    rel = os.path.relpath(r, LAYER)
    try:
        d = store(FEATURES, [rel])
    except minibb.ParseError as e:
        result(False, '%s evaluates' % rel, e)
        continue
    for name, where, paths in src_files(d, r):
        result(where is not None and os.path.realpath(where).startswith(LAYER + os.sep),
               '%s: file://%s found in the layer' % (rel, name), 'searched: %s' % ' '.join(paths))
        if rel.startswith('recipes-kernel'):
            fragments[name] = where
    lic = d.getVar('LIC_FILES_CHKSUM') or ''
    for entry in lic.split():
        parts = entry.split(';')
        f = parts[0][len('file://'):]
        opts = dict(p.split('=', 1) for p in parts[1:])
        if f.startswith('${'):
            continue  # ${COMMON_LICENSE_DIR}: OE-core's own files
        text = open(os.path.join(SRC, f), 'rb').read()
        if 'beginline' in opts or 'endline' in opts:
            lines = text.split(b'\n')
            b, e = int(opts.get('beginline', 1)), int(opts.get('endline', len(lines)))
            text = b'\n'.join(lines[b - 1:e]) + b'\n'
        result(hashlib.md5(text).hexdigest() == opts.get('md5'), '%s: LIC_FILES_CHKSUM of %s matches' % (rel, f))
    for opt in re.findall(r'-D([A-Za-z0-9_-]+)=', d.getVar('EXTRA_OEMESON') or ''):
        mo = os.path.join(SRC, 'meson_options.txt')
        known = re.findall(r"option\('([^']+)'", open(mo).read()) if os.path.exists(mo) else []
        result(opt in known, '%s: EXTRA_OEMESON -D%s is an option of meson_options.txt' % (rel, opt))

# the imactl recipe: a fixed revision, from a URL the user names
OE_SCARTHGAP = types.SimpleNamespace(license=types.SimpleNamespace())   # oe.license without the SPDX parser
OE_MASTER = types.SimpleNamespace(license=types.SimpleNamespace(parse_legacy_license=lambda d, s: None))
d = store('', ['recipes-security/imactl/imactl_git.bb'])
srcrev = d.getVar('SRCREV') or ''
result(re.fullmatch('[0-9a-f]{40}', srcrev) is not None, 'imactl_git.bb: a fixed SRCREV', srcrev)
result(d.getVar('SRC_URI') == '' and 'imactl_source_check' in (d.getVarFlag('do_fetch', 'prefuncs') or '').split(),
       'imactl_git.bb: no IMACTL_GIT_URI, no SRC_URI (the layer names no guessed URL); do_fetch checks it first',
       d.getVar('SRC_URI'), d.getVarFlag('do_fetch', 'prefuncs'))
try:
    d.run_python_handler('imactl_source_check')
    stopped = None
except minibb.ParseError as e:
    stopped = str(e)
result(stopped is not None and 'IMACTL_GIT_URI is not set' in stopped and 'devtool modify imactl' in stopped
       and 'has commit %s ' % srcrev in stopped,
       'imactl_git.bb: unset, imactl_source_check stops the fetch naming IMACTL_GIT_URI, the commit and devtool',
       stopped)
d = store('IMACTL_GIT_URI = "git://git.example.com/imactl.git;protocol=https"\n',
          ['recipes-security/imactl/imactl_git.bb'])
uri = d.getVar('SRC_URI')
result(uri == 'git://git.example.com/imactl.git;protocol=https;branch=main;destsuffix=imactl-git',
       'imactl_git.bb: IMACTL_GIT_URI set, SRC_URI is that URL (branch main)', uri)
d.run_python_handler('imactl_source_check')
result(True, 'imactl_git.bb: IMACTL_GIT_URI set, imactl_source_check lets the fetch run')
if subprocess.run(['git', '-C', SRC, 'rev-parse'], capture_output=True).returncode == 0:
    result(subprocess.run(['git', '-C', SRC, 'cat-file', '-e', srcrev + '^{commit}'], capture_output=True).returncode == 0,
           'imactl: SRCREV %s is a commit of this repository' % srcrev)
    for entry in d.getVar('LIC_FILES_CHKSUM').split():
        f = entry.split(';')[0][len('file://'):]
        md5 = dict(p.split('=', 1) for p in entry.split(';')[1:]).get('md5')
        blob = subprocess.run(['git', '-C', SRC, 'show', '%s:%s' % (srcrev, f)], capture_output=True)
        result(blob.returncode == 0 and hashlib.md5(blob.stdout).hexdigest() == md5,
               'imactl: LIC_FILES_CHKSUM of %s matches the file at SRCREV' % f)
else:
    skip('imactl: SRCREV and license texts at it', 'not a git checkout')
result([e.split(';')[0] for e in d.getVar('LIC_FILES_CHKSUM').split()] ==
       ['file://LICENSES/GPL-2.0-or-later.txt', 'file://LICENSES/LGPL-2.1-or-later.txt'],
       'imactl: LIC_FILES_CHKSUM points at the license texts of LICENSE')
for oe_, want, series in ((OE_SCARTHGAP, 'GPL-2.0-or-later & LGPL-2.1-or-later', 'scarthgap/wrynose'),
                          (OE_MASTER, 'GPL-2.0-or-later AND LGPL-2.1-or-later', 'master (SPDX)')):
    d.oe = oe_
    result(d.getVar('LICENSE') == want, 'imactl: LICENSE with the %s license parser is "%s"' % (series, want),
           d.getVar('LICENSE'))
result(d.getVar('BBCLASSEXTEND').split() == ['native', 'nativesdk'], 'imactl: native and nativesdk variants')
result(set(d.getVar('DEPENDS').split()) >= {'openssl', 'keyutils'}, 'imactl depends on openssl and keyutils')
result('meson' in d.inherited, 'imactl builds with meson')

# ---- 5. kernel: fragments vs imactl kconfig check -----------------------------
ca = os.path.join(TMP, 'ca.pem')
open(ca, 'w').write('x')
d = store('DISTRO_FEATURES = "integrity ima"\nIMA_EVM_ROOT_CA = "%s"\n' % ca, ['recipes-kernel/linux/linux-yocto%.bbappend'])
result('ima_evm_kernel_trusted_ca' in d.getVarFlag('do_kernel_configme', 'postfuncs').split(),
       'kernel: the CA step runs after do_kernel_configme')
result('%s:True' % ca in d.getVarFlag('do_kernel_configme', 'file-checksums').split(),
       'kernel: the CA file is in do_kernel_configme[file-checksums] (a new CA rebuilds the kernel)')
result('ima-evm-debug-keys-native' not in d.getVarFlag('do_kernel_configme', 'depends'),
       'kernel: with its own CA the kernel does not build the debug keys', d.getVarFlag('do_kernel_configme', 'depends'))
result(any(t.task == 'ima_evm_kconfig_check' and t.after == ['do_configure'] and t.before == ['do_compile']
           for t in d.tasks), 'kernel: ima_evm_kconfig_check runs after do_configure, before do_compile')
d = store('DISTRO_FEATURES = "integrity ima"\nIMA_EVM_ROOT_CA = ""\n', ['recipes-kernel/linux/linux-yocto%.bbappend'])
result(not (d.getVarFlag('do_kernel_configme', 'postfuncs') or '').split(), 'kernel: IMA_EVM_ROOT_CA = "" compiles no CA in')
d = store('DISTRO_FEATURES = "ima"\n', ['recipes-kernel/linux/linux-yocto%.bbappend'])
result('linux-yocto-integrity.inc' not in ' '.join(d.files), 'kernel: the append does nothing without "integrity"')
for conf, want in (('DISTRO_FEATURES = "integrity ima"\n', 'ima,appraise,evm'),
                   ('DISTRO_FEATURES = "integrity ima modsign"\nMACHINE_FEATURES = "tpm2"\n', 'ima,appraise,evm,modsign,tpm'),
                   ('DISTRO_FEATURES = "integrity ima evm-hmac"\n', 'ima,appraise,evm,tpm,evm-hmac'),
                   ('DISTRO_FEATURES = "integrity"\n', '')):
    d = store(conf, ['recipes-kernel/linux/linux-yocto%.bbappend'])
    feats = d.getVar('IMA_EVM_KCONFIG_FEATURES') or ''
    result(feats == want, 'kernel: %s -> kconfig features "%s"' % (conf.strip().replace('\n', ', '), want), feats)
    frags = [u[7:] for u in (d.getVar('SRC_URI') or '').split() if u.startswith('file://')]
    if not feats:
        result(frags == [], 'kernel: no fragments without "ima"', frags)
        continue
    files_ = [os.path.join(LAYER, 'recipes-kernel', 'linux', 'files', f) for f in frags]
    missing = [f for f in files_ if not os.path.exists(f)]
    if missing:
        result(False, 'kernel: the layer has the fragments %s' % ' '.join(frags), *missing)
        continue
    if not have('kconfig'):
        skip('kernel: fragments satisfy kconfig check', 'imactl kconfig not on this branch yet (issue 5)')
        continue
    merged = os.path.join(TMP, 'merged-%s.config' % feats.replace(',', '-'))
    with open(merged, 'w') as out:
        for f in files_:
            out.write(open(f).read() + '\n')
    r = subprocess.run([IMACTL, 'kconfig', 'check', merged, '--features', feats], capture_output=True, text=True)
    result(r.returncode == 0, 'kernel: fragments %s satisfy imactl kconfig check --features %s' % (' '.join(frags), feats),
           r.stdout, r.stderr)
    # and the check notices when the appraisal option is dropped
    with open(merged + '.broken', 'w') as out:
        out.write(''.join(l for l in open(merged) if not l.startswith('CONFIG_IMA_APPRAISE=')))
    r = subprocess.run([IMACTL, 'kconfig', 'check', merged + '.broken', '--features', feats], capture_output=True, text=True)
    result(r.returncode == 1 and 'IMA_APPRAISE' in r.stdout + r.stderr,
           'kernel: without CONFIG_IMA_APPRAISE the check fails, naming it', r.stdout, r.stderr)
    if 'evm-hmac' in feats.split(','):
        result(frags[-1] == 'evm-hmac.cfg', 'kernel: evm-hmac.cfg comes after ima.cfg, evm.cfg and tpm.cfg', frags)
        # the options only the evm-hmac mode needs
        for opt in ('USER_DECRYPTED_DATA', 'TRUSTED_KEYS_TPM'):
            with open(merged + '.broken', 'w') as out:
                out.write(''.join(l for l in open(merged) if not l.startswith('CONFIG_%s=' % opt)))
            r = subprocess.run([IMACTL, 'kconfig', 'check', merged + '.broken', '--features', feats],
                               capture_output=True, text=True)
            result(r.returncode == 1 and 'CONFIG_%s is not set, want y (evm-hmac:' % opt in r.stdout + r.stderr,
                   'kernel: evm-hmac without CONFIG_%s: the check fails, naming it and the mode' % opt,
                   r.stdout, r.stderr)

print('1..%d' % n)
sys.exit(1 if failed else 0)
