import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One planted secret per rule, in the provider's real format, with fresh random values from a
 * seeded generator (keys come from openssl, ssh-keygen and gpg). The same text built with a
 * placeholder generator (every random run replaced by `xxxx…`) is the rule's negative case:
 * it must report nothing. Shared by the rule unit tests, the Trivy comparison and the image test.
 */

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const DIGITS = '0123456789';
export const B64 = `${ALNUM}+/`;
export const B64URL = `${ALNUM}-_`;
export const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

export type KeyKind =
  | 'rsa'
  | 'rsa-encrypted'
  | 'ec'
  | 'ec-encrypted'
  | 'dsa'
  | 'pkcs8'
  | 'pkcs8-ed25519'
  | 'pkcs8-encrypted'
  | 'openssh'
  | 'openssh-encrypted'
  | 'pgp'
  | 'pgp-encrypted';

const keyCache = new Map<KeyKind, string>();

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, {
    input,
    stdio: ['pipe', 'pipe', 'ignore'],
    timeout: 60_000,
  }).toString();
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cerana-test-keys-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function generateKey(kind: KeyKind): string {
  switch (kind) {
    case 'rsa':
      return run('openssl', ['genrsa', '-traditional', '2048']);
    case 'rsa-encrypted':
      return run('openssl', ['genrsa', '-traditional', '-aes256', '-passout', 'pass:cerana-test', '2048']);
    case 'ec':
      return run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
    case 'ec-encrypted':
      return run('openssl', ['ec', '-aes256', '-passout', 'pass:cerana-test'], generateKey('ec'));
    case 'dsa':
      return withTempDir((dir) => {
        run('openssl', ['dsaparam', '-out', join(dir, 'p.pem'), '1024']);
        return run('openssl', ['pkey', '-traditional'], run('openssl', ['gendsa', join(dir, 'p.pem')]));
      });
    case 'pkcs8':
      return run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
    case 'pkcs8-ed25519':
      return run('openssl', ['genpkey', '-algorithm', 'ed25519']);
    case 'pkcs8-encrypted':
      return run('openssl', ['genpkey', '-algorithm', 'RSA', '-aes256', '-pass', 'pass:cerana-test']);
    case 'openssh':
    case 'openssh-encrypted':
      return withTempDir((dir) => {
        const pass = kind === 'openssh' ? '' : 'cerana-test';
        run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', pass, '-C', 'test', '-f', join(dir, 'id')]);
        return readFileSync(join(dir, 'id'), 'utf8');
      });
    case 'pgp':
    case 'pgp-encrypted':
      return withTempDir((home) => {
        const pass = kind === 'pgp' ? '' : 'cerana-test';
        const base = ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', pass];
        run('gpg', [
          ...base,
          '--quick-gen-key',
          'Cerana Test <test@cerana.invalid>',
          'ed25519',
          'sign',
          'never',
        ]);
        return run('gpg', [...base, '--armor', '--export-secret-keys']);
      });
  }
}

export function key(kind: KeyKind): string {
  let pem = keyCache.get(kind);
  if (pem === undefined) {
    pem = generateKey(kind);
    keyCache.set(kind, pem);
  }
  return pem;
}

/** Random values for a case; in placeholder mode every value is a run of `x` (or the charset's own filler). */
export class Gen {
  /** Every random value handed out, so tests can check none leaks into a report. */
  readonly produced: string[] = [];
  private state: number;

  constructor(
    readonly placeholder: boolean,
    seed: number,
  ) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, seeded, good enough to make token-shaped strings. */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  s(chars: string, n: number): string {
    let out: string;
    if (this.placeholder) {
      const filler = chars.includes('x') ? 'x' : chars.includes('X') ? 'X' : (chars[0] as string);
      out = filler.repeat(n);
    } else {
      out = '';
      for (let i = 0; i < n; i++) out += chars[Math.floor(this.next() * chars.length)];
    }
    this.produced.push(out);
    return out;
  }

  key(kind: KeyKind): string {
    if (this.placeholder) {
      const header = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(key(kind))?.[1] ?? 'PRIVATE KEY';
      return `-----BEGIN ${header}-----\n${'x'.repeat(64)}\n${'x'.repeat(40)}\n-----END ${header}-----\n`;
    }
    const pem = key(kind);
    for (const line of pem.split('\n')) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) this.produced.push(line);
    return pem;
  }

  /** A random identifier that is not secret (account ids, hook ids): reports may show it. */
  ident(chars: string, n: number): string {
    const before = this.produced.length;
    const out = this.s(chars, n);
    this.produced.length = before;
    return out;
  }

  uuid(): string {
    return `${this.s(HEX, 8)}-${this.s(HEX, 4)}-4${this.s(HEX, 3)}-a${this.s(HEX, 3)}-${this.s(HEX, 12)}`;
  }
}

export interface SecretCase {
  /** File path in the image (relative to the root). */
  path?: string;
  text: (g: Gen) => string;
}

