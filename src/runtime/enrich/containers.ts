import { readFileSync } from 'node:fs';
import { isCeranaError } from '../../common/errors.js';
import { containerFromCgroup } from './cgroup.js';
import { type ContainerRecord, containerRecord, imageRepoDigest } from './docker-info.js';
import { mountNamespaceOf } from './proc-scan.js';

/** The Docker Engine API calls the directory makes (`DockerEngine` from the image sources). */
export interface DockerApi {
  json(path: string, subject: string): Promise<unknown>;
}

export interface ContainerDirectoryOptions {
  readonly procRoot?: string;
  readonly now?: () => number;
  /** Called when Docker cannot be asked (once per distinct message). */
  readonly onWarning?: (message: string) => void;
}

/** How long the list of running containers is reused. */
const LIST_TTL_MS = 1000;
/** A namespace no container owns is asked about again after this, doubling up to the max. */
const NEGATIVE_TTL_MS = 1000;
const NEGATIVE_TTL_MAX_MS = 60_000;
/** Lookups that could not decide (the process asked about was gone) before a namespace counts as none. */
const UNDECIDED_MAX = 32;
/** A container seen before it started is inspected again after this. */
const NOT_RUNNING_RECHECK_MS = 500;

interface Negative {
  readonly until: number;
  readonly ttl: number;
}

/**
 * Which container a mount namespace belongs to. Every process of a container shares its mount
 * namespace (also those entered with `docker exec`), so one lookup per namespace attributes
 * all of them, on cgroup v1, v2 and hybrids alike. A namespace is resolved by the cgroup of a
 * process in it (`/proc/<pid>/cgroup` → container id), else by comparing it with the
 * namespace of every running container's init process (Docker's `State.Pid`).
 */
export class ContainerDirectory {
  private readonly byNs = new Map<number, ContainerRecord>();
  private readonly negative = new Map<number, Negative>();
  private readonly byId = new Map<string, { record: ContainerRecord; at: number }>();
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly undecided = new Map<number, number>();
  private readonly imageDigests = new Map<string, string | undefined>();
  private list: { ids: string[]; at: number } | undefined;
  private readonly procRoot: string;
  private readonly now: () => number;
  private readonly warned = new Set<string>();

  constructor(
    private readonly docker: DockerApi | undefined,
    /** The host's mount namespace: never a container. */
    private readonly hostMntns: number,
    private readonly options: ContainerDirectoryOptions = {},
  ) {
    this.procRoot = options.procRoot ?? '/proc';
    this.now = options.now ?? Date.now;
  }

  /** The container of a namespace; `undefined` for none; `'unknown'` when it must be resolved first. */
  lookup(mntns: number): ContainerRecord | undefined | 'unknown' {
    const record = this.byNs.get(mntns);
    if (record !== undefined) {
      if (!record.running) this.recheck(mntns, record);
      return record;
    }
    if (mntns === this.hostMntns || mntns === 0) return undefined;
    const neg = this.negative.get(mntns);
    if (neg !== undefined && neg.until > this.now()) return undefined;
    return 'unknown';
  }

  isHost(mntns: number): boolean {
    return mntns === this.hostMntns || mntns === 0;
  }

  /**
   * Forgets what is known about a namespace. Namespace inodes are reused as soon as the last
   * process leaves one, so a process creating or entering one (unshare, setns, clone with
   * CLONE_NEWNS: how runtimes make containers) is a reason to look again.
   */
  invalidate(mntns: number): void {
    if (this.inflight.has(mntns)) return;
    this.byNs.delete(mntns);
    this.negative.delete(mntns);
    this.undecided.delete(mntns);
  }

  /** Attributes a namespace to a container directly (a container process that made a new one). */
  adopt(mntns: number, record: ContainerRecord): void {
    this.byNs.set(mntns, record);
    this.negative.delete(mntns);
  }

  /**
   * Resolves a namespace using `pid`, a process inside it. When that process is already gone
   * and nothing else tells, the namespace stays unknown so that the next process seen in it
   * is asked about (runtimes' setup processes live for milliseconds).
   */
  resolve(mntns: number, pid: number): Promise<void> {
    const running = this.inflight.get(mntns);
    if (running !== undefined) return running;
    const job = this.find(mntns, pid)
      .catch((): 'undecided' => 'undecided')
      .then((answer) => {
        if (answer !== 'none' && answer !== 'undecided') {
          this.byNs.set(mntns, answer);
          this.negative.delete(mntns);
          this.undecided.delete(mntns);
          return;
        }
        if (answer === 'undecided') {
          const tries = (this.undecided.get(mntns) ?? 0) + 1;
          if (this.undecided.size > 65_536) this.undecided.clear();
          this.undecided.set(mntns, tries);
          if (tries < UNDECIDED_MAX) return;
        }
        this.undecided.delete(mntns);
        const prev = this.negative.get(mntns);
        const ttl = prev === undefined ? NEGATIVE_TTL_MS : Math.min(prev.ttl * 2, NEGATIVE_TTL_MAX_MS);
        this.negative.set(mntns, { until: this.now() + ttl, ttl });
      })
      .finally(() => this.inflight.delete(mntns));
    this.inflight.set(mntns, job);
    return job;
  }

