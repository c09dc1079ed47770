import { describe, expect, it } from 'vitest';
import { readYaml } from './manifest.js';

function read(text: string): { doc: unknown; warnings: string[] } {
  const warnings: string[] = [];
  return { doc: readYaml(Buffer.from(text), 'lock.yaml', warnings), warnings };
}

describe('readYaml', () => {
  it('keeps every scalar a string, and the last of duplicate keys', () => {
    expect(read('a: 1.10\nb: true\nc: ~\na: 2\n')).toEqual({
      doc: { a: '2', b: 'true', c: '~' },
      warnings: [],
    });
  });

  it('refuses aliases, however small or large the expansion', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 30; i++)
      bomb.push(
        `l${i}: &l${i} [${Array(9)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    for (const text of ['base: &b {k: v}\nother: *b\n', bomb.join('\n')]) {
      const { doc, warnings } = read(text);
      expect(doc).toBeUndefined();
      expect(warnings).toEqual(['lock.yaml: not valid YAML: aliases are not allowed in a lockfile']);
    }
  });

  it('turns nesting deeper than the parser goes into a warning', () => {
    const { doc, warnings } = read(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(doc).toBeUndefined();
    expect(warnings[0]).toMatch(/^lock\.yaml: not valid YAML: /);
  });
});
