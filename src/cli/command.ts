import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CeranaError } from '../common/errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** What a command returns: its exit code (0 ok, 1 policy/findings over threshold). */
export type CommandResult = 0 | 1 | number;

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** True when stderr is a terminal and progress may be drawn. */
  interactive: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Commands under this one (`cerana sbom scan`): the first argument picks one, for its help too. */
  readonly subcommands?: Readonly<Record<string, Command>>;
  run(args: string[], io: CommandIo): Promise<CommandResult>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Strict flag parsing: an unknown flag or a missing value is one clear usage error. */
export function parseCommandArgs(command: string, args: string[], options: OptionSpec): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new CeranaError('USAGE', `${command}: ${(error as Error).message}`, {
      hint: `see 'cerana ${command} --help'`,
    });
  }
}

export function stringOption(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

export function choiceOption<T extends string>(
  parsed: ParsedArgs,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = stringOption(parsed, name) ?? fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new CeranaError(
      'USAGE',
      `--${name} must be one of ${choices.join(', ')}, not ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

export function integerOption(parsed: ParsedArgs, name: string): number | undefined {
  const value = stringOption(parsed, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new CeranaError('USAGE', `--${name} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}
