import { describe, expect, it } from 'vitest';
import type { Finding } from '../../policy/finding.js';
import type { Rule } from '../rule.js';
import { workloadRules } from '../workload/rules/index.js';
import { parseManifests } from './objects.js';
import { pssCheckLevel, pssRules } from './pss/index.js';
import { kubernetesRules } from './rules/index.js';
import { scanKubernetes } from './scan.js';

function scanK8s(text: string, ruleId: string): Finding[] {
  const level = pssCheckLevel(ruleId) ?? 'restricted';
  return scanKubernetes(parseManifests('manifest.yaml', text), { level });
}

function exerciseBothWays(
  family: string,
  rules: readonly Rule<never>[],
  scan: (text: string, id: string) => Finding[],
): void {
  describe(family, () => {
    for (const rule of rules) {
      const { id } = rule.meta;
      describe(`${id} ${rule.meta.title}`, () => {
        it('has examples both ways', () => {
          expect(rule.meta.examples.fail.length).toBeGreaterThan(0);
          expect(rule.meta.examples.pass.length).toBeGreaterThan(0);
        });
        rule.meta.examples.fail.forEach((text, n) => {
          it(`flags fail example ${n + 1}`, () => {
            const hits = scan(text, id).filter((f) => f.id === id);
            expect(hits.length, text).toBeGreaterThan(0);
            for (const h of hits) expect(h.location.line).toBeGreaterThan(0);
          });
        });
        rule.meta.examples.pass.forEach((text, n) => {
          it(`accepts pass example ${n + 1}`, () => {
            expect(
              scan(text, id)
                .filter((f) => f.id === id)
                .map((f) => f.evidence),
              text,
            ).toEqual([]);
          });
        });
      });
    }
  });
}

const k8sOnly = (text: string, id: string): Finding[] => scanK8s(text, id);

exerciseBothWays('Pod Security Standards', pssRules as readonly Rule<never>[], k8sOnly);
exerciseBothWays('Kubernetes objects', kubernetesRules as readonly Rule<never>[], k8sOnly);
exerciseBothWays(
  'Workload rules (Kubernetes examples)',
  workloadRules.map((r) => ({
    ...r,
    meta: {
      ...r.meta,
      examples: {
        fail: r.meta.examples.fail.filter((t) => !t.startsWith('services:')),
        pass: r.meta.examples.pass.filter((t) => !t.startsWith('services:')),
      },
    },
  })) as readonly Rule<never>[],
  k8sOnly,
);
