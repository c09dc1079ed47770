import { describe, expect, it } from 'vitest';
import type { Finding } from '../policy/finding.js';
import { scanCompose } from './compose/scan.js';
import { parseManifests } from './kubernetes/objects.js';
import { pssCheckLevel, pssRules } from './kubernetes/pss/index.js';
import { kubernetesRules } from './kubernetes/rules/index.js';
import { scanKubernetes } from './kubernetes/scan.js';
import type { RuleMeta } from './rule.js';
import { workloadRules } from './workload/rules/index.js';

/** Examples are Compose files when they start with `services:`, Kubernetes manifests otherwise. */
function scanExample(text: string, ruleId: string): Finding[] {
  const level = pssCheckLevel(ruleId) ?? 'restricted';
  if (text.startsWith('services:')) return scanCompose([{ path: 'compose.yaml', text }], { level });
  return scanKubernetes(parseManifests('manifest.yaml', text), { level });
}

function exerciseBothWays(family: string, metas: readonly RuleMeta[]): void {
  describe(family, () => {
    for (const meta of metas) {
      describe(`${meta.id} ${meta.title}`, () => {
        it('has examples both ways', () => {
          expect(meta.examples.fail.length).toBeGreaterThan(0);
          expect(meta.examples.pass.length).toBeGreaterThan(0);
        });
        meta.examples.fail.forEach((text, n) => {
          it(`flags fail example ${n + 1}`, () => {
            const hits = scanExample(text, meta.id).filter((f) => f.id === meta.id);
            expect(hits.length, text).toBeGreaterThan(0);
            for (const h of hits) expect(h.location.line).toBeGreaterThan(0);
          });
        });
        meta.examples.pass.forEach((text, n) => {
          it(`accepts pass example ${n + 1}`, () => {
            expect(
              scanExample(text, meta.id)
                .filter((f) => f.id === meta.id)
                .map((f) => f.evidence),
              text,
            ).toEqual([]);
          });
        });
      });
    }
  });
}

exerciseBothWays(
  'Pod Security Standards',
  pssRules.map((r) => r.meta),
);
exerciseBothWays(
  'Kubernetes objects',
  kubernetesRules.map((r) => r.meta),
);
exerciseBothWays(
  'Workload rules',
  workloadRules.map((r) => r.meta),
);