/** A GUID that identifies (a tenant, a webhook) rather than authenticates. */
const ids = (g: Gen): string =>
  `${g.ident(HEX, 8)}-${g.ident(HEX, 4)}-4${g.ident(HEX, 3)}-a${g.ident(HEX, 3)}-${g.ident(HEX, 12)}`;

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** ssh.com ("SSH2") private key: magic, length, key type, cipher "none", key blob. */
function ssh2Key(g: Gen): string {
  const footer = '---- END SSH2 ENCRYPTED PRIVATE KEY ----';
  if (g.placeholder) return `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n${'x'.repeat(70)}\n${footer}\n`;
  const str = (s: string | Buffer): Buffer => {
    const body = typeof s === 'string' ? Buffer.from(s) : s;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([len, body]);
  };
  const blob = Buffer.from(g.s(B64, 200), 'latin1');
  const rest = Buffer.concat([
    str('if-modn{sign{rsa-pkcs1-sha1},encrypt{rsa-pkcs1v2-oaep}}'),
    str('none'),
    str(blob),
  ]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x3f6ff9eb, 0);
  head.writeUInt32BE(8 + rest.length, 4);
  const body = Buffer.concat([head, rest])
    .toString('base64')
    .replace(/(.{70})/g, '$1\n');
  return `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "rsa-key-20240101"\n${body}\n${footer}\n`;
}

function puttyKey(g: Gen): string {
  const lines = (n: number): string => Array.from({ length: n }, () => g.s(B64, 64)).join('\n');
  return [
    'PuTTY-User-Key-File-2: ssh-rsa',
    'Encryption: none',
    'Comment: rsa-key-20240101',
    'Public-Lines: 2',
    lines(2),
    'Private-Lines: 3',
    lines(3),
    `Private-MAC: ${g.s(HEX, 40)}`,
    '',
  ].join('\n');
}

function gcpServiceAccount(g: Gen): string {
  return JSON.stringify(
    {
      type: 'service_account',
      project_id: 'cerana-test-project',
      private_key_id: g.s(HEX, 40),
      private_key: g.key('pkcs8'),
      client_email: 'scanner@cerana-test-project.iam.gserviceaccount.com',
      client_id: g.s(DIGITS, 21),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
    },
    null,
    2,
  );
}

function jwt(g: Gen): string {
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  const payload = g.placeholder
    ? 'eyJ4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4In0'
    : Buffer.from(`{"sub":"${g.s(DIGITS, 10)}","role":"admin","iat":1700000000}`).toString('base64url');
  return `${header}.${payload}.${g.s(B64URL, 43)}`;
}

