import { CeranaError } from '../common/errors.js';

const MAX_SECRET_BYTES = 64 * 1024;

/** Reads a password or token from standard input, without its trailing newline. */
export async function readSecretFromStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > MAX_SECRET_BYTES) throw new CeranaError('INPUT', 'standard input is too large for a password');
    chunks.push(buffer);
  }
  const secret = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!secret) throw new CeranaError('USAGE', '--password-stdin: standard input was empty');
  return secret;
}
