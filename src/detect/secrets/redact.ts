/**
 * The only form in which a secret leaves the scanner. Long secrets keep their first four and
 * last two characters — enough to tell two keys apart or find the one to revoke, far too little
 * to use; anything shorter than 20 characters is masked entirely.
 */
export function redact(secret: string): string {
  const s = secret.trim();
  if (s.length < 20) return '****';
  return `${s.slice(0, 4)}****${s.slice(-2)}`;
}

const EVIDENCE_MAX = 160;

/**
 * One line of context for a report: the matched text with the secret replaced by its redaction,
 * whitespace runs collapsed, cut to a readable length.
 */
export function evidence(match: string, secretStart: number, secretEnd: number, secret: string): string {
  const text = `${match.slice(0, secretStart)}${redact(secret)}${match.slice(secretEnd)}`
    .replace(/\s{1,64}/g, ' ')
    .trim();
  return text.length > EVIDENCE_MAX ? `${text.slice(0, EVIDENCE_MAX - 1)}…` : text;
}