export const CASES: Record<string, SecretCase> = {
  'rsa-private-key': { path: 'root/.ssh/id_rsa', text: (g) => g.key('rsa') },
  'ec-private-key': { path: 'etc/ssl/private/server.key', text: (g) => g.key('ec') },
  'dsa-private-key': { path: 'etc/ssh/ssh_host_dsa_key', text: (g) => g.key('dsa') },
  'openssh-private-key': { path: 'home/app/.ssh/id_ed25519', text: (g) => g.key('openssh') },
  'pkcs8-private-key': { path: 'app/certs/tls.key', text: (g) => g.key('pkcs8') },
  'pkcs8-encrypted-private-key': { path: 'app/certs/tls-enc.key', text: (g) => g.key('pkcs8-encrypted') },
  'pgp-private-key': { path: 'root/signing.asc', text: (g) => g.key('pgp') },
  'ssh2-private-key': { path: 'home/app/.ssh2/id_rsa_2048_a', text: ssh2Key },
  'putty-private-key': { path: 'home/app/deploy.ppk', text: puttyKey },
  'age-secret-key': {
    path: 'root/.config/sops/age/keys.txt',
    text: (g) => `# created: 2024-01-01T00:00:00Z\nAGE-SECRET-KEY-1${g.s(BECH32, 58)}\n`,
  },
  'kubeconfig-client-key-data': {
    path: 'root/.kube/config',
    text: (g) =>
      `users:\n- name: admin\n  user:\n    client-certificate-data: ${b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')}\n    client-key-data: ${b64(g.key('rsa'))}\n`,
  },
  'aws-access-key-id': { text: (g) => `export AWS_ACCESS_KEY_ID=AKIA${g.s(B32, 16)}\n` },
  'aws-secret-access-key': { text: (g) => `aws_secret_access_key = ${g.s(B64, 40)}\n` },
  'aws-access-key-pair': {
    path: 'root/.aws/credentials',
    text: (g) =>
      `[default]\naws_access_key_id = AKIA${g.s(B32, 16)}\naws_secret_access_key = ${g.s(B64, 40)}\nregion = eu-west-1\n`,
  },
  'aws-session-token': { text: (g) => `aws_session_token = IQoJb3JpZ2luX2Vj${g.s(B64, 300)}\n` },
  'aws-mws-auth-token': { text: (g) => `MWS_AUTH_TOKEN=amzn.mws.${g.uuid()}\n` },
  'gcp-service-account-key': { path: 'app/credentials.json', text: gcpServiceAccount },
  'gcp-api-key': { text: (g) => `const firebaseConfig = { apiKey: "AIza${g.s(B64URL, 35)}" };\n` },
  'gcp-oauth-client-secret': { text: (g) => `{"client_secret": "GOCSPX-${g.s(B64URL, 28)}"}\n` },
  'google-oauth-access-token': { text: (g) => `Authorization: Bearer ya29.${g.s(B64URL, 150)}\n` },
  'google-oauth-refresh-token': { text: (g) => `"refresh_token": "1//0${g.s(B64URL, 100)}"\n` },
  'azure-storage-account-key': {
    text: (g) =>
      `STORAGE=DefaultEndpointsProtocol=https;AccountName=ceranatest;AccountKey=${g.s(B64, 86)}==;EndpointSuffix=core.windows.net\n`,
  },
  'azure-storage-key': { text: (g) => `AZURE_STORAGE_KEY: "${g.s(B64, 86)}=="\n` },
  'azure-sas-token': {
    text: (g) =>
      `https://ceranatest.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&spr=https&sig=${g.s(ALNUM, 40)}%2B${g.s(ALNUM, 6)}%3D\n`,
  },
  'azure-shared-access-key': {
    text: (g) =>
      `Endpoint=sb://cerana.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${g.s(B64, 43)}=\n`,
  },
  'azure-ad-client-secret': {
    text: (g) => `AZURE_CLIENT_SECRET="${g.s(ALNUM, 3)}8Q~${g.s(`${ALNUM}_~.-`, 34)}"\n`,
  },
  'azure-devops-pat': { text: (g) => `AZURE_DEVOPS_PAT=${g.s('abcdefghijklmnopqrstuvwxyz234567', 52)}\n` },
  'alibaba-access-key-id': { text: (g) => `ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI${g.s(ALNUM, 20)}\n` },
  'tencent-secret-id': { text: (g) => `TENCENTCLOUD_SECRET_ID=AKID${g.s(ALNUM, 32)}\n` },
  'digitalocean-pat': { text: (g) => `DIGITALOCEAN_TOKEN=dop_v1_${g.s(HEX, 64)}\n` },
  'digitalocean-oauth-token': { text: (g) => `token: doo_v1_${g.s(HEX, 64)}\n` },
  'digitalocean-refresh-token': { text: (g) => `refresh: dor_v1_${g.s(HEX, 64)}\n` },
  'heroku-api-key': { text: (g) => `HEROKU_API_KEY=HRKU-AA${g.s(B64URL, 58)}\n` },
  'heroku-api-key-legacy': { text: (g) => `heroku_api_key = "${g.uuid()}"\n` },
  'cloudflare-api-token': { text: (g) => `CLOUDFLARE_API_TOKEN=${g.s(B64URL, 40)}\n` },
  'cloudflare-origin-ca-key': { text: (g) => `origin_ca_key = "v1.0-${g.s(HEX, 24)}-${g.s(HEX, 146)}"\n` },
  'linode-token': { text: (g) => `LINODE_TOKEN=${g.s(HEX, 64)}\n` },
  'fly-io-token': { text: (g) => `FLY_API_TOKEN=fo1_${g.s(B64URL, 43)}\n` },
  'tailscale-key': { text: (g) => `TS_AUTHKEY=tskey-auth-${g.s(ALNUM, 13)}-${g.s(ALNUM, 33)}\n` },
  'github-pat': { text: (g) => `GITHUB_TOKEN=ghp_${g.s(ALNUM, 36)}\n` },
  'github-fine-grained-pat': { text: (g) => `token: github_pat_${g.s(ALNUM, 22)}_${g.s(ALNUM, 59)}\n` },
  'github-oauth-token': {
    path: 'root/.config/gh/hosts.yml',
    text: (g) => `github.com:\n    oauth_token: gho_${g.s(ALNUM, 36)}\n    user: app\n`,
  },
  'github-user-to-server-token': { text: (g) => `token=ghu_${g.s(ALNUM, 36)}\n` },
  'github-app-installation-token': { text: (g) => `token=ghs_${g.s(ALNUM, 36)}\n` },
  'github-refresh-token': { text: (g) => `refresh_token=ghr_${g.s(ALNUM, 76)}\n` },
  'gitlab-pat': { text: (g) => `GITLAB_TOKEN=glpat-${g.s(B64URL, 20)}\n` },
  'gitlab-pipeline-trigger-token': { text: (g) => `curl -F token=glptt-${g.s(HEX, 40)} -F ref=main\n` },
  'gitlab-runner-registration-token': { text: (g) => `--registration-token GR1348941${g.s(B64URL, 20)}\n` },
  'gitlab-runner-auth-token': {
    path: 'etc/gitlab-runner/config.toml',
    text: (g) => `  token = "glrt-${g.s(B64URL, 20)}"\n`,
  },
  'gitlab-deploy-token': { text: (g) => `DEPLOY_TOKEN=gldt-${g.s(B64URL, 20)}\n` },
  'gitlab-oauth-app-secret': { text: (g) => `secret: gloas-${g.s(HEX, 64)}\n` },
  'gitlab-scim-token': { text: (g) => `scim: glsoat-${g.s(B64URL, 20)}\n` },
  'gitlab-agent-token': { text: (g) => `agent: glagent-${g.s(B64URL, 50)}\n` },
  'gitlab-ci-job-token': { text: (g) => `CI_JOB_TOKEN=glcbt-64_${g.s(B64URL, 20)}\n` },
  'gitlab-feed-token': { text: (g) => `feed=glft-${g.s(B64URL, 20)}\n` },
  'gitlab-incoming-mail-token': { text: (g) => `incoming=glimt-${g.s(B64URL, 25)}\n` },
  'gitlab-feature-flags-token': { text: (g) => `unleash=glffct-${g.s(B64URL, 20)}\n` },
  'bitbucket-app-password': {
    text: (g) => `BITBUCKET_APP_PASSWORD=ATBB${g.s(ALNUM, 24)}${g.s('0123456789ABCDEF', 8)}\n`,
  },
  'bitbucket-access-token': { text: (g) => `BB_TOKEN=ATCTT3xFfGN0${g.s(B64URL, 180)}\n` },
  'bitbucket-client-secret': { text: (g) => `bitbucket_client_secret = "${g.s(ALNUM, 32)}"\n` },
  'atlassian-api-token': { text: (g) => `JIRA_API_TOKEN=ATATT3xFfGF0${g.s(B64URL, 180)}\n` },
  'atlassian-api-token-legacy': { text: (g) => `jira_api_token: ${g.s(ALNUM, 24)}\n` },
  'circleci-token': { text: (g) => `CIRCLE_TOKEN=CCIPAT_${g.s(ALNUM, 22)}_${g.s(HEX, 40)}\n` },
  'buildkite-token': { text: (g) => `BUILDKITE_API_TOKEN=bkua_${g.s(HEX, 40)}\n` },
  'sourcegraph-token': { text: (g) => `SRC_ACCESS_TOKEN=sgp_${g.s(HEX, 16)}_${g.s(HEX, 40)}\n` },
  'harness-pat': { text: (g) => `HARNESS_TOKEN=pat.${g.s(B64URL, 22)}.${g.s(HEX, 24)}.${g.s(ALNUM, 20)}\n` },
  'octopus-deploy-api-key': { text: (g) => `OCTOPUS_API_KEY=API-${g.s(UPPER_ALNUM, 26)}\n` },
  'jfrog-api-key': { text: (g) => `ARTIFACTORY_API_KEY=AKCp${g.s(ALNUM, 69)}\n` },
  'jfrog-identity-token': { text: (g) => `JFROG_TOKEN=cmVmdGtuOjAxOj${g.s(ALNUM, 50)}\n` },
  'slack-bot-token': {
    text: (g) => `SLACK_BOT_TOKEN=xoxb-${g.s(DIGITS, 12)}-${g.s(DIGITS, 13)}-${g.s(ALNUM, 24)}\n`,
  },
  'slack-user-token': {
    text: (g) =>
      `SLACK_USER_TOKEN=xoxp-${g.s(DIGITS, 12)}-${g.s(DIGITS, 12)}-${g.s(DIGITS, 13)}-${g.s(HEX, 32)}\n`,
  },
  'slack-app-token': {
    text: (g) => `SLACK_APP_TOKEN=xapp-1-A${g.s(UPPER_ALNUM, 10)}-${g.s(DIGITS, 13)}-${g.s(HEX, 64)}\n`,
  },
  'slack-config-token': { text: (g) => `config_token: xoxe.xoxp-1-${g.s(ALNUM, 160)}\n` },
  'slack-legacy-token': { text: (g) => `legacy: xoxs-${g.s(DIGITS, 11)}-${g.s(ALNUM, 40)}\n` },
  'slack-webhook-url': {
    text: (g) =>
      `webhook: https://hooks.slack.com/services/T${g.ident(UPPER_ALNUM, 10)}/B${g.ident(UPPER_ALNUM, 10)}/${g.s(ALNUM, 24)}\n`,
  },
  'discord-bot-token': {
    text: (g) => `DISCORD_BOT_TOKEN=M${g.s(B64URL, 25)}.${g.s(B64URL, 6)}.${g.s(B64URL, 38)}\n`,
  },
  'discord-webhook-url': {
    text: (g) => `url: https://discord.com/api/webhooks/${g.ident(DIGITS, 19)}/${g.s(B64URL, 68)}\n`,
  },
  'telegram-bot-token': { text: (g) => `TELEGRAM_TOKEN=${g.s(DIGITS, 10)}:AA${g.s(B64URL, 33)}\n` },
  'teams-webhook-url': {
    text: (g) =>
      `https://cerana.webhook.office.com/webhookb2/${ids(g)}@${ids(g)}/IncomingWebhook/${g.s(HEX, 32)}/${ids(g)}\n`,
  },
  'twitch-client-secret': { text: (g) => `TWITCH_CLIENT_SECRET=${g.s(LOWER_ALNUM, 30)}\n` },
  'stripe-secret-key': { text: (g) => `STRIPE_SECRET_KEY=sk_live_${g.s(ALNUM, 99)}\n` },
  'stripe-restricted-key': { text: (g) => `STRIPE_KEY=rk_live_${g.s(ALNUM, 99)}\n` },
  'stripe-test-key': { text: (g) => `STRIPE_SECRET_KEY=sk_test_${g.s(ALNUM, 99)}\n` },
  'stripe-webhook-secret': { text: (g) => `STRIPE_WEBHOOK_SECRET=whsec_${g.s(ALNUM, 32)}\n` },
  'square-access-token': { text: (g) => `SQUARE_ACCESS_TOKEN=EAAA${g.s(B64URL, 60)}\n` },
  'square-oauth-secret': { text: (g) => `SQUARE_APP_SECRET=sq0csp-${g.s(B64URL, 43)}\n` },
  'braintree-access-token': {
    text: (g) => `BRAINTREE_TOKEN=access_token$production$${g.s(LOWER_ALNUM, 16)}$${g.s(HEX, 32)}\n`,
  },
  'paypal-client-secret': { text: (g) => `PAYPAL_CLIENT_SECRET=${g.s(B64URL, 80)}\n` },
  'shopify-access-token': { text: (g) => `SHOPIFY_TOKEN=shpat_${g.s(HEX, 32)}\n` },
  'shopify-custom-app-token': { text: (g) => `SHOPIFY_TOKEN=shpca_${g.s(HEX, 32)}\n` },
  'shopify-private-app-token': { text: (g) => `SHOPIFY_TOKEN=shppa_${g.s(HEX, 32)}\n` },
  'shopify-shared-secret': { text: (g) => `SHOPIFY_SECRET=shpss_${g.s(HEX, 32)}\n` },
  'plaid-access-token': { text: (g) => `PLAID_ACCESS_TOKEN=access-production-${g.uuid()}\n` },
  'flutterwave-secret-key': { text: (g) => `FLW_SECRET_KEY=FLWSECK-${g.s(HEX, 32)}-X\n` },
  'duffel-token': { text: (g) => `DUFFEL_TOKEN=duffel_live_${g.s(B64URL, 43)}\n` },
  'easypost-api-key': { text: (g) => `EASYPOST_API_KEY=EZAK${g.s(ALNUM, 54)}\n` },
  'shippo-api-token': { text: (g) => `SHIPPO_TOKEN=shippo_live_${g.s(HEX, 40)}\n` },
  'twilio-api-key': { text: (g) => `TWILIO_API_KEY=SK${g.s(HEX, 32)}\n` },
  'twilio-auth-token': { text: (g) => `TWILIO_AUTH_TOKEN=${g.s(HEX, 32)}\n` },
  'sendgrid-api-key': { text: (g) => `SENDGRID_API_KEY=SG.${g.s(B64URL, 22)}.${g.s(B64URL, 43)}\n` },
  'mailgun-private-key': { text: (g) => `MAILGUN_KEY=key-${g.s(HEX, 32)}\n` },
  'mailgun-api-key': { text: (g) => `MAILGUN_API_KEY=${g.s(HEX, 32)}-${g.s(HEX, 8)}-${g.s(HEX, 8)}\n` },
  'mailchimp-api-key': { text: (g) => `MAILCHIMP_KEY=${g.s(HEX, 32)}-us21\n` },
  'brevo-api-key': { text: (g) => `BREVO_KEY=xkeysib-${g.s(HEX, 64)}-${g.s(ALNUM, 16)}\n` },
  'brevo-smtp-key': { text: (g) => `SMTP_KEY=xsmtpsib-${g.s(HEX, 64)}-${g.s(ALNUM, 16)}\n` },
  'postmark-server-token': { text: (g) => `POSTMARK_SERVER_TOKEN=${g.uuid()}\n` },
  'npm-access-token': { text: (g) => `NPM_TOKEN=npm_${g.s(ALNUM, 36)}\n` },
  'pypi-upload-token': { text: (g) => `TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmc${g.s(B64URL, 150)}\n` },
  'docker-hub-token': { text: (g) => `DOCKERHUB_TOKEN=dckr_pat_${g.s(B64URL, 27)}\n` },
  'rubygems-api-key': {
    path: 'root/.gem/credentials',
    text: (g) => `---\n:rubygems_api_key: rubygems_${g.s(HEX, 48)}\n`,
  },
  'nuget-api-key': { text: (g) => `dotnet nuget push pkg.nupkg --api-key oy2${g.s(LOWER_ALNUM, 43)}\n` },
  'clojars-token': { text: (g) => `CLOJARS_TOKEN=CLOJARS_${g.s(LOWER_ALNUM, 60)}\n` },
  'crates-io-token': {
    path: 'root/.cargo/credentials.toml',
    text: (g) => `[registry]\ntoken = "cio${g.s(ALNUM, 32)}"\n`,
  },
  'vault-token': { path: 'root/.vault-token', text: (g) => `hvs.${g.s(B64URL, 90)}\n` },
  'vault-token-legacy': { text: (g) => `VAULT_TOKEN=s.${g.s(ALNUM, 24)}\n` },
  'terraform-cloud-token': {
    path: 'root/.terraform.d/credentials.tfrc.json',
    text: (g) =>
      `{"credentials":{"app.terraform.io":{"token":"${g.s(ALNUM, 14)}.atlasv1.${g.s(B64URL, 67)}"}}}\n`,
  },
  'pulumi-access-token': { text: (g) => `PULUMI_ACCESS_TOKEN=pul-${g.s(HEX, 40)}\n` },
  'doppler-token': { text: (g) => `DOPPLER_TOKEN=dp.st.${g.s(ALNUM, 40)}\n` },
  'databricks-token': { text: (g) => `DATABRICKS_TOKEN=dapi${g.s(HEX, 32)}\n` },
  'new-relic-user-api-key': { text: (g) => `NEW_RELIC_API_KEY=NRAK-${g.s(UPPER_ALNUM, 27)}\n` },
  'new-relic-insert-key': { text: (g) => `NEW_RELIC_INSERT_KEY=NRII-${g.s(B64URL, 32)}\n` },
  'new-relic-license-key': { text: (g) => `NEW_RELIC_LICENSE_KEY=${g.s(HEX, 36)}NRAL\n` },
  'new-relic-browser-token': { text: (g) => `nr.init({ token: "NRJS-${g.s(HEX, 19)}" })\n` },
  'datadog-api-key': { text: (g) => `DD_API_KEY=${g.s(HEX, 32)}\n` },
  'datadog-app-key': { text: (g) => `DD_APP_KEY=${g.s(HEX, 40)}\n` },
  'sentry-token': { text: (g) => `SENTRY_AUTH_TOKEN=sntryu_${g.s(HEX, 64)}\n` },
  'grafana-cloud-token': { text: (g) => `GRAFANA_CLOUD_TOKEN=glc_${g.s(B64, 120)}\n` },
  'grafana-service-account-token': { text: (g) => `GRAFANA_TOKEN=glsa_${g.s(ALNUM, 32)}_${g.s(HEX, 8)}\n` },
  'grafana-api-key': { text: (g) => `GRAFANA_API_KEY=eyJrIjoi${g.s(ALNUM, 64)}\n` },
  'okta-api-token': { text: (g) => `OKTA_API_TOKEN=00${g.s(B64URL, 40)}\n` },
  'dynatrace-token': { text: (g) => `DT_API_TOKEN=dt0c01.${g.s(UPPER_ALNUM, 24)}.${g.s(UPPER_ALNUM, 64)}\n` },
  'dropbox-short-lived-token': { text: (g) => `DROPBOX_TOKEN=sl.${g.s(B64URL, 138)}\n` },
  'dropbox-long-lived-token': {
    text: (g) => `DROPBOX_TOKEN=${g.s(LOWER_ALNUM, 11)}AAAAAAAAAA${g.s(B64URL, 43)}\n`,
  },
  'postman-api-key': { text: (g) => `POSTMAN_API_KEY=PMAK-${g.s(HEX, 24)}-${g.s(HEX, 34)}\n` },
  'planetscale-token': { text: (g) => `PLANETSCALE_TOKEN=pscale_tkn_${g.s(B64URL, 43)}\n` },
  'supabase-token': { text: (g) => `SUPABASE_ACCESS_TOKEN=sbp_${g.s(HEX, 40)}\n` },
  'netlify-token': { text: (g) => `NETLIFY_AUTH_TOKEN=nfp_${g.s(ALNUM, 36)}\n` },
  'render-api-key': { text: (g) => `RENDER_API_KEY=rnd_${g.s(ALNUM, 32)}\n` },
  'prefect-api-key': { text: (g) => `PREFECT_API_KEY=pnu_${g.s(ALNUM, 36)}\n` },
  'readme-api-key': { text: (g) => `README_API_KEY=rdme_${g.s(LOWER_ALNUM, 70)}\n` },
  'scalingo-token': { text: (g) => `SCALINGO_API_TOKEN=tk-us-${g.s(B64URL, 48)}\n` },
  'infracost-api-key': { text: (g) => `INFRACOST_API_KEY=ico-${g.s(ALNUM, 32)}\n` },
  'onepassword-secret-key': {
    text: (g) =>
      `secret key: A3-${g.s(UPPER_ALNUM, 6)}-${g.s(UPPER_ALNUM, 11)}-${g.s(UPPER_ALNUM, 5)}-${g.s(UPPER_ALNUM, 5)}-${g.s(UPPER_ALNUM, 5)}\n`,
  },
  'onepassword-service-account-token': { text: (g) => `OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ${g.s(B64, 600)}\n` },
  'openai-api-key': { text: (g) => `OPENAI_API_KEY=sk-proj-${g.s(B64URL, 74)}T3BlbkFJ${g.s(B64URL, 74)}\n` },
  'anthropic-api-key': { text: (g) => `ANTHROPIC_API_KEY=sk-ant-api03-${g.s(B64URL, 93)}AA\n` },
  'huggingface-token': { text: (g) => `HF_TOKEN=hf_${g.s(ALNUM, 34)}\n` },
  'huggingface-org-token': { text: (g) => `HF_ORG_TOKEN=api_org_${g.s(ALNUM, 34)}\n` },
  'replicate-api-token': { text: (g) => `REPLICATE_API_TOKEN=r8_${g.s(ALNUM, 37)}\n` },
  'groq-api-key': { text: (g) => `GROQ_API_KEY=gsk_${g.s(ALNUM, 52)}\n` },
  'perplexity-api-key': { text: (g) => `PPLX_API_KEY=pplx-${g.s(ALNUM, 48)}\n` },
  'xai-api-key': { text: (g) => `XAI_API_KEY=xai-${g.s(ALNUM, 80)}\n` },
  'linear-api-key': { text: (g) => `LINEAR_API_KEY=lin_api_${g.s(ALNUM, 40)}\n` },
  'notion-token': { text: (g) => `NOTION_TOKEN=ntn_${g.s(DIGITS, 11)}${g.s(ALNUM, 35)}\n` },
  'airtable-pat': { text: (g) => `AIRTABLE_TOKEN=pat${g.s(ALNUM, 14)}.${g.s(HEX, 64)}\n` },
  'figma-pat': { text: (g) => `FIGMA_TOKEN=figd_${g.s(B64URL, 40)}\n` },
  'contentful-token': { text: (g) => `CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-${g.s(B64URL, 43)}\n` },
  'mapbox-secret-token': {
    text: (g) => `MAPBOX_TOKEN=sk.eyJ1IjoiY2VyYW5hIiwiYSI6I${g.s(B64URL, 30)}.${g.s(B64URL, 22)}\n`,
  },
  'typeform-token': { text: (g) => `TYPEFORM_TOKEN=tfp_${g.s(B64URL, 59)}\n` },
  'frameio-token': { text: (g) => `FRAMEIO_TOKEN=fio-u-${g.s(B64URL, 64)}\n` },
  'twitter-bearer-token': {
    text: (g) => `TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA${g.s(ALNUM, 40)}%3D${g.s(ALNUM, 50)}\n`,
  },
  'facebook-access-token': { text: (g) => `FACEBOOK_ACCESS_TOKEN=EAA${g.s(ALNUM, 150)}\n` },
  jwt: { text: (g) => `Authorization: Bearer ${jwt(g)}\n` },
  'http-basic-auth-header': {
    text: (g) =>
      `curl -H "Authorization: Basic ${b64(`deploy:${g.s(ALNUM, 20)}`)}" https://registry.internal/\n`,
  },
  'postgres-url-password': {
    text: (g) => `DATABASE_URL=postgres://app:${g.s(ALNUM, 20)}@db.internal:5432/app\n`,
  },
  'mysql-url-password': {
    text: (g) => `db_url = "mysql://app:${g.s(ALNUM, 20)}@mysql.internal:3306/shop"\n`,
  },
  'mongodb-url-password': {
    text: (g) => `MONGO_URL=mongodb+srv://app:${g.s(ALNUM, 20)}@cluster0.ab1cd.mongodb.net/prod\n`,
  },
  'redis-url-password': { text: (g) => `REDIS_URL=redis://:${g.s(ALNUM, 20)}@cache.internal:6379/0\n` },
  'amqp-url-password': { text: (g) => `BROKER_URL=amqp://worker:${g.s(ALNUM, 20)}@rabbit.internal:5672/\n` },
  'ftp-url-password': { text: (g) => `wget ftp://mirror:${g.s(ALNUM, 20)}@ftp.internal/pub/file.tgz\n` },
  'ldap-url-password': { text: (g) => `ldap_uri = ldaps://binder:${g.s(ALNUM, 20)}@ldap.internal:636\n` },
  'smtp-url-password': { text: (g) => `MAIL_URL=smtps://mailer:${g.s(ALNUM, 20)}@smtp.internal:465\n` },
  'jdbc-url-password': {
    text: (g) => `url=jdbc:postgresql://db.internal:5432/app?user=app&password=${g.s(ALNUM, 20)}\n`,
  },
  'sqlserver-connection-string-password': {
    text: (g) => `"Default": "Server=sql.internal;Database=app;User Id=app;Password=${g.s(ALNUM, 20)};"\n`,
  },
  'http-basic-auth-url': {
    text: (g) => `pip install --index-url https://deploy:${g.s(ALNUM, 20)}@pypi.internal.corp/simple pkg\n`,
  },
  'npmrc-auth-token': {
    path: 'home/node/.npmrc',
    text: (g) => `//npm.internal.corp/:_authToken=${g.s(B64URL, 40)}\n`,
  },
  'npmrc-auth': {
    path: 'root/.npmrc',
    text: (g) => `_auth=${b64(`ci:${g.s(ALNUM, 20)}`)}\nalways-auth=true\n`,
  },
  'npmrc-password': {
    path: 'root/.npmrc',
    text: (g) => `//npm.internal.corp/:username=ci\n//npm.internal.corp/:_password=${b64(g.s(ALNUM, 20))}\n`,
  },
  'yarnrc-auth-token': { path: 'app/.yarnrc.yml', text: (g) => `npmAuthToken: "${g.s(B64URL, 40)}"\n` },
  'pypirc-password': {
    path: 'root/.pypirc',
    text: (g) =>
      `[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.internal.corp/\nusername = ci\npassword = ${g.s(ALNUM, 20)}\n`,
  },
  'docker-config-auth': {
    path: 'root/.docker/config.json',
    text: (g) =>
      `{\n  "auths": {\n    "registry.internal.corp": {\n      "auth": "${b64(`ci:${g.s(ALNUM, 20)}`)}"\n    }\n  }\n}\n`,
  },
  'docker-config-identity-token': {
    path: 'root/.docker/config.json',
    text: (g) =>
      `{\n  "auths": {\n    "registry.internal.corp": {\n      "identitytoken": "${g.s(B64URL, 80)}"\n    }\n  }\n}\n`,
  },
  'git-credentials': {
    path: 'root/.git-credentials',
    text: (g) => `https://ci-bot:${g.s(ALNUM, 20)}@git.internal.corp\n`,
  },
  'netrc-password': {
    path: 'root/.netrc',
    text: (g) => `machine api.internal.corp\n  login ci\n  password ${g.s(ALNUM, 20)}\n`,
  },
  'pgpass-password': {
    path: 'root/.pgpass',
    text: (g) => `db.internal.corp:5432:app:app:${g.s(ALNUM, 20)}\n`,
  },
  'mysql-option-file-password': {
    path: 'etc/mysql/debian.cnf',
    text: (g) =>
      `[client]\nhost     = localhost\nuser     = debian-sys-maint\npassword = ${g.s(ALNUM, 16)}\n`,
  },
  'htpasswd-hash': {
    path: 'etc/nginx/.htpasswd',
    text: (g) => `admin:$apr1$${g.s(`${ALNUM}./`, 8)}$${g.s(`${ALNUM}./`, 22)}\n`,
  },
  'wp-config-db-password': {
    path: 'var/www/html/wp-config.php',
    text: (g) => `<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_PASSWORD', '${g.s(ALNUM, 20)}' );\n`,
  },
  'wp-config-auth-salts': {
    path: 'var/www/html/wp-config.php',
    text: (g) => `<?php\ndefine('AUTH_KEY',         '${g.s(`${ALNUM}!@#%^&*()`, 64)}');\n`,
  },
  'spring-datasource-password': {
    path: 'app/config/application.properties',
    text: (g) =>
      `spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=${g.s(ALNUM, 20)}\n`,
  },
  'java-properties-password': {
    path: 'opt/app/conf/service.properties',
    text: (g) => `service.endpoint=https://svc.internal\nservice.secret=${g.s(ALNUM, 20)}\n`,
  },
  'maven-settings-password': {
    path: 'root/.m2/settings.xml',
    text: (g) =>
      `<settings><servers><server><id>internal</id><username>ci</username><password>${g.s(ALNUM, 20)}</password></server></servers></settings>\n`,
  },
  's3cfg-secret-key': {
    path: 'root/.s3cfg',
    text: (g) => `[default]\naccess_key = ${g.s(UPPER_ALNUM, 20)}\nsecret_key = ${g.s(B64, 40)}\n`,
  },
  'rails-master-key': { path: 'app/config/master.key', text: (g) => `${g.s(HEX, 32)}\n` },
  'laravel-app-key': {
    path: 'var/www/.env.production',
    text: (g) => `APP_NAME=shop\nAPP_KEY=base64:${g.s(B64, 43)}=\n`,
  },
  'django-secret-key': {
    path: 'app/settings.py',
    text: (g) => `SECRET_KEY = '${g.s(`${ALNUM}!@#%^&*(-_=+)`, 50)}'\n`,
  },
  'curl-basic-auth': {
    path: 'app/deploy.sh',
    text: (g) => `curl -sf -u deploy:${g.s(ALNUM, 20)} https://artifacts.internal/upload\n`,
  },
  'cli-password-argument': {
    path: 'app/backup.sh',
    text: (g) => `mysqldump -h db -u backup -p${g.s(ALNUM, 16)} shop > /backup/shop.sql\n`,
  },
  'env-secret-assignment': {
    path: 'app/.env',
    text: (g) => `APP_ENV=production\nDB_PASSWORD=${g.s(ALNUM, 16)}\n`,
  },
  'generic-secret-assignment': {
    path: 'app/settings.py',
    // API keys carry digits; a letters-only value reads as an identifier and is allowed.
    text: (g) => `client = Client(api_key="${g.s(ALNUM, 30)}${g.s(DIGITS, 2)}")\n`,
  },
};

