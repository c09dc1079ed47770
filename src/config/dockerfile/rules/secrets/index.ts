import { bindRules, loadRuleMeta } from '../../../rule.js';
import type { DockerfileModel, Instruction } from '../../model.js';
import { commandSpan, NOT_SECRET_NAME, runCommands, SECRET_NAME } from '../helpers.js';

/** Credential files by name: keys, cloud and registry credentials, package-manager auth. */
const CREDENTIAL_FILE =
  /(^|\/)(id_(rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.dockercfg|credentials(\.json)?|\.env|kubeconfig|\.htpasswd|secrets?\.(ya?ml|json)|service[-_]account.*\.json)$|\.(key|pem|p12|pfx|jks|keystore|ppk|asc|gpg)$|(^|\/)\.(ssh|aws|gnupg|kube|docker)(\/|$)/i;
const PUBLIC_FILE = /\.(pub|crt|cer)$|(^|\/)(ca|cert|fullchain|chain)\.pem$/i;
const TOKENS: [string, RegExp][] = [
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['GitHub fine-grained token', /\bgithub_pat_[A-Za-z0-9_]{50,}\b/],
  ['GitLab token', /\bglpat-[A-Za-z0-9_-]{20,}\b/],
  ['Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/],
  ['Stripe key', /\b(sk|rk)_live_[A-Za-z0-9]{20,}\b/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['npm token', /\bnpm_[A-Za-z0-9]{36}\b/],
];

function sources(i: Instruction): string[] {
  return (i.json ?? i.args.map((a) => a.value)).slice(0, -1);
}

function destination(i: Instruction): string {
  const list = i.json ?? i.args.map((a) => a.value);
  return list[list.length - 1] ?? '';
}

function secretNamed(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
}

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-140': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ENV') continue;
      for (const p of i.pairs)
        if (secretNamed(p.name) && p.value) report({ span: p.nameSpan, evidence: p.name });
    }
  },
  'CER-DF-141': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'ARG') continue;
      for (const p of i.pairs) if (secretNamed(p.name)) report({ span: p.nameSpan, evidence: p.name });
    }
  },
  'CER-DF-142': (m, report) => {
    for (const i of m.instructions) {
      if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
      const git = sources(i).find((s) => /(^|\/)\.(git|svn|hg)(\/|$)/.test(s));
      if (git) report({ span: i.span, evidence: git });
    }
  },
  'CER-DF-143': (m, report) => {
    for (const i of m.instructions) {
      if ((i.keyword !== 'COPY' && i.keyword !== 'ADD') || i.flags.some((f) => f.name === 'from')) continue;
      const secret = sources(i).find(
        (s) => CREDENTIAL_FILE.test(s) && !PUBLIC_FILE.test(s) && !/\.git(\/|$)/.test(s),
      );
      if (secret) report({ span: i.span, evidence: secret });
    }
  },
  'CER-DF-144': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const args = cmd.argv.map((w) => w.value);
      const userPass =
        ['curl', 'wget'].includes(cmd.name) &&
        args.some((a, n) => (a === '-u' || a === '--user') && /:[^$]/.test(args[n + 1] ?? ''));
      const urlCreds = args.some((a) => /^[a-z+]+:\/\/[^/\s:@]+:[^/\s@$]+@/i.test(a));
      const passwordFlag = args.some(
        (a, n) =>
          /^--?(password|passwd|pass)=[^$]/.test(a) ||
          (/^--(password|passwd)$/.test(a) && !(args[n + 1] ?? '$').startsWith('$')),
      );
      const wgetPass = cmd.name === 'wget' && args.some((a) => /^--(http-|ftp-)?password=[^$]/.test(a));
      if (userPass || urlCreds || passwordFlag || wgetPass)
        report({ span: commandSpan(m, cmd), evidence: cmd.name });
    }
  },
  'CER-DF-145': (m, report) => {
    for (const stage of m.stages) {
      const copied = new Map<string, Instruction>();
      for (const i of stage.instructions) {
        if ((i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.some((f) => f.name === 'from')) {
          const dest = destination(i);
          for (const s of sources(i)) {
            if (!CREDENTIAL_FILE.test(s) || PUBLIC_FILE.test(s)) continue;
            const base = s.split('/').pop() ?? s;
            copied.set(base, i);
            copied.set(dest.endsWith('/') ? `${dest}${base}` : dest, i);
          }
        }
        if (i.keyword !== 'RUN') continue;
        for (const c of i.commands) {
          if (c.name !== 'rm' && c.name !== 'shred') continue;
          const target = c.argv
            .slice(1)
            .find((w) => copied.has(w.value) || copied.has(w.value.split('/').pop() ?? ''));
          if (target) report({ span: commandSpan(m, c), evidence: target.value });
        }
      }
    }
  },
  'CER-DF-146': (m, report) => {
    const re = /-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/;
    for (let line = 1; line <= m.lines.lineCount; line++) {
      const text = m.lines.lineText(line);
      const at = text.search(re);
      if (at >= 0)
        report({
          span: { line, column: at + 1, endLine: line, endColumn: text.length + 1 },
          evidence: 'PEM private key',
        });
    }
  },
  'CER-DF-147': (m, report) => {
    for (let line = 1; line <= m.lines.lineCount; line++) {
      const text = m.lines.lineText(line);
      if (/^\s*#/.test(text)) continue;
      for (const [kind, re] of TOKENS) {
        const match = re.exec(text);
        if (match)
          report({
            span: {
              line,
              column: match.index + 1,
              endLine: line,
              endColumn: match.index + match[0].length + 1,
            },
            evidence: kind,
          });
      }
    }
  },
  'CER-DF-148': (m, report) => {
    for (const { cmd } of runCommands(m)) {
      const args = cmd.argv.map((w) => w.value);
      const chpasswd =
        cmd.name === 'chpasswd' &&
        cmd.pipeline
          .slice(0, cmd.pipelineIndex)
          .some(
            (c) =>
              (c.name === 'echo' || c.name === 'printf') &&
              c.argv.some((w) => /^[^\s:$]+:[^\s$]+/.test(w.value)),
          );
      const stdinPasswd = cmd.name === 'passwd' && args.includes('--stdin') && cmd.pipelineIndex > 0;
      const userAddPassword =
        (cmd.name === 'useradd' || cmd.name === 'usermod') &&
        args.some(
          (a, n) =>
            (a === '-p' || a === '--password') &&
            (args[n + 1] ?? '') !== '' &&
            (args[n + 1] ?? '') !== '*' &&
            (args[n + 1] ?? '') !== '!',
        );
      if (chpasswd || stdinPasswd || userAddPassword)
        report({ span: commandSpan(m, cmd), evidence: cmd.name });
    }
  },
});
