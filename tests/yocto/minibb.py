#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small model of BitBake's metadata syntax, to check and run meta-integrity
without BitBake (there is none on the machines that test imactl).

- lint(path): the statements BitBake accepts in .conf, .bb, .bbappend, .bbclass
  and .inc files (assignment operators, quoting, line continuations, override
  syntax with ':', functions, keywords), plus a few errors BitBake only finds
  at run time: Python syntax of inline ${@...} and python functions, shell
  syntax of shell functions (sh -n).
- DataStore: evaluates assignments, :append/:prepend/:remove, conditional
  overrides, ${VAR} and ${@python} expansion, inherit/require/include.
- run_shell(d, func): writes a run script the way BitBake does for a shell
  task (set -e, the referenced shell functions with ${VAR} expanded, the
  logging functions) and runs it.

Written from BitBake's documented grammar; stricter in places, never laxer:
a missing blank around an operator and an unescaped quote of the enclosing
kind outside ${@...} are errors here (BitBake warns, or silently mis-parses).
"""

import os
import re
import subprocess
import sys
import tempfile

# ---- grammar -----------------------------------------------------------

VARNAME = r'[A-Za-z0-9\-_+.${}/~:]'
ASSIGN_RE = re.compile(r'''
    ^(?P<exp>export\s+)?
    (?P<var>''' + VARNAME + r'''*?)
    (\[(?P<flag>[A-Za-z0-9\-_+.][A-Za-z0-9\-_+.@/]*)\])?
    (?P<ws1>\s*)
    (?P<op>:=|\?\?=|\?=|\+=|=\+|=\.|\.=|=)
    (?P<ws2>\s*)
    (?P<q>['"])(?P<value>.*)(?P=q)$''', re.X)
# something that looks like an assignment, for better messages
LOOSE_ASSIGN_RE = re.compile(r'^(export\s+)?\S+?(\[[^\]]*\])?\s*(:=|\?\?=|\?=|\+=|=\+|=\.|\.=|=)')
FUNC_RE = re.compile(r'^(((?P<py>python)|(?P<fr>fakeroot))\s*)*(?P<func>[\w.\-+{}$:]+)?\s*\(\s*\)\s*\{$')
DEF_RE = re.compile(r'^def\s+(\w+).*:')
PYBODY_RE = re.compile(r'(\s+.*)|(^$)|(^#)')
INHERIT_RE = re.compile(r'^(inherit|inherit_defer)\s+(.+)$')
INCLUDE_RE = re.compile(r'^(include|require|include_all)\s+(.+)$')
EXPORT_RE = re.compile(r'^export\s+([A-Za-z0-9\-_+.${}/~]+)$')
UNSET_RE = re.compile(r'^unset\s+([A-Za-z0-9\-_+.${}/~:]+)(\[([A-Za-z0-9\-_+.][A-Za-z0-9\-_+.@]*)\])?$')
ADDTASK_RE = re.compile(r'^addtask\s+(?P<rest>.+)$')
DELTASK_RE = re.compile(r'^deltask\s+(?P<rest>.+)$')
ADDHANDLER_RE = re.compile(r'^addhandler\s+(.+)$')
EXPORTFUNCS_RE = re.compile(r'^EXPORT_FUNCTIONS\s+(.+)$')
ADDPYLIB_RE = re.compile(r'^addpylib\s+(\S+)\s+(\S+)$')
OLD_OVERRIDE_RE = re.compile(r'_(append|prepend|remove)(_|$)')
# what BitBake expands: ${NAME} and ${@python}
VARREF_RE = re.compile(r'\$\{[a-zA-Z0-9\-_+./~:]+?\}')
TASK_NAME_RE = re.compile(r'^(do_)?[A-Za-z0-9_]+$')
OVERRIDE_OPS = ('append', 'prepend', 'remove')


class Stmt:
    def __init__(self, kind, line, **kw):
        self.kind = kind
        self.line = line
        self.__dict__.update(kw)

    def __repr__(self):
        return '<%s:%d %s>' % (self.kind, self.line, {k: v for k, v in self.__dict__.items()
                                                       if k not in ('kind', 'line', 'body')})


def inline_python_spans(value):
    """Yields (start, end, expr) of each ${@...} in value, braces balanced;
    raises ValueError for an unterminated one."""
    i = 0
    while True:
        i = value.find('${@', i)
        if i < 0:
            return
        depth = 0
        j = i + 1
        while j < len(value):
            c = value[j]
            if c == '{':
                depth += 1
            elif c == '}':
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(value):
            raise ValueError('unterminated ${@...}')
        yield i, j + 1, value[i + 3:j]
        i = j + 1


def check_value(value, quote, errors, where):
    """Quoting and ${...} checks of an assignment's value."""
    try:
        spans = list(inline_python_spans(value))
    except ValueError as e:
        errors.append(where + str(e))
        return
    outside = value
    for s, e, expr in reversed(spans):
        outside = outside[:s] + ' ' * (e - s) + outside[e:]
        try:
            compile(expr, '<inline python>', 'eval')
        except SyntaxError as ex:
            errors.append(where + 'Python syntax error in ${@%s}: %s' % (expr, ex.msg))
    k = 0
    while k < len(outside):
        c = outside[k]
        if c == '\\':
            k += 2
            continue
        if c == quote:
            errors.append(where + 'stray %s inside a %s-quoted value (the value ends at the last %s)'
                          % (quote, quote, quote))
            break
        k += 1
    # ${ without a closing brace
    depth = 0
    k = 0
    while k < len(outside):
        if outside.startswith('${', k):
            depth += 1
            k += 2
            continue
        if outside[k] == '}' and depth:
            depth -= 1
        k += 1
    if depth:
        errors.append(where + 'unterminated ${ in the value')


