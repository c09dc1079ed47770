import type { Span } from '../../position.js';
import type { DockerfileModel, Instruction } from '../model.js';
import type { ShellCommand, ShellWord } from '../shell/commands.js';

/** Every command of every RUN (ONBUILD triggers excluded: they run in another build). */
export function* runCommands(m: DockerfileModel): Generator<{ ins: Instruction; cmd: ShellCommand }> {
  for (const ins of m.instructions) {
    if (ins.keyword !== 'RUN') continue;
    for (const cmd of ins.commands) yield { ins, cmd };
  }
}

export function spanOf(m: DockerfileModel, w: { start: number; end: number }): Span {
  return m.lines.span(w.start, w.end);
}

export function commandSpan(m: DockerfileModel, cmd: ShellCommand): Span {
  return m.lines.span(cmd.start, cmd.end);
}

/** Value-taking options per package manager, so their values are not taken for package names. */
const VALUE_FLAGS: Record<string, string[]> = {
  'apt-get': ['-o', '-c', '-t', '--target-release', '--option', '--config-file'],
  apt: ['-o', '-c', '-t', '--target-release', '--option'],
  apk: ['--virtual', '-t', '--repository', '-X', '--root', '-p', '--arch', '--cache-dir', '--keys-dir'],
  yum: [
    '--enablerepo',
    '--disablerepo',
    '--installroot',
    '--releasever',
    '-c',
    '--setopt',
    '-x',
    '--exclude',
  ],
  dnf: [
    '--enablerepo',
    '--disablerepo',
    '--installroot',
    '--releasever',
    '-c',
    '--setopt',
    '-x',
    '--exclude',
    '--repo',
  ],
  microdnf: ['--enablerepo', '--disablerepo', '--installroot', '--releasever', '--setopt'],
  zypper: ['-r', '--repo', '--from', '-t', '--type', '--root', '-R'],
  pip: [
    '-r',
    '--requirement',
    '-c',
    '--constraint',
    '-e',
    '--editable',
    '-i',
    '--index-url',
    '--extra-index-url',
    '--trusted-host',
    '-f',
    '--find-links',
    '-t',
    '--target',
    '--prefix',
    '--root',
    '--platform',
    '--python-version',
    '--implementation',
    '--abi',
    '--src',
    '--cache-dir',
    '--progress-bar',
    '--upgrade-strategy',
    '--log',
  ],
  npm: ['--registry', '--prefix', '-w', '--workspace', '--cache', '--tag', '--omit', '--include'],
  gem: ['-v', '--version', '-s', '--source', '-i', '--install-dir', '-n', '--bindir', '--platform'],
};

/** The subcommand: the first argument that is neither a flag nor a flag's value. */
export function subcommand(cmd: ShellCommand): ShellWord | undefined {
  const flags = VALUE_FLAGS[normalizeManager(cmd.name)] ?? [];
  for (let k = 1; k < cmd.argv.length; k++) {
    const v = cmd.argv[k]?.value ?? '';
    if (v.startsWith('-')) {
      if (flags.includes(v)) k++;
      continue;
    }
    return cmd.argv[k];
  }
  return undefined;
}

/** `pip3`, `pip3.12`, `python -m pip` all become `pip`. */
export function normalizeManager(name: string): string {
  if (/^pip[0-9.]*$/.test(name)) return 'pip';
  if (name === 'dnf5' || name === 'dnf4') return 'dnf';
  return name;
}

/** A package-manager invocation: manager, subcommand and package arguments. */
export interface PackageCall {
  manager: string;
  action: string;
  actionWord: ShellWord | undefined;
  packages: ShellWord[];
  cmd: ShellCommand;
  ins: Instruction;
}

/** Finds package-manager calls, including `python -m pip install`. */
export function* packageCalls(m: DockerfileModel): Generator<PackageCall> {
  for (const { ins, cmd } of runCommands(m)) {
    let manager = normalizeManager(cmd.name);
    let argv = cmd.argv;
    if (/^python[0-9.]*$/.test(cmd.name)) {
      const dashM = argv.findIndex((w) => w.value === '-m');
      if (dashM < 0 || !/^pip[0-9.]*$/.test(argv[dashM + 1]?.value ?? '')) continue;
      manager = 'pip';
      argv = argv.slice(dashM + 1);
    }
    if (!(manager in VALUE_FLAGS) && !['yarn', 'pnpm', 'go', 'conda', 'cargo', 'rpm'].includes(manager))
      continue;
    const view: ShellCommand = { ...cmd, argv };
    const actionWord = subcommand({ ...view, name: manager });
    const flags = VALUE_FLAGS[manager] ?? [];
    const packages: ShellWord[] = [];
    const from = actionWord ? argv.indexOf(actionWord) + 1 : argv.length;
    for (let k = from; k < argv.length; k++) {
      const v = argv[k]?.value ?? '';
      if (v.startsWith('-')) {
        if (flags.includes(v)) k++;
        continue;
      }
      packages.push(argv[k] as ShellWord);
    }
    yield { manager, action: actionWord?.value ?? '', actionWord, packages, cmd: view, ins };
  }
}

/** Stages whose output is the image (the last one) — rules about the shipped image look only here. */
export function isFinal(m: DockerfileModel, ins: Instruction): boolean {
  return ins.stage === m.stages.length - 1;
}

export const SECRET_NAME =
  /(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|CLIENT_?SECRET|AUTH|CREDENTIALS?|SESSION_?KEY|ENCRYPTION_?KEY|SIGNING_?KEY)($|_)/i;

/** Names that contain a secret word but never hold a secret. */
export const NOT_SECRET_NAME =
  /(_FILE|_PATH|_DIR|_URL|_ENDPOINT|_HOST|_PORT|_USER|_USERNAME|_NAME|_ID|_TYPE|_LENGTH|_EXPIRY|_TTL)$|^(PASSWORD_LENGTH|AUTH_METHOD|AUTH_TYPE)$/i;
