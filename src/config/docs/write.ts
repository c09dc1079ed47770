import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configRuleCatalog } from '../catalog.js';
import { renderRuleDocs } from './render.js';

/** Regenerates docs/rules from rule metadata: `vite-node src/config/docs/write.ts [dir]`. */
const dir = resolve(process.argv[2] ?? 'docs/rules');
mkdirSync(dir, { recursive: true });
const files = renderRuleDocs(configRuleCatalog());
for (const name of readdirSync(dir)) if (name.endsWith('.md') && !files.has(name)) rmSync(join(dir, name));
for (const [name, content] of files) writeFileSync(join(dir, name), content);
process.stdout.write(`wrote ${files.size} files to ${dir}\n`);
