import { readArmoredBody, readPuttyKey } from './private-key.js';
import { redact } from './redact.js';
import type { ValidatorName } from './types.js';

/**
 * Checks that need more than a regex: decoding, looking around the match, telling an
 * encrypted key from a bare one. Each is named by rules.yaml (`validate:`), so rules stay data.
 */

export interface ValidationInput {
  /** Whole file (or config string), latin1-decoded so offsets are byte offsets. */
  text: string;
  matchStart: number;
  matchEnd: number;
  match: string;
  secret: string;
  search: TextSearch;
}

export type ValidationResult =
  | { ok: false }
  | {
      ok: true;
      /** Replaces the regex's secret (entropy and allow-lists then apply to this). */
      secret?: string;
      /** Absolute end offset when the finding spans past the regex match. */
      end?: number;
      variant?: string;
      /** Replaces the default evidence; must already be redacted. */
      evidence?: string;
    };

/**
 * `indexOf` with memory: successive searches for the same needle from increasing offsets reuse
 * the last answer, so a file of a million key headers and no END marker costs one pass, not
 * a million.
 */
export class TextSearch {
  private readonly memo = new Map<string, { from: number; at: number }>();

  constructor(private readonly text: string) {}

  indexOf(needle: string, from: number): number {
    const last = this.memo.get(needle);
    if (last !== undefined && from >= last.from && (last.at < 0 || from <= last.at)) return last.at;
    const at = this.text.indexOf(needle, from);
    this.memo.set(needle, { from, at });
    return at;
  }
}

const KEY_BLOCK_LIMIT = 65_536;
/** Shortest key body taken for a key: an Ed25519 PKCS#8 key is 64 base64 characters. */
const MIN_KEY_BASE64 = 40;

function privateKey(input: ValidationInput): ValidationResult {
  const header = input.match;
  const endMarker = header.replace('BEGIN', 'END');
  const endAt = input.search.indexOf(endMarker, input.matchEnd);
  if (endAt < 0 || endAt - input.matchEnd > KEY_BLOCK_LIMIT) return { ok: false };
  const body = readArmoredBody(header, input.text.slice(input.matchEnd, endAt));
  if (body.base64.length < MIN_KEY_BASE64) return { ok: false };
  return {
    ok: true,
    secret: body.base64,
    end: endAt + endMarker.length,
    ...(body.encrypted ? { variant: 'encrypted' } : {}),
    evidence: `${header} ${redact(body.base64)}`,
  };
}

function puttyKey(input: ValidationInput): ValidationResult {
  const key = readPuttyKey(input.text.slice(input.matchStart, input.matchStart + KEY_BLOCK_LIMIT));
  if (key === undefined || key.base64.length < MIN_KEY_BASE64 / 2) return { ok: false };
  return {
    ok: true,
    secret: key.base64,
    ...(key.encrypted ? { variant: 'encrypted' } : {}),
    evidence: `${input.match.trim()} ${redact(key.base64)}`,
  };
}

const SERVICE_ACCOUNT_WINDOW = 16_384;

function gcpServiceAccount(input: ValidationInput): ValidationResult {
  const around = input.text.slice(
    Math.max(0, input.matchStart - SERVICE_ACCOUNT_WINDOW),
    input.matchEnd + SERVICE_ACCOUNT_WINDOW,
  );
  if (!/"private_key"\s{0,8}:\s{0,8}"-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----/.test(around))
    return { ok: false };
  const email = /"client_email"\s{0,8}:\s{0,8}"([^"\s]{1,256})"/.exec(around)?.[1];
  if (email === undefined) return { ok: false };
  const keyId = /"private_key_id"\s{0,8}:\s{0,8}"([0-9a-f]{16,64})"/.exec(around)?.[1];
  const secret = keyId ?? email;
  return {
    ok: true,
    secret,
    evidence: `service account ${email}${keyId === undefined ? '' : `, private_key_id ${redact(keyId)}`}`,
  };
}

const PRINTABLE = /^[\x20-\x7e]{1,512}$/;

function basicAuthBase64(input: ValidationInput): ValidationResult {
  const decoded = Buffer.from(input.secret, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (!PRINTABLE.test(decoded) || colon <= 0 || colon === decoded.length - 1) return { ok: false };
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return {
    ok: true,
    secret: password,
    evidence: input.match.replace(input.secret, `base64(${user}:${redact(password)})`).slice(0, 160),
  };
}

/** A base64-encoded value (npm `_password`): judged, and redacted, by what it decodes to. */
function base64Text(input: ValidationInput): ValidationResult {
  const decoded = Buffer.from(input.secret, 'base64').toString('latin1');
  if (!PRINTABLE.test(decoded)) return { ok: false };
  return {
    ok: true,
    secret: decoded,
    evidence: input.match.replace(input.secret, `base64(${redact(decoded)})`),
  };
}

/** A base64-encoded PEM private key (kubeconfig `client-key-data`). */
function base64PrivateKey(input: ValidationInput): ValidationResult {
  const pem = Buffer.from(input.secret, 'base64').toString('latin1');
  const header = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/.exec(pem);
  if (header === null) return { ok: false };
  const endMarker = header[0].replace('BEGIN', 'END');
  const endAt = pem.indexOf(endMarker, header.index);
  const body = readArmoredBody(
    header[0],
    pem.slice(header.index + header[0].length, endAt < 0 ? undefined : endAt),
  );
  if (body.base64.length < MIN_KEY_BASE64) return { ok: false };
  return {
    ok: true,
    secret: body.base64,
    ...(body.encrypted ? { variant: 'encrypted' } : {}),
    evidence: `${input.match.slice(0, input.match.indexOf(input.secret))}base64(${header[0]} ${redact(body.base64)})`,
  };
}

function jwt(input: ValidationInput): ValidationResult {
  const [header, payload] = input.secret.split('.');
  const decodeJson = (part: string | undefined): unknown => {
    if (part === undefined) return undefined;
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  };
  const h = decodeJson(header);
  const p = decodeJson(payload);
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(h) || typeof h.alg !== 'string' || !isObject(p)) return { ok: false };
  return { ok: true };
}

export const VALIDATORS: Record<ValidatorName, (input: ValidationInput) => ValidationResult> = {
  'private-key': privateKey,
  'putty-key': puttyKey,
  'gcp-service-account': gcpServiceAccount,
  'basic-auth-base64': basicAuthBase64,
  'base64-text': base64Text,
  'base64-private-key': base64PrivateKey,
  jwt,
};
