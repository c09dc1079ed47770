import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configRuleCatalog } from '../catalog.js';
import { renderRuleDocs } from './render.js';

const dir = resolve('docs/rules');

describe('rule docs', () => {
  const files = renderRuleDocs(configRuleCatalog());

  it('are up to date with the rule metadata (regenerate with `npx vite-node src/config/docs/write.ts`)', () => {
    const onDisk = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.md'))
          .sort()
      : [];
    expect(onDisk).toEqual([...files.keys()].sort());
    for (const [name, content] of files) expect(readFileSync(join(dir, name), 'utf8'), name).toBe(content);
  });

  it('document every rule', () => {
    const all = [...files.values()].join('\n');
    for (const rule of configRuleCatalog()) expect(all).toContain(`## ${rule.id}: `);
  });
});
