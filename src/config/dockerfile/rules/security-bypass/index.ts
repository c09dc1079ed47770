import type { Span } from '../../../position.js';
import { bindRules, loadRuleMeta } from '../../../rule.js';
import type { DockerfileModel } from '../../model.js';
import type { ShellCommand } from '../../shell/commands.js';
import { commandSpan, runCommands, spanOf } from '../helpers.js';

interface Assignment {
  name: string;
  value: string;
  span: Span;
}

/** Variables set by ENV/ARG, by `NAME=value cmd` prefixes, and by `export NAME=value`. */
function assignments(m: DockerfileModel): Assignment[] {
  const out: Assignment[] = [];
  for (const i of m.instructions) {
    if (i.keyword === 'ENV' || i.keyword === 'ARG') {
      for (const p of i.pairs) out.push({ name: p.name, value: p.value ?? '', span: p.nameSpan });
    }
  }
  for (const { cmd } of runCommands(m)) {
    const words = [...cmd.assignments, ...(cmd.name === 'export' ? cmd.argv.slice(1) : [])];
    for (const w of words) {
      const eq = w.value.indexOf('=');
      if (eq > 0) out.push({ name: w.value.slice(0, eq), value: w.value.slice(eq + 1), span: spanOf(m, w) });
    }
  }
  return out;
}

function envRule(test: (name: string, value: string) => boolean) {
  return (m: DockerfileModel, report: (hit: { span: Span; evidence: string }) => void): void => {
    for (const a of assignments(m))
      if (test(a.name, a.value)) report({ span: a.span, evidence: `${a.name}=${a.value}` });
  };
}

function commandRule(test: (cmd: ShellCommand, text: string) => boolean) {
  return (m: DockerfileModel, report: (hit: { span: Span; evidence: string }) => void): void => {
    for (const { cmd } of runCommands(m)) {
      const text = cmd.words.map((w) => w.value).join(' ');
      const bodies = cmd.redirects.map((r) => r.body ?? '').join('\n');
      if (test(cmd, `${text}\n${bodies}`))
        report({ span: commandSpan(m, cmd), evidence: text.slice(0, 200) });
    }
  };
}

const FALSE = /^(false|0|no|off)$/i;
const flag = (cmd: ShellCommand, re: RegExp): boolean => cmd.argv.slice(1).some((w) => re.test(w.value));