def check_varname(var, op, errors, where, is_func=False):
    what = 'function' if is_func else 'variable'
    if var == '':
        errors.append(where + 'empty variable name in an assignment')
        return
    if OLD_OVERRIDE_RE.search(var.split(':')[0]) and not var.startswith('__anon'):
        errors.append(where + '%s %s uses the old override syntax (_append/_prepend/_remove); '
                      'BitBake stops with a fatal error: write %s' % (
                          what, var, OLD_OVERRIDE_RE.sub(lambda m: ':' + m.group(1) + (':' if m.group(2) else ''),
                                                         var.split(':')[0], count=1)))
    parts = var.split(':')
    if parts[0] == '':
        errors.append(where + '%s name %s starts with ":"' % (what, var))
    for p in parts[1:]:
        if p == '':
            errors.append(where + 'empty override in %s (":" at the end or "::")' % var)
    ops = [p for p in parts[1:] if p in OVERRIDE_OPS]
    if len(ops) > 1:
        errors.append(where + '%s combines %s' % (var, ' and '.join(':' + o for o in ops)))
    # ':=' is the idiom for FILESEXTRAPATHS:prepend (THISDIR expanded now)
    if ops and op not in ('=', ':=', None):
        errors.append(where + '"%s %s": :%s already %ss; use "="' % (var, op, ops[0], ops[0]))


