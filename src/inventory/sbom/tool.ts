import { readFileSync } from 'node:fs';

/**
 * Cerana as the tool that wrote a document: name and version from its own package.json
 * (three levels up from this module both in src/ and in the built dist/).
 */
export function ceranaTool(): { name: string; version: string } {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    name?: unknown;
    version?: unknown;
  };
  return {
    name: typeof manifest.name === 'string' ? manifest.name : 'cerana',
    version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
  };
}
