import { bindRules, loadRuleMeta } from '../../../rule.js';
import type { DockerfileModel } from '../../model.js';
import { finalStage } from '../../model.js';
import { commandSpan, runCommands, spanOf } from '../helpers.js';

const ROOT = /^(root|0)(:.*)?$/;
const PRIVILEGED_GROUPS = new Set(['sudo', 'wheel', 'docker', 'root', 'admin', 'adm', 'disk', 'shadow']);

function lastUser(m: DockerfileModel) {
  const stage = finalStage(m);
  return stage?.instructions.filter((i) => i.keyword === 'USER').pop();
}

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-020': (m, report) => {
    const user = lastUser(m);
    const value = user?.args[0];
    if (user && value && ROOT.test(value.value))
      report({ span: value.span, evidence: `USER ${value.value}` });
  },
  'CER-DF-021': (m, report) => {
    const stage = finalStage(m);
    if (!stage || lastUser(m)) return;
    report({ span: stage.fromInstruction.span, evidence: 'no USER in the final stage' });
  },
  'CER-DF-022': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const sudo = cmd.words.find((w) => w.value === 'sudo' || w.value.endsWith('/sudo'));
      if (sudo && cmd.wrappers.includes('sudo')) report({ span: spanOf(m, sudo) });
      else if (cmd.name === 'sudo') report({ span: commandSpan(m, cmd) });
    }
  },
  'CER-DF-023': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      if (cmd.name !== 'useradd') continue;
      const args = cmd.argv.map((w) => w.value);
      if (
        args.includes('-l') ||
        args.includes('--no-log-init') ||
        args.some((a) => /^-[a-zA-Z]*l[a-zA-Z]*$/.test(a))
      )
        continue;
      const u = args.findIndex((a) => a === '-u' || a === '--uid');
      const uid = Number(u >= 0 ? args[u + 1] : args.find((a) => a.startsWith('--uid='))?.slice(6));
      if (Number.isFinite(uid) && uid > 99_999) report({ span: commandSpan(m, cmd), evidence: `uid ${uid}` });
    }
  },
  'CER-DF-024': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const text = cmd.words.map((w) => w.value).join(' ');
      const writesSudoers =
        cmd.redirects.some((r) => /sudoers/.test(r.target?.value ?? '')) || /\/etc\/sudoers/.test(text);
      if (/NOPASSWD/.test(text) && writesSudoers) {
        report({ span: commandSpan(m, cmd), evidence: 'NOPASSWD sudoers rule' });
        continue;
      }
      if (
        cmd.name === 'usermod' ||
        cmd.name === 'gpasswd' ||
        cmd.name === 'adduser' ||
        cmd.name === 'addgroup'
      ) {
        const args = cmd.argv.slice(1).map((w) => w.value);
        const g = args.findIndex((a) => /^-[a-zA-Z]*G$/.test(a) || a === '--groups' || a === '-a');
        const groups =
          cmd.name === 'usermod'
            ? (args[g + 1] ?? '')
            : cmd.name === 'gpasswd'
              ? (args[args.indexOf('-a') + 2] ?? '')
              : (args[1] ?? '');
        const bad = groups.split(',').find((x) => PRIVILEGED_GROUPS.has(x));
        if (g >= 0 || cmd.name !== 'usermod') {
          if (bad) report({ span: commandSpan(m, cmd), evidence: `group ${bad}` });
        }
      }
    }
  },
});