def lint_text(text, path, kind=None):
    """Parses text as BitBake would; returns (statements, errors)."""
    if kind is None:
        kind = 'conf' if path.endswith('.conf') else 'recipe'
    errors = []
    stmts = []
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    residue = []
    residue_start = 0
    infunc = None
    inpython = None
    body = []
    n = 0
    while n < len(lines):
        lineno = n + 1
        s = lines[n].rstrip()
        n += 1
        where = '%s:%d: ' % (path, lineno)
        if infunc:
            if s == '}':
                stmts.append(Stmt('func', infunc['line'], name=infunc['name'], python=infunc['py'],
                                  fakeroot=infunc['fr'], body=body))
                infunc = None
                body = []
            else:
                body.append(s)
            continue
        if inpython:
            if PYBODY_RE.match(s):
                body.append(s)
                continue
            stmts.append(Stmt('def', inpython['line'], name=inpython['name'], body=body))
            inpython = None
            body = []
        if s.startswith('#'):
            if residue and not residue[0].startswith('#'):
                errors.append(where + 'comment in the middle of a multiline expression (BitBake stops)')
                residue = []
            if residue and residue[0].startswith('#') and not s.endswith('\\'):
                residue = []
                continue
        elif residue and residue[0].startswith('#'):
            errors.append('%s:%d: multiline comment continues into a statement; make it all a comment'
                          % (path, residue_start))
            residue = []
        if s.endswith('\\'):
            if not residue:
                residue_start = lineno
            residue.append(s[:-1])
            continue
        if residue:
            s = ''.join(residue) + s
            lineno = residue_start
            where = '%s:%d: ' % (path, lineno)
            residue = []
        if s.strip() == '' or s.startswith('#'):
            continue
        if kind != 'conf':
            m = FUNC_RE.match(s)
            if m:
                name = m.group('func') or '__anonymous'
                if m.group('func'):
                    check_varname(name, None, errors, where, is_func=True)
                infunc = {'name': name, 'py': m.group('py') is not None,
                          'fr': m.group('fr') is not None, 'line': lineno}
                continue
            m = DEF_RE.match(s)
            if m:
                inpython = {'name': m.group(1), 'line': lineno}
                body = [s]
                continue
            m = INHERIT_RE.match(s)
            if m:
                stmts.append(Stmt('inherit', lineno, classes=m.group(2).split(), deferred=m.group(1) != 'inherit'))
                continue
            m = ADDTASK_RE.match(s)
            if m:
                words = m.group('rest').split()
                task = words[0]
                if not TASK_NAME_RE.match(task):
                    errors.append(where + 'addtask: bad task name %s' % task)
                after, before, cur = [], [], None
                for w in words[1:]:
                    if w in ('after', 'before'):
                        if (w == 'after' and after) or (w == 'before' and before) or cur == w:
                            errors.append(where + 'addtask: "%s" given twice (only one is used)' % w)
                        cur = w
                    elif cur is None:
                        errors.append(where + 'addtask: "%s" ignored (write "after" or "before")' % w)
                    else:
                        (after if cur == 'after' else before).append(w)
                if cur is not None and not (after if cur == 'after' else before):
                    errors.append(where + 'addtask: nothing after "%s"' % cur)
                stmts.append(Stmt('addtask', lineno, task=task, after=after, before=before))
                continue
            m = DELTASK_RE.match(s)
            if m:
                if len(m.group('rest').split()) != 1:
                    errors.append(where + 'deltask takes one task')
                stmts.append(Stmt('deltask', lineno, task=m.group('rest').split()[0]))
                continue
            m = ADDHANDLER_RE.match(s)
            if m:
                stmts.append(Stmt('addhandler', lineno, names=m.group(1).split()))
                continue
            m = EXPORTFUNCS_RE.match(s)
            if m:
                stmts.append(Stmt('exportfuncs', lineno, names=m.group(1).split()))
                continue
        m = INCLUDE_RE.match(s)
        if m:
            stmts.append(Stmt(m.group(1), lineno, files=m.group(2)))
            continue
        m = UNSET_RE.match(s)
        if m:
            stmts.append(Stmt('unset', lineno, var=m.group(1), flag=m.group(3)))
            continue
        if kind == 'conf':
            m = ADDPYLIB_RE.match(s)
            if m:
                stmts.append(Stmt('addpylib', lineno, path=m.group(1), namespace=m.group(2)))
                continue
        m = ASSIGN_RE.match(s)
        if m:
            var, op, value, q = m.group('var'), m.group('op'), m.group('value'), m.group('q')
            check_varname(var, op, errors, where)
            if not m.group('ws1') or not m.group('ws2'):
                errors.append(where + 'no blank around "%s" (BitBake warns: lack of whitespace around the assignment)' % op)
            check_value(value, q, errors, where)
            stmts.append(Stmt('assign', lineno, var=var, flag=m.group('flag'), op=op, value=value,
                              export=bool(m.group('exp'))))
            continue
        m = EXPORT_RE.match(s)
        if m:
            stmts.append(Stmt('export', lineno, var=m.group(1)))
            continue
        if LOOSE_ASSIGN_RE.match(s):
            rest = s[LOOSE_ASSIGN_RE.match(s).end():].strip()
            if not rest or rest[0] not in '"\'':
                errors.append(where + 'the value must be quoted: %s' % s)
            elif rest[-1] != rest[0]:
                errors.append(where + 'the value does not end with its opening quote %s: %s' % (rest[0], s))
            else:
                errors.append(where + 'bad variable name or operator: %s' % s)
            continue
        if kind == 'conf' and (FUNC_RE.match(s) or INHERIT_RE.match(s) or s.startswith('addtask')):
            errors.append(where + 'not allowed in a .conf file: %s' % s)
            continue
        errors.append(where + 'unparsed line: %s' % s)
    if residue:
        errors.append('%s:%d: the file ends inside a line continuation' % (path, residue_start))
    if infunc:
        errors.append('%s:%d: function %s is never closed (a "}" alone at the start of a line)'
                      % (path, infunc['line'], infunc['name']))
    if inpython:
        stmts.append(Stmt('def', inpython['line'], name=inpython['name'], body=body))
    for st in stmts:
        check_function(st, path, errors)
    return stmts, errors


