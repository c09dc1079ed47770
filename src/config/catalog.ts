import type { ReportRule } from '../report/sarif.js';
import { daemonRules } from './docker-daemon/rules/index.js';
import { dockerfileRules } from './dockerfile/rules/index.js';
import { shellCheckRule } from './dockerfile/shellcheck.js';
import { pssRules } from './kubernetes/pss/index.js';
import { kubernetesRules } from './kubernetes/rules/index.js';
import type { RuleMeta } from './rule.js';
import { workloadRules } from './workload/rules/index.js';

/** Every configuration rule's metadata, in id order: the source of docs, SARIF rule descriptors and crosswalks. */
export function configRuleCatalog(): RuleMeta[] {
  const metas = [...dockerfileRules, ...pssRules, ...workloadRules, ...kubernetesRules, ...daemonRules].map(
    (r) => r.meta,
  );
  if (shellCheckRule) metas.push(shellCheckRule);
  return metas.sort((a, b) => a.id.localeCompare(b.id));
}

/** Rule descriptors for SARIF output. */
export function configReportRules(): ReportRule[] {
  return configRuleCatalog().map((m) => ({
    id: m.id,
    title: m.title,
    severity: m.severity,
    description: m.rationale,
    remediation: m.remediation,
    ...(m.references[0] ? { helpUri: m.references[0] } : {}),
    tags: [m.family, ...m.controls.slice(0, 5)],
  }));
}
