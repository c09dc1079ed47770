import { CeranaError, describeError, isCeranaError } from '../common/errors.js';
import type { CommandIo } from './command.js';
import { commands } from './commands.js';

async function helpText(): Promise<string> {
  const loaded = await Promise.all(commands.map((entry) => entry.load()));
  const width = Math.max(...loaded.map((c) => c.name.length));
  const lines = loaded.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `cerana — container security from build to run time\n\nUsage: cerana <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'cerana <command> --help' for a command's options.\n`;
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(await helpText());
      return name === undefined ? 2 : 0;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry)
      throw new CeranaError('USAGE', `unknown command ${JSON.stringify(name)}`, {
        hint: "see 'cerana --help'",
      });
    const loaded = await entry.load();
    const sub = args[0] === undefined ? undefined : loaded.subcommands?.[args[0]];
    const command = sub ?? loaded;
    const rest = sub === undefined ? args : args.slice(1);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.summary}\n\n${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    io.stderr.write(`cerana: ${describeError(error)}\n`);
    if (process.env.CERANA_DEBUG && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack}\n`);
    return isCeranaError(error) ? error.exitCode : 3;
  }
}
