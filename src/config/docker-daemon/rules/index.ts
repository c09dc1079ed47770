import type { Span } from '../../position.js';
import { bindRules, loadRuleMeta, type Report } from '../../rule.js';
import type { DaemonSettings, Setting } from '../settings.js';

/** Daemon settings plus where to point when a recommended setting is absent. */
export interface DaemonContext {
  settings: DaemonSettings;
  file: string;
  /** Span of the whole document (daemon.json `{`, or the dockerd command). */
  span: Span;
}

function missing(ctx: DaemonContext, report: Report, evidence: string): void {
  report({ span: ctx.span, file: ctx.file, evidence });
}

function at(report: Report, s: Setting, evidence: string): void {
  report({ span: s.span, file: s.file, evidence });
}

function rule(key: string, bad: (v: unknown) => boolean, absentIsBad: boolean) {
  return (ctx: DaemonContext, report: Report): void => {
    const s = ctx.settings.get(key);
    if (s === undefined) {
      if (absentIsBad) missing(ctx, report, `${key} not set`);
    } else if (bad(s.value)) at(report, s, `${key}: ${JSON.stringify(s.value)}`);
  };
}

const isFalse = (v: unknown) => v === false || v === 'false';
const notTrue = (v: unknown) => v !== true && v !== 'true';

export const daemonRules = bindRules<DaemonContext>(loadRuleMeta(new URL('./rules.yaml', import.meta.url)), {
  'CER-DD-001': rule('icc', (v) => !isFalse(v), true),
  'CER-DD-002': (ctx, report) => {
    rule('log-level', (v) => v !== 'info', false)(ctx, report);
    const debug = ctx.settings.get('debug');
    if (debug && debug.value === true) at(report, debug, 'debug: true');
  },
  'CER-DD-003': rule('iptables', isFalse, false),
  'CER-DD-004': rule('insecure-registries', (v) => Array.isArray(v) && v.length > 0, false),
  'CER-DD-005': rule('storage-driver', (v) => v === 'aufs', false),
  'CER-DD-006': (ctx, report) => {
    const hosts = ctx.settings.get('hosts');
    const list = Array.isArray(hosts?.value) ? (hosts?.value as unknown[]) : hosts ? [hosts.value] : [];
    const tcp = list.some(
      (h) => typeof h === 'string' && /^tcp:\/\//.test(h) && !/^tcp:\/\/(127\.0\.0\.1|localhost)[:/]/.test(h),
    );
    const verify =
      ctx.settings.get('tlsverify')?.value === true &&
      ['tlscacert', 'tlscert', 'tlskey'].every((k) => ctx.settings.has(k));
    if (hosts && tcp && !verify) at(report, hosts, 'TCP listener without tlsverify');
  },
  'CER-DD-007': rule(
    'default-ulimits',
    (v) => typeof v !== 'object' || v === null || Object.keys(v).length === 0,
    true,
  ),
  'CER-DD-008': rule('userns-remap', (v) => v === '' || v === false, true),
  'CER-DD-009': rule('authorization-plugins', (v) => !Array.isArray(v) || v.length === 0, true),
  'CER-DD-010': rule('log-driver', (v) => ['json-file', 'local', 'none'].includes(String(v)), true),
  'CER-DD-011': rule('no-new-privileges', notTrue, true),
  'CER-DD-012': rule('live-restore', notTrue, true),
  'CER-DD-013': rule('userland-proxy', (v) => !isFalse(v), true),
  'CER-DD-014': rule('seccomp-profile', (v) => v === 'unconfined', false),
  'CER-DD-015': rule('experimental', (v) => v === true, false),
  'CER-DD-016': rule('ip', (v) => v === '0.0.0.0' || v === '::', true),
});
