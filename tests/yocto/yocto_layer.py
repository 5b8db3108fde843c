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
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import minibb  # noqa: E402

SRC = os.environ.get('SRC_ROOT') or os.path.dirname(os.path.dirname(HERE))
LAYER = os.path.join(SRC, 'meta-integrity')
IMACTL = os.environ.get('IMACTL', 'imactl')
TMP = os.path.join(os.environ.get('BUILD_ROOT', '/tmp'), 'tests', 'tmp', 'yocto_layer')
os.makedirs(TMP, exist_ok=True)

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
    result(not errors, 'BitBake syntax: %s' % os.path.relpath(p, SRC), *errors)

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
result(os.path.realpath(d.getVar('IMACTL_BASE')) == os.path.realpath(SRC), 'layer.conf: IMACTL_BASE is the imactl tree')
result('sanity-meta-integrity' in d.getVar('INHERIT').split(), 'layer.conf inherits the sanity check')
result(d.getVar('LAYERSERIES_COMPAT_integrity').split()[0] == 'scarthgap', 'LAYERSERIES_COMPAT_integrity')

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

# signing is the last pre-process command, whatever is appended after the class
conf = 'DISTRO_FEATURES = "integrity ima"\nIMAGE_PREPROCESS_COMMAND = "a; b "\n'
d = store(conf, ['classes/ima-evm-rootfs.bbclass'])
minibb.load_conf_text(d, 'IMAGE_PREPROCESS_COMMAND:append = " c;"\nIMAGE_PREPROCESS_COMMAND += "ima_evm_sign_rootfs d"\n')
d.run_python_handler('ima_evm_sign_handler')
result(d.getVar('IMAGE_PREPROCESS_COMMAND').split()[-1] == 'ima_evm_sign_rootfs',
       'handler: ima_evm_sign_rootfs ends IMAGE_PREPROCESS_COMMAND', d.getVar('IMAGE_PREPROCESS_COMMAND'))
cmds = d.getVar('IMAGE_PREPROCESS_COMMAND').split()
result(cmds == ['a', 'b', 'd', 'c', 'ima_evm_sign_rootfs'], 'handler: keeps the others in order, once each', cmds)
result(d.getVarFlag('ima_evm_sign_handler', 'eventmask') == 'bb.event.RecipeTaskPreProcess',
       'handler runs at RecipeTaskPreProcess (after anonymous functions, before signatures)')
d = store('DISTRO_FEATURES = "integrity"\nIMAGE_PREPROCESS_COMMAND = "a"\n', ['classes/ima-evm-rootfs.bbclass'])
d.run_python_handler('ima_evm_sign_handler')
result(d.getVar('IMAGE_PREPROCESS_COMMAND') == 'a', 'handler: nothing without "ima" in DISTRO_FEATURES')
d = store('DISTRO_FEATURES = "integrity ima"\n', ['classes/ima-evm-rootfs.bbclass'])
result('ima-evm-keys' in d.getVar('IMAGE_INSTALL').split(), 'the image gets ima-evm-keys')
result('imactl-native:do_populate_sysroot' in d.getVarFlag('do_image', 'depends'), 'do_image depends on imactl-native')
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
        pending = None
        if where is None:
            for dep, issue in (('kernel', 5), ('policies', 5)):
                if any(os.path.realpath(p) == os.path.realpath(os.path.join(SRC, dep)) for p in paths) and \
                        not glob.glob(os.path.join(SRC, dep, '*')):
                    pending = '%s/ is empty on this branch (issue %d)' % (dep, issue)
        if pending:
            skip('%s: file://%s found' % (rel, name), pending)
        else:
            result(where is not None, '%s: file://%s found' % (rel, name), 'searched: %s' % ' '.join(paths))
        if rel.startswith('recipes-kernel'):
            fragments[name] = where
    lic = d.getVar('LIC_FILES_CHKSUM') or ''
    for entry in lic.split():
        parts = entry.split(';')
        f = parts[0][len('file://'):]
        opts = dict(p.split('=', 1) for p in parts[1:])
        if f.startswith('${'):
            continue  # ${COMMON_LICENSE_DIR}: OE-core's own files
        lines = open(os.path.join(SRC, f), 'rb').read().split(b'\n')
        b, e = int(opts.get('beginline', 1)), int(opts.get('endline', len(lines)))
        text = b'\n'.join(lines[b - 1:e]) + b'\n'
        result(hashlib.md5(text).hexdigest() == opts.get('md5'), '%s: LIC_FILES_CHKSUM of %s matches' % (rel, f))
    for opt in re.findall(r'-D([A-Za-z0-9_-]+)=', d.getVar('EXTRA_OEMESON') or ''):
        mo = os.path.join(SRC, 'meson_options.txt')
        known = re.findall(r"option\('([^']+)'", open(mo).read()) if os.path.exists(mo) else []
        result(opt in known, '%s: EXTRA_OEMESON -D%s is an option of meson_options.txt' % (rel, opt))

# the imactl recipe builds the tree the layer ships in
d = store(FEATURES, ['recipes-security/imactl/imactl_git.bb'])
uri = d.getVar('SRC_URI').split(';')[0]
result(uri.startswith('git://') and os.path.realpath(uri[6:]) == os.path.realpath(SRC),
       'imactl_git.bb fetches the imactl tree itself', uri)
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
result(any(t.task == 'ima_evm_kconfig_check' and t.after == ['do_configure'] and t.before == ['do_compile']
           for t in d.tasks), 'kernel: ima_evm_kconfig_check runs after do_configure, before do_compile')
d = store('DISTRO_FEATURES = "integrity ima"\nIMA_EVM_ROOT_CA = ""\n', ['recipes-kernel/linux/linux-yocto%.bbappend'])
result(not (d.getVarFlag('do_kernel_configme', 'postfuncs') or '').split(), 'kernel: IMA_EVM_ROOT_CA = "" compiles no CA in')
d = store('DISTRO_FEATURES = "ima"\n', ['recipes-kernel/linux/linux-yocto%.bbappend'])
result('linux-yocto-integrity.inc' not in ' '.join(d.files), 'kernel: the append does nothing without "integrity"')
for conf, want in (('DISTRO_FEATURES = "integrity ima"\n', 'ima,appraise,evm'),
                   ('DISTRO_FEATURES = "integrity ima modsign"\nMACHINE_FEATURES = "tpm2"\n', 'ima,appraise,evm,modsign,tpm'),
                   ('DISTRO_FEATURES = "integrity"\n', '')):
    d = store(conf, ['recipes-kernel/linux/linux-yocto%.bbappend'])
    feats = d.getVar('IMA_EVM_KCONFIG_FEATURES') or ''
    result(feats == want, 'kernel: %s -> kconfig features "%s"' % (conf.strip().replace('\n', ', '), want), feats)
    frags = [u[7:] for u in (d.getVar('SRC_URI') or '').split() if u.startswith('file://')]
    if not feats:
        result(frags == [], 'kernel: no fragments without "ima"', frags)
        continue
    files_ = [os.path.join(SRC, 'kernel', f) for f in frags]
    missing = [f for f in files_ if not os.path.exists(f)]
    if missing:
        skip('kernel: fragments %s satisfy imactl kconfig check --features %s' % (' '.join(frags), feats),
             'kernel/ fragments not on this branch yet (issue 5): %s' % ' '.join(os.path.basename(m) for m in missing))
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

print('1..%d' % n)
sys.exit(1 if failed else 0)
