import { CeranaError } from '../../../common/errors.js';
import { isLoopbackHost } from '../../reference.js';
import { type Challenge, parseChallenges } from './challenge.js';
import type { RegistryCredentials } from './credentials.js';
import { discard, readBody, send } from './http.js';

/** How the client reaches the network; shared by registry and token requests. */
export interface Transport {
  insecure: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Tokens live as long as the server says, minus a margin for clock skew and slow requests. */
const TOKEN_MARGIN_MS = 10_000;
/** Distribution's documented default when a token response carries no expires_in. */
const DEFAULT_TOKEN_SECONDS = 60;
const MAX_TOKEN_RESPONSE = 1024 * 1024;

interface CachedToken {
  token: string;
  expiresAt: number;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * Answers a registry's `WWW-Authenticate` challenges: Basic with the known credentials, or the
 * Bearer token flow (token endpoint with Basic credentials, an OAuth2 refresh token, or anonymously).
 * Tokens are cached per scope; after the first challenge, requests carry authorization up front.
 */
export class Authenticator {
  private readonly tokens = new Map<string, CachedToken>();
  private scheme: 'basic' | 'bearer' | undefined;
  private credentialsPromise: Promise<RegistryCredentials | undefined> | undefined;
  /** True once credentials were sent: a later 401 means they were refused. */
  private credentialsUsed = false;

  constructor(
    private readonly registry: string,
    private readonly transport: Transport,
    private readonly loadCredentials: () => Promise<RegistryCredentials | undefined>,
  ) {}

  private credentials(): Promise<RegistryCredentials | undefined> {
    this.credentialsPromise ??= this.loadCredentials();
    return this.credentialsPromise;
  }

  /** The Authorization header to send before any challenge, when an earlier one told us how. */
  async authorizationFor(scope: string): Promise<string | undefined> {
    if (this.scheme === 'basic') return this.basicAuthorization();
    if (this.scheme === 'bearer') {
      const cached = this.tokens.get(scope);
      if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    }
    return undefined;
  }

  /** Answers a 401: returns the Authorization header to retry the request with. */
  async respond(wwwAuthenticate: string | undefined, scope: string): Promise<string> {
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      this.scheme = 'bearer';
      const token = await this.fetchToken(bearer, scope);
      return `Bearer ${token}`;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.scheme = 'basic';
      return this.basicAuthorization();
    }
    throw new CeranaError('AUTH', `${this.registry} asks for an unsupported authentication scheme`, {
      hint: `WWW-Authenticate: ${(wwwAuthenticate ?? 'missing').slice(0, 100)}`,
    });
  }

  /** The error for a request still refused after answering the challenge. */
  refused(status: number, what: string): CeranaError {
    if (status === 403) {
      return new CeranaError('AUTH', `access to ${what} on ${this.registry} is denied`, {
        hint: 'the account lacks pull permission for this repository',
      });
    }
    if (this.credentialsUsed) {
      return new CeranaError('AUTH', `authentication to ${this.registry} failed for ${what}`, {
        hint: `check --username/--password or run docker login ${this.registry}`,
      });
    }
    return new CeranaError('AUTH', `${this.registry} requires authentication for ${what}`, {
      hint: `run docker login ${this.registry} or pass --username/--password`,
    });
  }

  private async basicAuthorization(): Promise<string> {
    const credentials = await this.credentials();
    if (credentials?.kind !== 'basic') {
      throw new CeranaError('AUTH', `${this.registry} requires a username and password`, {
        hint: `run docker login ${this.registry} or pass --username/--password`,
      });
    }
    this.credentialsUsed = true;
    return basicHeader(credentials.username, credentials.password);
  }

  private realmUrl(challenge: Challenge): URL {
    const realm = challenge.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new CeranaError('AUTH', `${this.registry} sent a bearer challenge without a valid realm`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new CeranaError('AUTH', `token realm ${url.protocol} of ${this.registry} is not HTTP(S)`);
    }
    // Credentials must not cross the network in clear text unless the user allowed it.
    if (url.protocol === 'http:' && !this.transport.insecure && !isLoopbackHost(url.host)) {
      throw new CeranaError('AUTH', `token service ${url.origin} uses plain HTTP`, {
        hint: 'use --insecure only if you trust the network',
      });
    }
    return url;
  }

  private async fetchToken(challenge: Challenge, requestedScope: string): Promise<string> {
    const url = this.realmUrl(challenge);
    const scope = challenge.params.scope ?? requestedScope;
    const service = challenge.params.service;
    const credentials = await this.credentials();
    if (credentials) this.credentialsUsed = true;
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: string | undefined;
    if (credentials?.kind === 'identity-token') {
      // OAuth2 refresh-token grant, as `docker login` with an identity token expects.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.token });
      form.set('client_id', 'cerana');
      if (service) form.set('service', service);
      form.set('scope', scope);
      body = form.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else {
      if (service) url.searchParams.set('service', service);
      for (const part of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', part);
      if (credentials) headers.Authorization = basicHeader(credentials.username, credentials.password);
    }
    const response = await send({
      method: body === undefined ? 'GET' : 'POST',
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      insecureTls: this.transport.insecure || isLoopbackHost(url.host),
      timeoutMs: this.transport.timeoutMs,
      ...(this.transport.signal ? { signal: this.transport.signal } : {}),
    });
    if (response.status === 401 || response.status === 403) {
      discard(response.body);
      throw this.refused(401, scope);
    }
    if (response.status !== 200) {
      discard(response.body);
      throw new CeranaError('NETWORK', `token service ${url.origin} answered HTTP ${response.status}`);
    }
    const text = await readBody(response.body, MAX_TOKEN_RESPONSE, 'token response');
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(text.toString()) as Record<string, unknown>;
    } catch {
      throw new CeranaError('AUTH', `token service ${url.origin} returned malformed JSON`);
    }
    const token =
      typeof answer.token === 'string' && answer.token
        ? answer.token
        : typeof answer.access_token === 'string'
          ? answer.access_token
          : '';
    if (!token) throw new CeranaError('AUTH', `token service ${url.origin} returned no token`);
    const seconds =
      typeof answer.expires_in === 'number' && answer.expires_in > 0
        ? answer.expires_in
        : DEFAULT_TOKEN_SECONDS;
    const entry = { token, expiresAt: Date.now() + seconds * 1000 - TOKEN_MARGIN_MS };
    this.tokens.set(requestedScope, entry);
    if (scope !== requestedScope) this.tokens.set(scope, entry);
    return token;
  }
}
