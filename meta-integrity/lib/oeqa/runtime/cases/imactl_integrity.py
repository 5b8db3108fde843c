# SPDX-License-Identifier: MIT
# Runtime tests for images signed by ima-evm-rootfs (testimage).
#
# Strict: every file the build signed must verify on the target, with the
# certificate the target holds, IMA and EVM; appraisal must refuse a tampered
# and an unsigned program and allow an untampered copy. Non-destructive: the
# only files written are the tests' own, under one scratch directory on the
# root filesystem, removed afterwards. (meta-integrity's tests passed unless
# every file failed, and appended to the system's binaries.)

import os

from oeqa.runtime.case import OERuntimeTestCase
from oeqa.core.decorator.depends import OETestDepends
from oeqa.core.decorator.data import skipIfNotFeature
from oeqa.runtime.decorator.package import OEHasPackage

CERT = '/etc/keys/x509_evm.der'
SCRATCH = '/var/lib/imactl-oeqa'


class ImactlIntegrity(OERuntimeTestCase):

    def run_ok(self, cmd, msg=None):
        status, output = self.target.run(cmd)
        self.assertEqual(status, 0, msg or '%s failed (%d):\n%s' % (cmd, status, output))
        return output

    def manifest_path(self):
        name = '%s.ima-evm.manifest' % self.td.get('IMAGE_LINK_NAME')
        return os.path.join(self.td.get('DEPLOY_DIR_IMAGE'), name)

    @skipIfNotFeature('ima', 'Test requires ima in DISTRO_FEATURES')
    @OEHasPackage(['imactl'])
    @OETestDepends(['ssh.SSHTest.test_ssh'])
    def test_ima_active(self):
        '''securityfs shows IMA, and the measurement list has entries'''
        out = self.run_ok('cat /sys/kernel/security/ima/runtime_measurements_count')
        self.assertGreater(int(out.strip()), 0, 'the IMA measurement list is empty')
        out = self.run_ok('head -n 1 /sys/kernel/security/ima/ascii_runtime_measurements')
        self.assertIn('boot_aggregate', out)

    @OETestDepends(['imactl_integrity.ImactlIntegrity.test_ima_active'])
    def test_policy_loaded(self):
        '''the kernel's policy is the one in /etc/ima/ima-policy'''
        status, _ = self.target.run('test -s /etc/ima/ima-policy')
        if status != 0:
            self.skipTest('the image has no /etc/ima/ima-policy')
        status, loaded = self.target.run('cat /sys/kernel/security/ima/policy')
        if status != 0:
            self.skipTest('the kernel does not show its policy (CONFIG_IMA_READ_POLICY)')
        want = self.run_ok("grep -v -e '^#' -e '^[[:space:]]*$' /etc/ima/ima-policy")
        norm = lambda text: [' '.join(l.split()) for l in text.splitlines() if l.strip()]
        for rule in norm(want):
            self.assertIn(rule, norm(loaded), 'rule not loaded: %s' % rule)

    @OETestDepends(['imactl_integrity.ImactlIntegrity.test_ima_active'])
    def test_every_signed_file_verifies(self):
        '''every file in the build's signature manifest verifies on the target'''
        manifest = self.manifest_path()
        self.assertTrue(os.path.exists(manifest), 'no signature manifest %s' % manifest)
        with open(manifest) as f:
            lines = [l for l in f.read().splitlines() if l]
        self.assertGreater(len(lines), 0, 'the signature manifest is empty')
        self.target.run('mkdir -p %s' % SCRATCH)
        self.target.copyTo(manifest, SCRATCH + '/manifest')
        try:
            # one path per line (octal escapes decoded by printf %b), verified
            # with IMA and EVM; prints FAIL lines, and the count checked
            script = ('n=0; while IFS= read -r line; do p=${line%% ima:*}; '
                      'p=$(printf "%%b" "$p"); n=$((n+1)); '
                      'imactl verify --evm --cert %s "$p" >/dev/null 2>&1 || echo "FAIL $p"; '
                      'done < %s/manifest; echo "checked $n"') % (CERT, SCRATCH)
            status, out = self.target.run(script, timeout=1800)
            fails = [l for l in out.splitlines() if l.startswith('FAIL ')]
            self.assertEqual(fails, [], '%d signed files do not verify:\n%s' % (len(fails), '\n'.join(fails[:50])))
            self.assertIn('checked %d' % len(lines), out)
        finally:
            self.target.run('rm -rf %s' % SCRATCH)

    @OETestDepends(['imactl_integrity.ImactlIntegrity.test_ima_active'])
    def test_tamper_denied(self):
        '''a copy carrying a signed program's xattrs runs; tampered, it is refused; unsigned, it is refused'''
        status, _ = self.target.run("grep -q '^appraise' /etc/ima/ima-policy")
        if status != 0:
            self.skipTest('the policy does not appraise')
        # the program's values as the build wrote them (the manifest)
        values = {}
        with open(self.manifest_path()) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 2:
                    values[fields[0]] = dict(v.split(':', 1) for v in fields[1:])
        prog = self.run_ok('readlink -f /bin/sh').strip()
        self.assertIn(prog, values, '%s is not in the signature manifest' % prog)
        ima = values[prog].get('ima', '')
        evm = values[prog].get('evm', '')
        try:
            # named sh, so that a multi-call busybox runs its shell
            for name in ('good', 'bad', 'unsigned'):
                self.run_ok('mkdir -p %s/%s && cp -p %s %s/%s/sh' % (SCRATCH, name, prog, SCRATCH, name))
            self.run_ok('echo x >> %s/bad/sh' % SCRATCH)
            manifest = ''.join('%s/%s/sh ima:%s%s\\n' % (SCRATCH, n, ima, ' evm:' + evm if evm else '')
                               for n in ('good', 'bad'))
            self.run_ok("printf '%s' > %s/manifest && imactl apply-manifest / %s/manifest" % (manifest, SCRATCH, SCRATCH))
            self.run_ok('%s/good/sh -c true' % SCRATCH, 'an untampered copy with the original signatures must run')
            for name in ('bad', 'unsigned'):
                status, out = self.target.run('%s/%s/sh -c true' % (SCRATCH, name))
                self.assertNotEqual(status, 0, 'the %s copy ran: appraisal is not enforced' % name)
                self.assertIn('Permission denied', out)
        finally:
            self.target.run('rm -rf %s' % SCRATCH)
