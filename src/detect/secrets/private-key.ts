/**
 * Reading enough of a private key to judge it: its base64 body (so placeholders such as
 * `-----BEGIN RSA PRIVATE KEY-----\n...\n-----END` are not reported) and whether it is
 * protected by a passphrase, for the formats that say so:
 * - PEM with `Proc-Type: 4,ENCRYPTED` (OpenSSL "traditional" RSA/EC/DSA keys),
 * - PKCS#8 `ENCRYPTED PRIVATE KEY`,
 * - OpenSSH `openssh-key-v1` with a cipher other than `none`,
 * - OpenPGP secret-key packets whose S2K usage octet is not 0,
 * - PuTTY `.ppk` with an `Encryption:` other than `none`.
 */

export interface KeyBody {
  /** The key material, base64 characters only. */
  base64: string;
  encrypted: boolean;
}

/** Body between a BEGIN header and its END marker; JSON/string escapes (`\n`) are undone. */
export function readArmoredBody(header: string, between: string): KeyBody {
  const lines = between.replace(/\\r|\\n/g, '\n').split(/\r?\n/);
  const headerLines: string[] = [];
  const data: string[] = [];
  let checksum = false;
  for (const raw of lines) {
    const line = raw.trim().replace(/^["']|["',+\s]{1,8}$/g, '');
    if (line === '') continue;
    if (/^[A-Za-z-]{1,40}:\s/.test(line)) {
      headerLines.push(line);
      continue;
    }
    if (/^=[A-Za-z0-9+/]{4}$/.test(line)) {
      checksum = true; // OpenPGP armor CRC: not key material
      continue;
    }
    if (!checksum) data.push(line.replace(/[^A-Za-z0-9+/=]/g, ''));
  }
  const base64 = data.join('');
  return { base64, encrypted: isEncrypted(header, headerLines, base64) };
}

function isEncrypted(header: string, headerLines: readonly string[], base64: string): boolean {
  if (header.includes('ENCRYPTED PRIVATE KEY') && !header.includes('SSH2')) return true;
  if (headerLines.some((h) => /^Proc-Type:\s{0,8}4,\s{0,8}ENCRYPTED/i.test(h))) return true;
  if (header.includes('OPENSSH PRIVATE KEY')) return openSshEncrypted(decode(base64));
  if (header.includes('PGP PRIVATE KEY BLOCK')) return pgpEncrypted(decode(base64));
  if (header.includes('SSH2 ENCRYPTED PRIVATE KEY')) return ssh2Encrypted(decode(base64));
  return false;
}

function decode(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

function openSshEncrypted(data: Buffer): boolean {
  if (
    data.length < OPENSSH_MAGIC.length + 4 ||
    !data.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)
  ) {
    return false;
  }
  const at = OPENSSH_MAGIC.length;
  const len = data.readUInt32BE(at);
  const cipher = data.toString('latin1', at + 4, Math.min(at + 4 + len, data.length));
  return cipher !== 'none';
}

/** ssh.com format: magic 0x3f6ff9eb, total length, key type string, cipher string. */
function ssh2Encrypted(data: Buffer): boolean {
  if (data.length < 16 || data.readUInt32BE(0) !== 0x3f6ff9eb) return false;
  const typeLen = data.readUInt32BE(8);
  const cipherAt = 12 + typeLen;
  if (cipherAt + 4 > data.length) return false;
  const cipherLen = data.readUInt32BE(cipherAt);
  return data.toString('latin1', cipherAt + 4, Math.min(cipherAt + 4 + cipherLen, data.length)) !== 'none';
}

/** Walks the first secret-key packet (tag 5) up to its S2K usage octet. */
function pgpEncrypted(data: Buffer): boolean {
  const packet = firstPacket(data);
  if (packet === undefined || packet.tag !== 5) return false;
  const body = data.subarray(packet.start, packet.start + packet.length);
  const version = body[0];
  if (version === 5 || version === 6) {
    // version, created(4), algorithm, [v6: none], public material length(4), material, s2k usage
    const lenAt = 6;
    if (body.length < lenAt + 4) return false;
    const usage = body[lenAt + 4 + body.readUInt32BE(lenAt)];
    return usage !== undefined && usage !== 0;
  }
  if (version !== 4 && version !== 3) return false;
  let at = version === 3 ? 8 : 6; // v3 carries a 2-octet validity period
  const algorithm = body[at - 1];
  const mpi = (): boolean => {
    if (at + 2 > body.length) return false;
    const bits = body.readUInt16BE(at);
    at += 2 + Math.ceil(bits / 8);
    return at <= body.length;
  };
  const oid = (): boolean => {
    const len = body[at];
    if (len === undefined) return false;
    at += 1 + len;
    return at <= body.length;
  };
  let ok: boolean;
  switch (algorithm) {
    case 1:
    case 2:
    case 3:
      ok = mpi() && mpi();
      break;
    case 16:
      ok = mpi() && mpi() && mpi();
      break;
    case 17:
      ok = mpi() && mpi() && mpi() && mpi();
      break;
    case 19:
    case 22:
      ok = oid() && mpi();
      break;
    case 18:
      ok = oid() && mpi() && oid(); // KDF parameters are length-prefixed like an OID
      break;
    default:
      return false;
  }
  const usage = body[at];
  return ok && usage !== undefined && usage !== 0;
}

function firstPacket(data: Buffer): { tag: number; start: number; length: number } | undefined {
  const first = data[0];
  if (first === undefined || (first & 0x80) === 0) return undefined;
  if ((first & 0x40) !== 0) {
    const tag = first & 0x3f;
    const l1 = data[1];
    if (l1 === undefined) return undefined;
    if (l1 < 192) return { tag, start: 2, length: l1 };
    if (l1 < 224) return { tag, start: 3, length: ((l1 - 192) << 8) + (data[2] ?? 0) + 192 };
    if (l1 === 255 && data.length >= 6) return { tag, start: 6, length: data.readUInt32BE(2) };
    return undefined;
  }
  const tag = (first >> 2) & 0x0f;
  switch (first & 3) {
    case 0:
      return { tag, start: 2, length: data[1] ?? 0 };
    case 1:
      return data.length >= 3 ? { tag, start: 3, length: data.readUInt16BE(1) } : undefined;
    case 2:
      return data.length >= 5 ? { tag, start: 5, length: data.readUInt32BE(1) } : undefined;
    default:
      return { tag, start: 1, length: data.length - 1 };
  }
}

/** PuTTY key file: `Encryption:` header and the `Private-Lines:` block. */
export function readPuttyKey(text: string): KeyBody | undefined {
  const encryption = /^Encryption: ([a-z0-9-]{1,32})\r?$/m.exec(text)?.[1];
  const privateLines = /^Private-Lines: (\d{1,4})\r?$/m.exec(text);
  if (encryption === undefined || privateLines === null) return undefined;
  const count = Number(privateLines[1]);
  const after = text.slice(privateLines.index + privateLines[0].length).split(/\r?\n/);
  const base64 = after
    .slice(1, 1 + count)
    .join('')
    .replace(/[^A-Za-z0-9+/=]/g, '');
  return { base64, encrypted: encryption !== 'none' };
}
