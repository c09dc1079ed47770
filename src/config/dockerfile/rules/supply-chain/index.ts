import { bindRules, loadRuleMeta } from '../../../rule.js';
import type { DockerfileModel, Instruction } from '../../model.js';
import { stageByName } from '../../model.js';
import type { ShellCommand } from '../../shell/commands.js';
import { commandSpan, runCommands, spanOf } from '../helpers.js';

const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c']);
const INTERPRETERS = new Set([
  'sh',
  'bash',
  'ash',
  'dash',
  'zsh',
  'ksh',
  'python',
  'python3',
  'perl',
  'ruby',
  'node',
  'php',
  'source',
  '.',
]);
const VERIFIERS = new Set([
  'sha256sum',
  'sha512sum',
  'sha1sum',
  'md5sum',
  'shasum',
  'gpg',
  'gpgv',
  'cosign',
  'minisign',
  'openssl',
  'rpm',
  'gpg2',
  'b2sum',
  'sha384sum',
]);

function urls(cmd: ShellCommand): string[] {
  return cmd.argv
    .slice(1)
    .map((w) => w.value)
    .filter((v) => /^[a-z]+:\/\//i.test(v));
}

function isLocal(url: string): boolean {
  return /^https?:\/\/(localhost|127\.|\[::1\]|0\.0\.0\.0)/i.test(url);
}

function addSources(i: Instruction): string[] {
  return (i.json ?? i.args.map((a) => a.value)).slice(0, -1);
}

/** An interpreter reading its program from stdin: no script argument, or `-s` / `-`. */
function readsStdin(cmd: ShellCommand): boolean {
  const args = cmd.argv.slice(1).map((w) => w.value);
  return args.includes('-s') || args.includes('-') || !args.some((a) => !a.startsWith('-'));
}

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-110': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const piped =
        cmd.pipelineIndex > 0 &&
        INTERPRETERS.has(cmd.name) &&
        cmd.pipeline.slice(0, cmd.pipelineIndex).some((c) => DOWNLOADERS.has(c.name)) &&
        readsStdin(cmd);
      const substituted =
        INTERPRETERS.has(cmd.name) &&
        cmd.argv.slice(1).some((w) => /(\$\(|<\(|`)\s*(curl|wget)\b/.test(w.value));
      if (piped || substituted)
        report({
          span: commandSpan(m, cmd),
          evidence: piped ? cmd.pipeline.map((c) => c.name).join(' | ') : cmd.name,
        });
    }
  },
  'CER-DF-111': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ADD' || i.flags.some((f) => f.name === 'checksum')) continue;
      const remote = addSources(i).find((s) => /^https?:\/\//i.test(s) && !/\.git(#.*)?$/.test(s));
      if (remote) report({ span: i.span, evidence: remote });
    }
  },
  'CER-DF-112': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'RUN') continue;
      const verified = i.commands.some(
        (c) => VERIFIERS.has(c.name) || (c.name === 'echo' && c.pipeline.some((p) => VERIFIERS.has(p.name))),
      );
      if (verified) continue;
      for (const c of i.commands) {
        if (!DOWNLOADERS.has(c.name)) continue;
        // Only downloads saved to a file count; piping to a shell is CER-DF-110, API calls are not artifacts.
        const saves =
          c.argv.some((w) =>
            /^(-o|-O|--output|--output-document|-[a-zA-Z]*[oO])$|^--output(-document)?=|^-O.+/.test(w.value),
          ) && c.pipeline.length === 1;
        const remote = urls(c).find((u) => !isLocal(u));
        if (saves && remote) report({ span: commandSpan(m, c), evidence: remote });
      }
    }
  },
  'CER-DF-113': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      if (!DOWNLOADERS.has(cmd.name) && cmd.name !== 'git') continue;
      const plain = cmd.argv.find((w) => /^http:\/\//i.test(w.value) && !isLocal(w.value));
      if (plain) report({ span: spanOf(m, plain), evidence: plain.value });
    }
    for (const i of m.instructions) {
      if (i.keyword !== 'ADD') continue;
      const plain = addSources(i).find((s) => /^http:\/\//i.test(s) && !isLocal(s));
      if (plain) report({ span: i.span, evidence: plain });
    }
  },
  'CER-DF-114': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      if (cmd.name !== 'git') continue;
      const sub = cmd.argv[1]?.value;
      if (sub !== 'clone' && sub !== 'fetch' && sub !== 'remote' && sub !== 'submodule') continue;
      const bad = cmd.argv.find((w) => /^(git|http):\/\//i.test(w.value) && !isLocal(w.value));
      if (bad) report({ span: spanOf(m, bad), evidence: bad.value });
    }
  },
  'CER-DF-115': (m, report) => {
    for (const i of m.instructions) {
      const from = i.flags.find((f) => f.name === 'from');
      if (i.keyword !== 'COPY' || !from?.value || /^\d+$/.test(from.value) || from.value.includes('$'))
        continue;
      if (stageByName(m, from.value)) continue;
      if (!from.value.includes('@sha256:')) report({ span: from.span, evidence: from.value });
    }
  },
  'CER-DF-116': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ADD') continue;
      const repo = addSources(i).find((s) => /^(https?:\/\/|git@).*\.git(#.*)?$/.test(s) || /^git@/.test(s));
      if (repo && !/#[0-9a-f]{40}(:.*)?$/.test(repo) && !i.flags.some((f) => f.name === 'checksum'))
        report({ span: i.span, evidence: repo });
    }
  },
});