def placeholder_expand(text):
    """Replaces what BitBake expands with neutral words, for syntax checks."""
    try:
        spans = list(inline_python_spans(text))
    except ValueError:
        spans = []
    for s, e, _ in reversed(spans):
        text = text[:s] + '_bbpy_' + text[e:]
    return VARREF_RE.sub('_bbvar_', text)


def check_function(st, path, errors):
    if st.kind == 'def':
        src = '\n'.join(st.body) + '\n'
        for i, l in enumerate(st.body):
            if re.match(r' *\t', l):
                errors.append('%s:%d: tab in Python indentation (use 4 spaces)' % (path, st.line + i))
        try:
            compile(src, '%s:%d' % (path, st.line), 'exec')
        except SyntaxError as ex:
            errors.append('%s:%d: Python syntax error in def %s: %s' % (path, st.line + (ex.lineno or 1) - 1,
                                                                        st.name, ex.msg))
    elif st.kind == 'func' and st.python:
        for i, l in enumerate(st.body):
            if re.match(r' *\t', l):
                errors.append('%s:%d: tab in Python indentation (use 4 spaces)' % (path, st.line + 1 + i))
        src = 'def _f(d, e):\n' + '\n'.join(st.body) + '\n    pass\n'
        try:
            compile(placeholder_expand(src), path, 'exec')
        except SyntaxError as ex:
            errors.append('%s:%d: Python syntax error in %s: %s' % (path, st.line + (ex.lineno or 1) - 1,
                                                                    st.name, ex.msg))
    elif st.kind == 'func':
        src = placeholder_expand('\n'.join(st.body)) + '\n'
        r = subprocess.run(['sh', '-n'], input=src, capture_output=True, text=True)
        if r.returncode != 0:
            msg = r.stderr.strip().replace('\n', ' ')
            m = re.search(r'(\d+): (.*)', msg)
            line = st.line + int(m.group(1)) if m else st.line
            errors.append('%s:%d: shell syntax error in %s: %s' % (path, line, st.name,
                                                                   m.group(2) if m else msg))


