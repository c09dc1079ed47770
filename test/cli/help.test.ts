import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/run.js';
import { memoryIo } from '../support/memory-io.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = memoryIo();
  const code = await main(argv, io);
  return { code, out: out(), err: err() };
}

describe('cerana help', () => {
  it('lists every command with its summary', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const name of ['image', 'sbom', 'config', 'policy', 'db', 'runtime', 'version']) {
      expect(out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });

  it("gives a subcommand's own help", async () => {
    expect((await run(['sbom', '--help'])).out).toContain('Usage: cerana sbom <ref>');
    const scan = await run(['sbom', 'scan', '--help']);
    expect(scan.code).toBe(0);
    expect(scan.out).toContain('Usage: cerana sbom scan <file>');
  });

  it('refuses an unknown command in one line, exit 2', async () => {
    const { code, err } = await run(['scna']);
    expect(code).toBe(2);
    expect(err).toBe(`cerana: unknown command "scna" (see 'cerana --help')\n`);
  });
});
