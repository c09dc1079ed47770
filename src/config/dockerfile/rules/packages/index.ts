import { bindRules, loadRuleMeta } from '../../../rule.js';
import type { DockerfileModel, Instruction } from '../../model.js';
import type { ShellCommand, ShellWord } from '../../shell/commands.js';
import { commandSpan, isFinal, type PackageCall, packageCalls, runCommands, spanOf } from '../helpers.js';

const INSTALL: Record<string, string[]> = {
  'apt-get': ['install'],
  apt: ['install'],
  apk: ['add'],
  yum: ['install'],
  dnf: ['install'],
  microdnf: ['install'],
  zypper: ['install', 'in'],
  pip: ['install'],
  npm: ['install', 'i', 'add', 'isntall'],
  gem: ['install'],
  go: ['install'],
};

function installs(m: DockerfileModel, ...managers: string[]): PackageCall[] {
  return [...packageCalls(m)].filter(
    (c) => managers.includes(c.manager) && (INSTALL[c.manager] ?? []).includes(c.action),
  );
}

function argvHas(cmd: ShellCommand, test: RegExp): boolean {
  return cmd.argv.slice(1).some((w) => test.test(w.value));
}

function hasCacheMount(ins: Instruction, path: string): boolean {
  return ins.flags.some(
    (f) =>
      f.name === 'mount' &&
      f.options.type === 'cache' &&
      (f.options.target ?? f.options.dst ?? f.options.destination ?? '').startsWith(path),
  );
}

function runHas(ins: Instruction, test: (c: ShellCommand) => boolean): boolean {
  return ins.commands.some(test);
}

function cleans(ins: Instruction, manager: string): boolean {
  return runHas(ins, (c) => {
    const words = c.argv.map((w) => w.value);
    if (c.name === manager && words[1] === 'clean') return true;
    if (manager === 'zypper' && c.name === 'zypper' && words.some((w) => w === 'clean' || w === 'cc'))
      return true;
    if (manager === 'dnf' && c.name === 'microdnf' && words[1] === 'clean') return true;
    return c.name === 'rm' && words.some((w) => w.startsWith(`/var/cache/${manager}`));
  });
}

function unpinned(packages: ShellWord[], pinned: (v: string) => boolean): ShellWord | undefined {
  return packages.find(
    (p) => !p.value.includes('$') && !p.value.startsWith('/') && !p.value.startsWith('.') && !pinned(p.value),
  );
}

const NON_INTERACTIVE = /^(-[a-zA-Z]*y[a-zA-Z]*|--yes|--assume-yes|--assumeyes|-qq|-q=2|--quiet=2)$/;
const SSH_SERVERS = new Set(['openssh-server', 'dropbear', 'openssh', 'sshd', 'openssh-server-pam']);
const CLEAR_TEXT = new Set([
  'telnetd',
  'telnet-server',
  'inetutils-telnetd',
  'busybox-extras-telnetd',
  'rsh-server',
  'rsh-redone-server',
  'vsftpd',
  'proftpd',
  'proftpd-basic',
  'pure-ftpd',
  'tftpd',
  'tftpd-hpa',
  'tftp-server',
  'atftpd',
  'xinetd',
  'rsync-daemon',
]);