def lint(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return lint_text(text, path)


# ---- evaluation ----------------------------------------------------------

class ParseError(Exception):
    pass


class BbUtils:
    @staticmethod
    def contains(var, checkvalues, truevalue, falsevalue, d):
        val = set((d.getVar(var) or '').split())
        check = set(checkvalues.split()) if isinstance(checkvalues, str) else set(checkvalues)
        return truevalue if check.issubset(val) else falsevalue

    @staticmethod
    def contains_any(var, checkvalues, truevalue, falsevalue, d):
        val = set((d.getVar(var) or '').split())
        check = set(checkvalues.split()) if isinstance(checkvalues, str) else set(checkvalues)
        return truevalue if check & val else falsevalue

    @staticmethod
    def filter(var, words, d):
        val = (d.getVar(var) or '').split()
        return ' '.join(w for w in words.split() if w in val)


class BbData:
    @staticmethod
    def inherits_class(klass, d):
        return klass in d.inherited


class Bb:
    """The part of the bb module the layer uses; messages are recorded."""

    def __init__(self):
        self.utils = BbUtils()
        self.data = BbData()
        self.messages = []

    def warn(self, *msg):
        self.messages.append(('WARNING', ' '.join(str(m) for m in msg)))

    def note(self, *msg):
        self.messages.append(('NOTE', ' '.join(str(m) for m in msg)))

    def error(self, *msg):
        self.messages.append(('ERROR', ' '.join(str(m) for m in msg)))

    def fatal(self, *msg):
        self.messages.append(('FATAL', ' '.join(str(m) for m in msg)))
        raise ParseError(' '.join(str(m) for m in msg))


class DataStore:
    def __init__(self, bbpath=(), overrides=()):
        self.vars = {}        # name -> dict(value=, flags=, ops=[(op, value, conds)], weak=)
        self.funcs = {}       # shell/python functions: name -> Stmt
        self.pydefs = {}      # def name -> source
        self.handlers = []
        self.tasks = []
        self.inherited = []
        self.missing_classes = []
        self.files = []
        self.bbpath = list(bbpath)
        self.bb = Bb()
        # what ${@oe.*} sees: None (no oe-core), or an object standing for it
        self.oe = None
        self.extra_overrides = list(overrides)

    # -- storage
    def _v(self, name):
        return self.vars.setdefault(name, {'value': None, 'flags': {}, 'ops': [], 'weak': None,
                                           'conds': []})

    def setVar(self, name, value):
        v = self._v(name)
        v['value'] = value
        v['ops'] = []
        v['conds'] = []

    def appendVar(self, name, value):
        self.setVar(name, (self.getVar(name, False) or '') + value)

    def prependVar(self, name, value):
        self.setVar(name, value + (self.getVar(name, False) or ''))

    def getVarFlag(self, name, flag, expand=True):
        val = self.vars.get(name, {}).get('flags', {}).get(flag)
        return self.expand(val) if (expand and val is not None) else val

    def setVarFlag(self, name, flag, value):
        self._v(name)['flags'][flag] = value

    def appendVarFlag(self, name, flag, value):
        self.setVarFlag(name, flag, (self.getVarFlag(name, flag, False) or '') + value)

    def overrides(self):
        ov = (self.getVar('OVERRIDES', True, _noov=True) or '').split(':')
        return set(o for o in ov if o) | set(self.extra_overrides)

    def getVar(self, name, expand=True, _noov=False):
        v = self.vars.get(name)
        if v is None:
            return None
        value = v['value']
        if value is None:
            value = v['weak']
        active = set() if _noov else self.overrides()
        # conditional overrides: VAR:cond = "x" replaces the value
        for conds, val in v['conds']:
            if set(conds) <= active:
                value = val
        if value is None and not v['ops']:
            return None
        value = value or ''
        removes = []
        for op, val, conds in v['ops']:
            if not set(conds) <= active:
                continue
            if op == 'append':
                value += val
            elif op == 'prepend':
                value = val + value
            elif op == 'remove':
                removes.append(val)
        if removes:
            gone = set()
            for r in removes:
                gone |= set(self.expand(r).split())
            value = ' '.join(w for w in value.split() if w not in gone)
        return self.expand(value, name) if expand else value

    def expand(self, value, varname=None, depth=0):
        if value is None:
            return None
        if depth > 40:
            raise ParseError('recursive expansion of %s' % varname)
        for _ in range(100):
            new = VARREF_RE.sub(lambda m: self._ref(m.group(0)[2:-1], depth), value)
            try:
                spans = list(inline_python_spans(new))
            except ValueError:
                spans = []
            for s, e, expr in reversed(spans):
                if VARREF_RE.search(expr):
                    continue
                new = new[:s] + self._eval(expr) + new[e:]
            if new == value:
                return new
            value = new
        return value

    def _ref(self, name, depth):
        val = self.getVar(name, False)
        if val is None:
            return '${' + name + '}'
        return self.expand(val, name, depth + 1)

    def _eval(self, expr):
        env = {'d': self, 'bb': self.bb, 'os': os, 'oe': self.oe}
        env.update(self.pydef_namespace())
        res = eval(expr, env)
        return '' if res is None else str(res)

    def pydef_namespace(self):
        ns = {'d': self, 'bb': self.bb, 'os': os}
        for name, src in self.pydefs.items():
            exec(src, ns)
        return ns

    # -- statements
    def eval_file(self, path):
        stmts, errors = lint(path)
        if errors:
            raise ParseError('\n'.join(errors))
        self.files.append(path)
        self.setVar('FILE', path)
        self.setVar('THISDIR', os.path.dirname(os.path.abspath(path)))
        for st in stmts:
            self.eval_stmt(st, path)

    def find(self, fn, relto):
        if os.path.isabs(fn):
            return fn if os.path.exists(fn) else None
        for base in [os.path.dirname(relto)] + self.bbpath:
            p = os.path.join(base, fn)
            if os.path.exists(p):
                return p
        return None

    def eval_stmt(self, st, path):
        if st.kind == 'assign':
            self.assign(st, path)
        elif st.kind in ('inherit',):
            for c in self.expand(' '.join(st.classes)).split():
                self.inherit(c, path)
        elif st.kind in ('require', 'include', 'include_all'):
            for fn in self.expand(st.files).split():
                p = self.find(fn, path)
                if p is None:
                    if st.kind == 'require':
                        raise ParseError('%s:%d: could not require %s' % (path, st.line, fn))
                    continue
                self.eval_file(p)
                self.setVar('FILE', path)
                self.setVar('THISDIR', os.path.dirname(os.path.abspath(path)))
        elif st.kind == 'func':
            self.funcs[st.name] = st
            if ':' in st.name:
                base, op = st.name.rsplit(':', 1)
                if op in ('append', 'prepend') and base in self.funcs:
                    b = self.funcs[base]
                    b.body = (b.body + st.body) if op == 'append' else (st.body + b.body)
        elif st.kind == 'def':
            self.pydefs[st.name] = '\n'.join(st.body) + '\n'
        elif st.kind == 'addhandler':
            self.handlers += st.names
        elif st.kind == 'addtask':
            self.tasks.append(st)
        elif st.kind == 'unset':
            self.vars.pop(st.var, None)

    def inherit(self, cls, path):
        if cls in self.inherited:
            return
        self.inherited.append(cls)
        p = self.find(os.path.join('classes', cls + '.bbclass'), path)
        if p is None:
            self.missing_classes.append(cls)
            return
        self.eval_file(p)
        self.setVar('FILE', path)

    def assign(self, st, path):
        var = self.expand(st.var) if '${' in st.var else st.var
        parts = var.split(':')
        base, rest = parts[0], parts[1:]
        value = st.value
        if st.flag:
            cur = self.getVarFlag(base, st.flag, False)
            if st.op == '=':
                self.setVarFlag(base, st.flag, value)
            elif st.op == '?=':
                if cur is None:
                    self.setVarFlag(base, st.flag, value)
            elif st.op == '+=':
                self.setVarFlag(base, st.flag, (cur + ' ' + value) if cur else value)
            elif st.op == '.=':
                self.setVarFlag(base, st.flag, (cur or '') + value)
            elif st.op == ':=':
                self.setVarFlag(base, st.flag, self.expand(value))
            else:
                raise ParseError('%s:%d: operator %s on a flag is not modelled' % (path, st.line, st.op))
            return
        ops = [p for p in rest if p in OVERRIDE_OPS]
        conds = [p for p in rest if p not in OVERRIDE_OPS]
        v = self._v(base)
        if ops:
            v['ops'].append((ops[0], value, conds))
            return
        if conds:
            v['conds'].append((conds, value))
            return
        cur = v['value']
        if st.op == '=':
            v['value'] = value
        elif st.op == '?=':
            if cur is None:
                v['value'] = value
        elif st.op == '??=':
            v['weak'] = value
        elif st.op == ':=':
            v['value'] = self.expand(value)
        elif st.op == '+=':
            v['value'] = ((cur if cur is not None else v['weak'] or '') + ' ' + value).lstrip(' ') \
                if (cur or v['weak']) else value
        elif st.op == '=+':
            v['value'] = (value + ' ' + cur) if cur else value
        elif st.op == '.=':
            v['value'] = (cur or '') + value
        elif st.op == '=.':
            v['value'] = value + (cur or '')
        if st.export:
            v['flags']['export'] = '1'

    # -- execution
    def run_python_handler(self, name, event_data=None):
        """Runs python function NAME as an event handler (e.data = this store)."""
        st = self.funcs[name]

        class Event:
            pass
        e = Event()
        e.data = event_data or self
        src = 'def _f(d, e):\n' + '\n'.join(st.body) + '\n    pass\n'
        ns = self.pydef_namespace()
        exec(src, ns)
        ns['_f'](self, e)


LOGGING_FUNCS = r'''
bbnote() { echo "NOTE: $*"; }
bbwarn() { echo "WARNING: $*"; }
bberror() { echo "ERROR: $*"; }
bbfatal() { echo "ERROR: $*"; exit 1; }
bbdebug() { :; }
'''


def shell_script(d, func):
    """The run script BitBake would write for shell function FUNC."""
    seen = []

    def add(name):
        if name in seen or name not in d.funcs or d.funcs[name].python:
            return
        seen.append(name)
        body = '\n'.join(d.funcs[name].body)
        for other in list(d.funcs):
            if other != name and re.search(r'(^|[\s;|&(])' + re.escape(other) + r'($|[\s;|&)])', body):
                add(other)
    add(func)
    if func not in seen:
        raise ParseError('no shell function %s' % func)
    out = ['#!/bin/sh', '', '# Emulate the BitBake runfile: errors stop the task', 'set -e', LOGGING_FUNCS]
    for name, v in d.vars.items():
        if v['flags'].get('export') == '1' and d.getVar(name) is not None:
            out.append('export %s="%s"' % (name, d.getVar(name)))
    for name in reversed(seen):
        out.append('%s() {' % name)
        out.append(d.expand('\n'.join(d.funcs[name].body)))
        out.append('}')
        out.append('')
    out.append('cd "%s"' % (d.getVar('B') or d.getVar('WORKDIR') or '.'))
    out.append(func)
    return '\n'.join(out) + '\n'


def run_shell(d, func, scriptdir, env=None, runner=None):
    """Writes scriptdir/run.FUNC and runs it; returns CompletedProcess."""
    os.makedirs(scriptdir, exist_ok=True)
    script = os.path.join(scriptdir, 'run.' + func)
    with open(script, 'w') as f:
        f.write(shell_script(d, func))
    cmd = (runner or []) + ['/bin/sh', script]
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def load_conf_text(d, text, name='local.conf'):
    """Evaluates configuration text (like local.conf) into d."""
    with tempfile.NamedTemporaryFile('w', suffix='.conf', delete=False) as f:
        f.write(text)
        tmp = f.name
    try:
        stmts, errors = lint_text(text, name, 'conf')
        if errors:
            raise ParseError('\n'.join(errors))
        for st in stmts:
            d.eval_stmt(st, tmp)
    finally:
        os.unlink(tmp)


def main(argv):
    """bblint: minibb.py lint FILE... -> exit 1 on any error"""
    if len(argv) < 2 or argv[0] != 'lint':
        print('usage: minibb.py lint FILE...', file=sys.stderr)
        return 2
    bad = 0
    for p in argv[1:]:
        _, errors = lint(p)
        for e in errors:
            print(e)
        bad += len(errors)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
