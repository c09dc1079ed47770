import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Key-sorted, whitespace-free JSON: equal for documents that differ only in formatting. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The schema files are the official ones (see schemas/README.md), reformatted by the project's
 * formatter. These digests were taken from the files as published; a change to any schema's
 * content — not its formatting — fails here.
 */
const PUBLISHED: Record<string, string> = {
  'bom-1.6.schema.json': '4f06f4d51a02c2864c3f4f99fca8c9c33d7b22597f66d30df26b754790e197d7',
  'jsf-0.82.schema.json': '1772621c81d94ec2ae38fd39ee2dff6ca17b3c0fe2bbd8b9a0ce734429489c85',
  'spdx.schema.json': 'c749a3e14f65eacf4398cc92d0e505cfe050898ef4f2bfc48090c34c2a4395c2',
  'spdx-2.3.schema.json': 'f5145380fd05c07371bba84c9f731c2c821faa7eff22686c71ea1cca8fbf24ee',
};

describe('official SBOM schemas', () => {
  it.each(Object.entries(PUBLISHED))('%s has the published content', (file, digest) => {
    const text = readFileSync(new URL(`./schemas/${file}`, import.meta.url), 'utf8');
    expect(
      createHash('sha256')
        .update(canonical(JSON.parse(text)))
        .digest('hex'),
    ).toBe(digest);
  });
});
