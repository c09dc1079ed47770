import type { Command } from './command.js';

/** A top-level command: its name, and its module, loaded only when the command runs. */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

/**
 * Every top-level command, in the order `cerana --help` lists them. Loading every command's
 * module (rule sets parsed from YAML, the SBOM writers, the sensor) took 300 ms of each
 * invocation; one command's takes 15–190 ms.
 */
export const commands: readonly CommandEntry[] = [
  { name: 'image', load: async () => (await import('./image.js')).imageCommand },
  { name: 'sbom', load: async () => (await import('./sbom.js')).sbomCommand },
  { name: 'config', load: async () => (await import('./config.js')).configCommand },
  { name: 'policy', load: async () => (await import('./policy.js')).policyCommand },
  { name: 'vex', load: async () => (await import('./vex.js')).vexCommand },
  { name: 'plan', load: async () => (await import('./plan.js')).planCommand },
  { name: 'db', load: async () => (await import('./db.js')).dbCommand },
  { name: 'runtime', load: async () => (await import('./runtime.js')).runtimeCommand },
  { name: 'rules', load: async () => (await import('./rules.js')).rulesCommand },
  { name: 'version', load: async () => (await import('./version.js')).versionCommand },
];
