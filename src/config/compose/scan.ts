import type { Finding } from '../../policy/finding.js';
import { type PssOptions, parsePssVersion, pssRules } from '../kubernetes/pss/index.js';
import { runRules } from '../rule.js';
import { workloadRules } from '../workload/rules/index.js';
import { type ComposeFile, type ComposeOptions, normalizeCompose } from './normalize.js';
import { composeWorkloads } from './workload.js';

export interface ComposeScanOptions extends ComposeOptions, PssOptions {}

/** Normalizes a Compose project (several files merge into one) and runs the workload rules on each service. */
export function scanCompose(files: ComposeFile[], options: ComposeScanOptions = {}): Finding[] {
  const project = normalizeCompose(files, options);
  const minor = parsePssVersion(options.version);
  const findings: Finding[] = [];
  for (const w of composeWorkloads(project)) {
    const context = {
      w,
      minor,
      level: options.level ?? 'restricted',
      userNamespaces: options.userNamespaces ?? false,
    };
    findings.push(...runRules(pssRules, context, w.file, w.object));
    findings.push(...runRules(workloadRules, w, w.file, w.object));
  }
  return findings;
}
