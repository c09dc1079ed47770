import type { Finding } from '../../policy/finding.js';
import { runRules } from '../rule.js';
import { workloadRules } from '../workload/rules/index.js';
import type { K8sObject } from './objects.js';
import { objectRef } from './objects.js';
import { type PssOptions, parsePssVersion, pssRules } from './pss/index.js';
import { type K8sScope, kubernetesRules } from './rules/index.js';
import { workloadOf } from './workload.js';

export interface KubernetesScanOptions extends PssOptions {}

/** Runs PSS, workload and object rules over objects scanned together (cross-object rules see them all). */
export function scanKubernetes(objects: K8sObject[], options: KubernetesScanOptions = {}): Finding[] {
  const minor = parsePssVersion(options.version);
  const scope: K8sScope = { objects, workloads: [] };
  const findings: Finding[] = [];
  for (const object of objects) {
    const workload = workloadOf(object);
    if (!workload) continue;
    scope.workloads.push({ object, workload });
    const ref = objectRef(object);
    const context = {
      w: workload,
      minor,
      level: options.level ?? 'restricted',
      userNamespaces: options.userNamespaces ?? false,
    };
    findings.push(...runRules(pssRules, context, object.file, ref));
    findings.push(...runRules(workloadRules, workload, object.file, ref));
  }
  findings.push(...runRules(kubernetesRules, scope, objects[0]?.file ?? ''));
  return findings;
}
