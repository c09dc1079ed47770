import { bindRules, loadRuleMeta } from '../../../rule.js';
import type { DockerfileModel } from '../../model.js';
import type { ShellCommand } from '../../shell/commands.js';
import { commandSpan, runCommands } from '../helpers.js';

/** Mode arguments of chmod (`755`, `u+s,g-w`), skipping its flags. */
function modes(cmd: ShellCommand): string[] {
  return cmd.argv
    .slice(1)
    .map((w) => w.value)
    .filter((v) => !v.startsWith('-') || /^-[rwxXst]+$/.test(v))
    .slice(0, 1);
}

function worldWritable(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) {
    const digits = mode.padStart(4, '0');
    const sticky = (Number(digits[0]) & 1) === 1;
    return (Number(digits[3]) & 2) === 2 && !sticky;
  }
  return mode
    .split(',')
    .some(
      (part) =>
        /^[ugoa]*[+=][rwxXst]*w/.test(part) && (/^(a|o|[ugo]*o|)[+=]/.test(part) || part.startsWith('a')),
    );
}

function setid(mode: string): boolean {
  if (/^[0-7]{4,5}$/.test(mode)) return (Number(mode.padStart(4, '0').slice(-4)[0]) & 6) !== 0;
  return mode.split(',').some((part) => /^[ugoa]*[+=][rwxXt]*s/.test(part));
}

const SYSTEM_DIRS = new Set([
  '/',
  '/usr',
  '/bin',
  '/sbin',
  '/etc',
  '/lib',
  '/lib64',
  '/usr/bin',
  '/usr/lib',
  '/usr/local/bin',
  '/boot',
  '/var',
]);

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-150': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const mode = modes(cmd)[0];
      if (cmd.name === 'chmod' && mode && worldWritable(mode))
        report({ span: commandSpan(m, cmd), evidence: `chmod ${mode}` });
    }
    for (const i of m.instructions) {
      const chmod = i.flags.find((f) => f.name === 'chmod');
      if ((i.keyword === 'COPY' || i.keyword === 'ADD') && chmod?.value && worldWritable(chmod.value)) {
        report({ span: chmod.span, evidence: `--chmod=${chmod.value}` });
      }
    }
  },
  'CER-DF-151': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const mode = modes(cmd)[0];
      if (cmd.name === 'chmod' && mode && setid(mode))
        report({ span: commandSpan(m, cmd), evidence: `chmod ${mode}` });
    }
    for (const i of m.instructions) {
      const chmod = i.flags.find((f) => f.name === 'chmod');
      if ((i.keyword === 'COPY' || i.keyword === 'ADD') && chmod?.value && setid(chmod.value))
        report({ span: chmod.span, evidence: `--chmod=${chmod.value}` });
    }
  },
  'CER-DF-152': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      if (cmd.name === 'setcap' && !cmd.argv.some((w) => w.value === '-r'))
        report({ span: commandSpan(m, cmd), evidence: cmd.argv[1]?.value ?? '' });
    }
  },
  'CER-DF-153': (m, report) => {
    const db = /^\/etc\/(passwd|shadow|group|gshadow)$/;
    for (const { cmd } of runCommands(m)) {
      const redirected = cmd.redirects.some(
        (r) => (r.op === '>' || r.op === '>>') && db.test(r.target?.value ?? ''),
      );
      const edited =
        (cmd.name === 'sed' &&
          cmd.argv.some((w) => /^-[a-zA-Z]*i/.test(w.value)) &&
          cmd.argv.some((w) => db.test(w.value))) ||
        (cmd.name === 'tee' && cmd.argv.some((w) => db.test(w.value)));
      if (redirected || edited) report({ span: commandSpan(m, cmd), evidence: cmd.name });
    }
  },
  'CER-DF-154': (m, report) => {
    const sock = /docker\.sock$/;
    for (const i of m.instructions) {
      if (i.keyword !== 'VOLUME') continue;
      const values = i.json ?? i.args.map((a) => a.value);
      if (values.some((v) => sock.test(v))) report({ span: i.span, evidence: 'VOLUME docker.sock' });
    }
    for (const { cmd } of runCommands(m)) {
      if (['chmod', 'chown', 'chgrp', 'ln'].includes(cmd.name) && cmd.argv.some((w) => sock.test(w.value)))
        report({ span: commandSpan(m, cmd), evidence: cmd.name });
    }
  },
  'CER-DF-155': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      if (cmd.name !== 'chown' && cmd.name !== 'chgrp') continue;
      const recursive = cmd.argv.some((w) => /^-[a-zA-Z]*R/.test(w.value) || w.value === '--recursive');
      const target = cmd.argv.slice(2).find((w) => SYSTEM_DIRS.has(w.value.replace(/\/+$/, '') || '/'));
      if (recursive && target) report({ span: commandSpan(m, cmd), evidence: target.value });
    }
  },
  'CER-DF-156': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const args = cmd.argv.map((w) => w.value);
      const bad =
        (cmd.name === 'setenforce' && args[1] === '0') ||
        (cmd.name === 'systemctl' &&
          ['disable', 'stop', 'mask'].includes(args[1] ?? '') &&
          args.some((a) => /^(apparmor|auditd|selinux)/.test(a))) ||
        cmd.name === 'aa-teardown' ||
        (cmd.name === 'sed' && args.some((a) => /SELINUX=(enforcing|permissive)\/SELINUX=disabled/.test(a)));
      if (bad) report({ span: commandSpan(m, cmd), evidence: args.join(' ') });
    }
  },
});