export const rules = bindRules<DockerfileModel>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DF-120': commandRule((c) => c.name === 'curl' && flag(c, /^(--insecure|-[a-zA-Z]*k[a-zA-Z]*)$/)),
  'CER-DF-121': commandRule((c) => c.name === 'wget' && flag(c, /^--no-check-certificate$/)),
  'CER-DF-122': (m, report) => {
    commandRule(
      (c, text) =>
        (['yum', 'dnf', 'microdnf', 'tdnf', 'zypper'].includes(c.name) &&
          flag(c, /^(--nogpgcheck|--no-gpg-checks)$/)) ||
        (c.name === 'rpm' && flag(c, /^(--nosignature|--nodigest)$/)) ||
        /\bgpgcheck\s*=\s*0\b/.test(text),
    )(m, report);
  },
  'CER-DF-123': commandRule((c) => c.name === 'apk' && flag(c, /^--allow-untrusted$/)),
  'CER-DF-124': (m, report) => {
    commandRule(
      (c, text) =>
        (/^pip[0-9.]*$/.test(c.name) || /^python[0-9.]*$/.test(c.name)) &&
        /(^|\s)--trusted-host(\s|=)/.test(text),
    )(m, report);
    commandRule(
      (c, text) =>
        /^pip[0-9.]*$/.test(c.name) && c.argv[1]?.value === 'config' && /global\.trusted-host/.test(text),
    )(m, report);
    envRule((n) => n === 'PIP_TRUSTED_HOST')(m, report);
  },
  'CER-DF-125': (m, report) => {
    commandRule(
      (c, text) =>
        ['npm', 'yarn', 'pnpm'].includes(c.name) &&
        (/\bstrict-ssl\s+false\b/.test(text) || /--strict-ssl=false\b/.test(text)),
    )(m, report);
    envRule(
      (n, v) => /^(NPM_CONFIG_STRICT_SSL|npm_config_strict_ssl|YARN_STRICT_SSL)$/.test(n) && FALSE.test(v),
    )(m, report);
  },
  'CER-DF-126': envRule((n, v) => n === 'GIT_SSL_NO_VERIFY' && v !== '' && !FALSE.test(v)),
  'CER-DF-127': envRule((n, v) => n === 'NODE_TLS_REJECT_UNAUTHORIZED' && v.replace(/["']/g, '') === '0'),
  'CER-DF-128': commandRule(
    (c, text) =>
      (['apt-get', 'apt'].includes(c.name) &&
        flag(c, /^(--allow-unauthenticated|--allow-insecure-repositories|--force-yes)$/)) ||
      /AllowUnauthenticated\s*(=|\s)\s*"?(true|1)/i.test(text) ||
      /AllowInsecureRepositories\s*(=|\s)\s*"?(true|1)/i.test(text) ||
      /\[[^\]]*trusted=yes[^\]]*\]/.test(text),
  ),
  'CER-DF-129': envRule(
    (n, v) =>
      (n === 'PYTHONHTTPSVERIFY' && v.replace(/["']/g, '') === '0') ||
      ((n === 'REQUESTS_CA_BUNDLE' || n === 'CURL_CA_BUNDLE') && v.replace(/["']/g, '') === ''),
  ),
  'CER-DF-130': (m, report) => {
    const plain = /^http:\/\/(?!localhost|127\.)/i;
    commandRule((c) => {
      const args = c.argv.slice(1).map((w) => w.value);
      if (['npm', 'yarn', 'pnpm'].includes(c.name)) {
        const reg = args.findIndex((a) => a === 'registry' || a === '--registry');
        return (
          (reg >= 0 && plain.test(args[reg + 1] ?? '')) || args.some((a) => /^--registry=http:\/\//.test(a))
        );
      }
      if (/^pip[0-9.]*$/.test(c.name)) {
        const idx = args.findIndex((a) => a === '--index-url' || a === '-i' || a === '--extra-index-url');
        return (
          (idx >= 0 && plain.test(args[idx + 1] ?? '')) ||
          args.some((a) => /^--(extra-)?index-url=http:\/\//.test(a))
        );
      }
      if (c.name === 'gem') return args.includes('--add') && args.some((a) => plain.test(a));
      return false;
    })(m, report);
    envRule(
      (n, v) =>
        /^(NPM_CONFIG_REGISTRY|npm_config_registry|PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|YARN_REGISTRY)$/.test(
          n,
        ) && plain.test(v),
    )(m, report);
  },
  'CER-DF-131': commandRule(
    (c, text) =>
      c.name === 'git' &&
      (/http\.sslverify[\s=]+(false|0|no)\b/i.test(text) || /\bsslverify\s*=\s*false/i.test(text)),
  ),
  'CER-DF-132': commandRule((_c, text) => /StrictHostKeyChecking[\s=]+(no|off|false)\b/i.test(text)),
  'CER-DF-133': commandRule(
    (c) =>
      ['kubectl', 'helm', 'oc', 'kustomize', 'argocd', 'flux'].includes(c.name) &&
      flag(c, /^--insecure-skip-tls-verify(=true)?$|^--insecure$/),
  ),
  'CER-DF-134': (m, report) => {
    envRule(
      (n, v) =>
        (n === 'GOSUMDB' && v.replace(/["']/g, '') === 'off') ||
        ((n === 'GONOSUMCHECK' || n === 'GONOSUMDB' || n === 'GOINSECURE') && v !== '') ||
        (n === 'GOFLAGS' && /-insecure\b/.test(v)),
    )(m, report);
    commandRule(
      (c, text) =>
        c.name === 'go' &&
        c.argv[1]?.value === 'env' &&
        /\b(GOSUMDB=off|GONOSUMCHECK=|GONOSUMDB=|GOINSECURE=)/.test(text),
    )(m, report);
  },
  'CER-DF-135': commandRule(
    (c, text) =>
      (c.name === 'conda' && /\bssl_verify\s+(false|no|0)\b/i.test(text)) ||
      (c.name === 'composer' &&
        (/\bsecure-http\s+false\b/.test(text) || /\bdisable-tls\s+true\b/.test(text))),
  ),
  'CER-DF-136': commandRule(
    (c, text) =>
      ['gpg', 'gpg2', 'apt-key'].includes(c.name) && /--keyserver(\s+|=)(hkp|http):\/\//i.test(text),
  ),
  'CER-DF-137': commandRule(
    (c) =>
      (c.name === 'rpm' && flag(c, /^(--nodeps|--force)$/)) ||
      (c.name === 'dpkg' && flag(c, /^--force-(all|depends|confmiss|overwrite)$/)),
  ),
});