function installedNames(m: DockerfileModel): { call: PackageCall; word: ShellWord; name: string }[] {
  return installs(m, 'apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf', 'zypper').flatMap((call) =>
    call.packages.map((word) => ({ call, word, name: word.value.split(/[=<>~]/)[0] ?? '' })),
  );
}

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-070': (m, report) => {
    for (const c of installs(m, 'apt-get', 'apt')) {
      const bad = unpinned(c.packages, (v) => v.includes('=') || v.endsWith('.deb'));
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-071': (m, report) => {
    for (const c of installs(m, 'apt-get', 'apt')) {
      if (!isFinal(m, c.ins) || hasCacheMount(c.ins, '/var/lib/apt')) continue;
      const removes = runHas(
        c.ins,
        (x) => x.name === 'rm' && x.argv.some((w) => w.value.startsWith('/var/lib/apt/lists')),
      );
      if (!removes) report({ span: commandSpan(m, c.cmd) });
    }
  },
  'CER-DF-072': (m, report) => {
    for (const c of installs(m, 'apt-get'))
      if (!argvHas(c.cmd, NON_INTERACTIVE)) report({ span: commandSpan(m, c.cmd) });
  },
  'CER-DF-073': (m, report) => {
    for (const c of installs(m, 'apt-get', 'apt')) {
      const words = c.cmd.argv.map((w) => w.value);
      const viaOption = words.some(
        (w) =>
          /^APT::Install-Recommends=(false|0|no)$/i.test(w) ||
          /^-oAPT::Install-Recommends=(false|0)$/i.test(w),
      );
      if (!words.includes('--no-install-recommends') && !viaOption) report({ span: commandSpan(m, c.cmd) });
    }
  },
  'CER-DF-074': (m, report) => {
    for (const c of packageCalls(m))
      if (c.manager === 'apt' && c.actionWord)
        report({ span: commandSpan(m, c.cmd), evidence: `apt ${c.action}` });
  },
  'CER-DF-075': (m, report) => {
    for (const c of packageCalls(m)) {
      const upgradeAll =
        (['apt-get', 'apt'].includes(c.manager) &&
          ['upgrade', 'dist-upgrade', 'full-upgrade'].includes(c.action)) ||
        (c.manager === 'apk' && c.action === 'upgrade') ||
        (['yum', 'dnf', 'microdnf'].includes(c.manager) &&
          ['update', 'upgrade', 'distro-sync'].includes(c.action) &&
          c.packages.length === 0) ||
        (c.manager === 'zypper' &&
          ['dup', 'dist-upgrade', 'update', 'up'].includes(c.action) &&
          c.packages.length === 0);
      if (upgradeAll) report({ span: commandSpan(m, c.cmd), evidence: `${c.manager} ${c.action}` });
    }
  },
  'CER-DF-076': (m, report) => {
    const refresh: Record<string, string[]> = {
      'apt-get': ['update'],
      apt: ['update'],
      apk: ['update'],
      yum: ['update', 'makecache'],
      dnf: ['update', 'makecache'],
      zypper: ['refresh', 'ref'],
    };
    for (const ins of m.instructions) {
      if (ins.keyword !== 'RUN') continue;
      const calls = [...packageCalls({ ...m, instructions: [ins] })];
      const updates = calls.filter(
        (c) => (refresh[c.manager] ?? []).includes(c.action) && c.packages.length === 0,
      );
      const installsToo = calls.some(
        (c) =>
          (INSTALL[c.manager] ?? []).includes(c.action) || (c.manager === 'apk' && c.action === 'upgrade'),
      );
      const first = updates[0];
      if (first && !installsToo)
        report({ span: commandSpan(m, first.cmd), evidence: `${first.manager} ${first.action}` });
    }
  },
  'CER-DF-077': (m, report) => {
    for (const c of installs(m, 'apk')) {
      const bad = unpinned(c.packages, (v) => /[=<>~]/.test(v) || v.endsWith('.apk'));
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-078': (m, report) => {
    for (const c of installs(m, 'apk')) {
      if (
        argvHas(c.cmd, /^--no-cache$/) ||
        hasCacheMount(c.ins, '/var/cache/apk') ||
        hasCacheMount(c.ins, '/etc/apk/cache')
      )
        continue;
      report({ span: commandSpan(m, c.cmd) });
    }
  },
  'CER-DF-079': (m, report) => {
    for (const c of installs(m, 'yum')) {
      const bad = unpinned(
        c.packages,
        (v) => /-\d/.test(v) || v.endsWith('.rpm') || v.startsWith('@') || v.includes('://'),
      );
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-080': (m, report) => {
    for (const c of installs(m, 'yum'))
      if (!cleans(c.ins, 'yum') && !hasCacheMount(c.ins, '/var/cache/yum'))
        report({ span: commandSpan(m, c.cmd) });
  },
  'CER-DF-081': (m, report) => {
    for (const c of installs(m, 'yum'))
      if (!argvHas(c.cmd, /^(-[a-zA-Z]*y[a-zA-Z]*|--assumeyes)$/)) report({ span: commandSpan(m, c.cmd) });
  },
  'CER-DF-082': (m, report) => {
    for (const c of installs(m, 'dnf', 'microdnf'))
      if (!argvHas(c.cmd, /^(-[a-zA-Z]*y[a-zA-Z]*|--assumeyes)$/)) report({ span: commandSpan(m, c.cmd) });
  },
  'CER-DF-083': (m, report) => {
    for (const c of installs(m, 'dnf', 'microdnf')) {
      if (
        !cleans(c.ins, c.manager === 'microdnf' ? 'microdnf' : 'dnf') &&
        !hasCacheMount(c.ins, '/var/cache/dnf')
      )
        report({ span: commandSpan(m, c.cmd) });
    }
  },
  'CER-DF-084': (m, report) => {
    for (const c of installs(m, 'dnf', 'microdnf')) {
      const bad = unpinned(
        c.packages,
        (v) => /-\d/.test(v) || v.endsWith('.rpm') || v.startsWith('@') || v.includes('://'),
      );
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-085': (m, report) => {
    for (const c of installs(m, 'zypper')) {
      if (!argvHas(c.cmd, /^(-n|--non-interactive|-y|--no-confirm)$/))
        report({ span: commandSpan(m, c.cmd) });
    }
  },
  'CER-DF-086': (m, report) => {
    for (const c of installs(m, 'zypper'))
      if (!cleans(c.ins, 'zypper') && !hasCacheMount(c.ins, '/var/cache/zypp'))
        report({ span: commandSpan(m, c.cmd) });
  },
  'CER-DF-087': (m, report) => {
    for (const c of installs(m, 'zypper')) {
      const bad = unpinned(c.packages, (v) => /[=<>]/.test(v) || v.endsWith('.rpm'));
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-088': (m, report) => {
    for (const c of installs(m, 'pip')) {
      if (argvHas(c.cmd, /^(-r|--requirement|-c|--constraint|-e|--editable)$|^--requirement=/)) continue;
      const bad = unpinned(
        c.packages,
        (v) =>
          /[=<>~!@]/.test(v) ||
          /\.(whl|tar\.gz|zip)$/.test(v) ||
          v.includes('://') ||
          ['pip', 'setuptools', 'wheel'].includes(v),
      );
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-089': (m, report) => {
    for (const c of installs(m, 'pip')) {
      const stage = m.stages[c.ins.stage];
      const envOff = stage?.instructions.some(
        (i) =>
          i.keyword === 'ENV' &&
          i.pairs.some(
            (p) => p.name === 'PIP_NO_CACHE_DIR' && /^(1|true|yes|on|off|0|false)$/i.test(p.value ?? ''),
          ),
      );
      if (argvHas(c.cmd, /^--no-cache-dir$/) || envOff || hasCacheMount(c.ins, '/root/.cache')) continue;
      report({ span: commandSpan(m, c.cmd) });
    }
  },
  'CER-DF-090': (m, report) => {
    for (const c of installs(m, 'npm')) {
      const bad = unpinned(c.packages, (v) => {
        const at = v.lastIndexOf('@');
        if (at > 0) return !/@(latest|next)$/.test(v);
        return v.includes('://') || v.includes('/') || v.endsWith('.tgz');
      });
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-091': (m, report) => {
    for (const c of installs(m, 'gem')) {
      if (argvHas(c.cmd, /^(-v|--version)$|^--version=/)) continue;
      const bad = unpinned(c.packages, (v) => v.includes(':') || v.endsWith('.gem'));
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-092': (m, report) => {
    for (const c of installs(m, 'go')) {
      const bad = c.packages.find(
        (p) =>
          !p.value.includes('$') &&
          (!p.value.includes('@') || p.value.endsWith('@latest')) &&
          p.value.includes('.'),
      );
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-093': (m, report) => {
    for (const c of installs(m, 'apt-get', 'apt')) {
      if (c.packages.every((p) => p.value.endsWith('.deb'))) continue;
      const updates = runHas(
        c.ins,
        (x) => (x.name === 'apt-get' || x.name === 'apt') && x.argv.some((w) => w.value === 'update'),
      );
      if (!updates) report({ span: commandSpan(m, c.cmd) });
    }
  },
  'CER-DF-094': (m, report) => {
    for (const c of installs(m, 'npm')) {
      if (c.packages.length === 0 && !argvHas(c.cmd, /^(-g|--global)$/))
        report({ span: commandSpan(m, c.cmd), evidence: `npm ${c.action}` });
    }
  },
  'CER-DF-095': (m, report) => {
    for (const c of installs(m, 'pip')) {
      const extra = c.cmd.argv.find(
        (w) => w.value === '--extra-index-url' || w.value.startsWith('--extra-index-url='),
      );
      if (extra) report({ span: spanOf(m, extra), evidence: extra.value });
    }
    for (const i of m.instructions) {
      if (i.keyword !== 'ENV' && i.keyword !== 'ARG') continue;
      for (const p of i.pairs)
        if (p.name === 'PIP_EXTRA_INDEX_URL' && p.value) report({ span: p.nameSpan, evidence: p.name });
    }
  },
  'CER-DF-096': (m, report) => {
    for (const x of installedNames(m))
      if (SSH_SERVERS.has(x.name)) report({ span: spanOf(m, x.word), evidence: x.name });
  },
  'CER-DF-097': (m, report) => {
    for (const x of installedNames(m))
      if (CLEAR_TEXT.has(x.name)) report({ span: spanOf(m, x.word), evidence: x.name });
    for (const { cmd } of runCommands(m))
      if (cmd.name === 'in.telnetd' || cmd.name === 'telnetd') report({ span: commandSpan(m, cmd) });
  },
});
