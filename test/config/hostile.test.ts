// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose and shell `${...}` syntax is the test input.
import { describe, expect, it } from 'vitest';
import { isCeranaError } from '../../src/common/errors.js';
import { scanCompose } from '../../src/config/compose/scan.js';
import { scanDockerfile } from '../../src/config/dockerfile/scan.js';
import { parseManifests } from '../../src/config/kubernetes/objects.js';
import { scanKubernetes } from '../../src/config/kubernetes/scan.js';

/** Generated garbage built from the grammar's own tokens: every input must scan or fail with a CeranaError. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

const DF_TOKENS = [
  'FROM',
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'ARG',
  'USER',
  ' ',
  '\n',
  '\\\n',
  '"',
  "'",
  '$(',
  ')',
  '`',
  '<<EOF',
  'EOF',
  '|',
  '&&',
  ';',
  '#',
  '--mount=type=cache',
  '[',
  ']',
  '{',
  '}',
  'curl -k',
  'sh -c',
  '${A:-',
  'alpine:3',
  '=',
  '\u0000',
];
const YAML_TOKENS = [
  'apiVersion: v1\n',
  'kind: Pod\n',
  'spec:\n',
  '  containers:\n',
  '  - ',
  'name: c\n',
  '&a ',
  '*a',
  '<<: ',
  '[',
  ']',
  '{',
  '}',
  ': ',
  '\n',
  '    ',
  '---\n',
  '"',
  "'",
  'services:\n',
  '  web:\n',
  '    image: ${X:-y}\n',
  'items:\n',
  'kind: List\n',
  '!!binary ',
  '? ',
];

function garbage(r: () => number, tokens: string[], n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += tokens[Math.floor(r() * tokens.length)];
  return s;
}

function survives(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!isCeranaError(error)) throw error;
  }
}

describe('hostile input', () => {
  it('Dockerfiles made of random tokens never crash the scanner', () => {
    const r = rng(7);
    for (let i = 0; i < 400; i++) {
      const text = `FROM alpine:3\n${garbage(r, DF_TOKENS, 60)}`;
      expect(() => survives(() => scanDockerfile('Dockerfile', text)), JSON.stringify(text)).not.toThrow();
    }
  });

  it('YAML made of random tokens never crashes the Kubernetes or Compose scanners', () => {
    const r = rng(11);
    for (let i = 0; i < 400; i++) {
      const text = garbage(r, YAML_TOKENS, 40);
      expect(
        () => survives(() => scanKubernetes(parseManifests('m.yaml', text))),
        JSON.stringify(text),
      ).not.toThrow();
      expect(
        () => survives(() => scanCompose([{ path: 'compose.yaml', text }])),
        JSON.stringify(text),
      ).not.toThrow();
    }
  });

  it('deeply nested shell substitutions stay bounded', () => {
    const nested = `FROM alpine:3\nRUN ${'sh -c "$('.repeat(200)}curl x | sh${')"'.repeat(200)}\n`;
    expect(() => scanDockerfile('Dockerfile', nested)).not.toThrow();
  });

  it('self-referencing aliases are rejected, not followed forever', () => {
    expect(() => parseManifests('m.yaml', 'apiVersion: v1\nkind: Pod\nspec: &a\n  x: *a\n')).toThrow(
      /m\.yaml:4:3: nesting deeper than 256 levels/,
    );
  });
});
