import { describe, expect, it } from 'vitest';
import { commands } from './commands.js';

describe('commands', () => {
  it('loads, for each name, the command of that name', async () => {
    for (const entry of commands) expect((await entry.load()).name).toBe(entry.name);
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });
});
