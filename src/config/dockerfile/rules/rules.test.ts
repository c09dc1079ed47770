import { describe, expect, it } from 'vitest';
import { scanDockerfile } from '../scan.js';
import { dockerfileRules } from './index.js';

describe('Dockerfile rules', () => {
  it('number at least 110', () => {
    expect(dockerfileRules.length).toBeGreaterThanOrEqual(110);
  });

  it('have unique ids and examples both ways', () => {
    const ids = dockerfileRules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of dockerfileRules) {
      expect(rule.meta.examples.fail.length, `${rule.meta.id} fail examples`).toBeGreaterThan(0);
      expect(rule.meta.examples.pass.length, `${rule.meta.id} pass examples`).toBeGreaterThan(0);
    }
  });

  for (const rule of dockerfileRules) {
    const { id } = rule.meta;
    describe(`${id} ${rule.meta.title}`, () => {
      rule.meta.examples.fail.forEach((text, n) => {
        it(`flags fail example ${n + 1}`, () => {
          const hits = scanDockerfile('Dockerfile', text).filter((f) => f.id === id);
          expect(hits.length, text).toBeGreaterThan(0);
          for (const hit of hits) {
            expect(hit.location.line).toBeGreaterThan(0);
            expect(hit.location.column).toBeGreaterThan(0);
          }
        });
      });
      rule.meta.examples.pass.forEach((text, n) => {
        it(`accepts pass example ${n + 1}`, () => {
          const hits = scanDockerfile('Dockerfile', text).filter((f) => f.id === id);
          expect(
            hits.map((h) => h.evidence ?? h.location.line),
            text,
          ).toEqual([]);
        });
      });
    });
  }
});
