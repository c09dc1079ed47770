import type { Finding } from '../../policy/finding.js';
import { type PssOptions, parsePssVersion, pssRules } from '../kubernetes/pss/index.js';
import { runRules } from '../rule.js';
import { workloadRules } from '../workload/rules/index.js';
import { dockerInspectWorkloads } from './workload.js';

/** Checks containers described by `docker inspect` output with the workload and PSS rules. */
export function scanDockerInspect(path: string, text: string, options: PssOptions = {}): Finding[] {
  const minor = parsePssVersion(options.version);
  return dockerInspectWorkloads(path, text).flatMap((w) => [
    ...runRules(
      pssRules,
      { w, minor, level: options.level ?? 'restricted', userNamespaces: options.userNamespaces ?? false },
      path,
      w.object,
    ),
    ...runRules(workloadRules, w, path, w.object),
  ]);
}