  /** Forgets namespaces whose container's init process no longer lives in them (inodes get reused). */
  sweep(): string[] {
    const gone: string[] = [];
    for (const [ns, record] of this.byNs) {
      if (record.initPid === 0) continue;
      if (mountNamespaceOf(record.initPid, this.procRoot) !== ns) {
        this.byNs.delete(ns);
        this.byId.delete(record.info.fullId);
        if (record.rootDir !== undefined) gone.push(record.rootDir);
      }
    }
    return gone;
  }

  private recheck(mntns: number, record: ContainerRecord): void {
    const cached = this.byId.get(record.info.fullId);
    if (cached === undefined || this.now() - cached.at < NOT_RUNNING_RECHECK_MS || this.inflight.has(mntns)) {
      return;
    }
    cached.at = this.now();
    const job = this.inspect(record.info.fullId, true)
      .then((fresh) => {
        if (fresh !== undefined) this.byNs.set(mntns, fresh);
      })
      .finally(() => this.inflight.delete(mntns));
    this.inflight.set(mntns, job);
  }

  private async find(mntns: number, pid: number): Promise<ContainerRecord | 'none' | 'undecided'> {
    if (this.docker === undefined) return 'none';
    let cgroup: string | undefined;
    try {
      cgroup = readFileSync(`${this.procRoot}/${pid}/cgroup`, 'utf8');
    } catch {
      cgroup = undefined;
    }
    const fromCgroup = cgroup === undefined ? undefined : containerFromCgroup(cgroup);
    if (fromCgroup !== undefined) {
      const record = await this.inspect(fromCgroup.id, false);
      if (record !== undefined) return record;
    }
    for (const id of await this.running()) {
      const record = await this.inspect(id, false);
      if (
        record !== undefined &&
        record.initPid > 0 &&
        mountNamespaceOf(record.initPid, this.procRoot) === mntns
      ) {
        return record;
      }
    }
    // Without the process's cgroup (it exited) there is no telling yet.
    return cgroup === undefined || fromCgroup !== undefined ? 'undecided' : 'none';
  }

  private async running(): Promise<string[]> {
    if (this.list !== undefined && this.now() - this.list.at < LIST_TTL_MS) return this.list.ids;
    const body = await this.ask('/containers/json', 'the list of running containers');
    const ids = Array.isArray(body)
      ? body.flatMap((c) => {
          const id = (c as { Id?: unknown } | null)?.Id;
          return typeof id === 'string' ? [id] : [];
        })
      : [];
    this.list = { ids, at: this.now() };
    return ids;
  }

  private async inspect(id: string, fresh: boolean): Promise<ContainerRecord | undefined> {
    const cached = this.byId.get(id);
    if (cached !== undefined && !fresh) return cached.record;
    const body = await this.ask(`/containers/${encodeURIComponent(id)}/json`, `container ${id.slice(0, 12)}`);
    if (body === undefined) return undefined;
    const imageId = (body as { Image?: unknown }).Image;
    const digest = typeof imageId === 'string' ? await this.imageDigest(imageId) : undefined;
    const record = containerRecord(body, digest);
    if (record !== undefined) this.byId.set(id, { record, at: this.now() });
    return record;
  }

  private async imageDigest(imageId: string): Promise<string | undefined> {
    if (this.imageDigests.has(imageId)) return this.imageDigests.get(imageId);
    const body = await this.ask(`/images/${encodeURIComponent(imageId)}/json`, `image ${imageId}`);
    const digest = body === undefined ? undefined : imageRepoDigest(body);
    this.imageDigests.set(imageId, digest);
    return digest;
  }

  /** One API call; failures become undefined (a container that vanished, a daemon that went away). */
  private async ask(path: string, subject: string): Promise<unknown> {
    try {
      return await (this.docker as DockerApi).json(path, subject);
    } catch (err) {
      if (!(isCeranaError(err) && err.code === 'NOT_FOUND')) {
        const message = err instanceof Error ? err.message : String(err);
        if (!this.warned.has(message)) {
          this.warned.add(message);
          this.options.onWarning?.(`container lookup failed: ${message}`);
        }
      }
      return undefined;
    }
  }
}
