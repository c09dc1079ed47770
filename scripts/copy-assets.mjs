// Copies the data files modules load at run time (rules, tables: YAML, JSON, YARA, text lists)
// from src/ into dist/ beside the compiled code, keeping their relative paths.
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ASSET = /\.(ya?ml|json|yar|txt)$/;
const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const dist = join(root, 'dist');

let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !ASSET.test(entry.name) || entry.parentPath.split('/').includes('testdata')) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(dist, relative(src, from)));
  copied++;
}
if (process.env.CERANA_BUILD_VERBOSE) console.log(`copied ${copied} asset file(s) to dist/`);