export interface NegativeCase {
  why: string;
  path?: string;
  text: string;
}

/** Documented examples, placeholders and look-alikes no rule may report. */
export const NEGATIVES: NegativeCase[] = [
  {
    why: "AWS's documented example key pair",
    path: 'root/.aws/credentials',
    text: '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  },
  { why: 'GitHub token placeholder', text: 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n' },
  { why: 'GitHub token of the wrong length', text: 'GITHUB_TOKEN=ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3f\n' },
  { why: "Stripe's documented test key", text: 'stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"\n' },
  { why: 'placeholder URL credentials', text: 'DATABASE_URL=postgres://user:password@localhost:5432/app\n' },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder, on purpose
  { why: 'templated URL credentials', text: 'DATABASE_URL=postgres://${DB_USER}:${DB_PASS}@db:5432/app\n' },
  { why: 'masked URL password', text: 'redis://:********@cache:6379\n' },
  { why: 'elided key block', text: '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n' },
  {
    why: 'a public key is not a secret',
    text: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n',
  },
  {
    why: 'a password read from the environment',
    path: 'app/db.py',
    text: 'password = os.environ["DB_PASSWORD"]\n',
  },
  {
    why: 'a templated secret',
    path: 'deploy/values.yaml',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder, on purpose
    text: 'token: "{{ .Values.apiToken }}"\napi_key = "${API_KEY}"\n',
  },
  {
    why: 'a placeholder password',
    path: 'app/settings.py',
    text: 'PASSWORD = "changeme"\npassword = "<your password>"\n',
  },
  {
    why: "jwt.io's documented example token",
    text: 'token = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n',
  },
  {
    why: 'secret files referenced by path',
    path: 'app/.env',
    text: 'DB_PASSWORD_FILE=/run/secrets/db_password\nAPI_TOKEN_PATH=/var/run/token\nSECRET_KEY_BASE=\n',
  },
  {
    why: "Azurite's published development storage key",
    text: 'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n',
  },
  {
    why: 'digests and identifiers look random but are not secrets',
    path: 'app/lock.json',
    text: '"integrity": "sha512-4Zsc6VpCOrkcFVx3A6dlYXm1Ke1TGFEmHqWuadnDaAcvvnhZ9fHdELAgS8ClCHmN2CPxPwj6uxfXvFKq9RMa8w==",\n"resolved": "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",\n"id": "0b2f6c9e-3a1d-4d7e-9a55-7f3a8a1c9e42"\n',
  },
  {
    why: 'Maven-encrypted password',
    path: 'root/.m2/settings.xml',
    text: '<password>{COQLCE6DU6GtcS5P=}</password>\n',
  },
  {
    why: 'placeholder WordPress salts',
    path: 'var/www/html/wp-config.php',
    text: "define( 'AUTH_KEY', 'put your unique phrase here' );\n",
  },
  {
    why: 'interactive mysql password prompt',
    path: 'app/backup.sh',
    text: 'mysqldump -h db -u backup -p shop > /backup/shop.sql\n',
  },
];
