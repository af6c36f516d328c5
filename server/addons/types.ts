// The add-on provider interface: a service (PostgreSQL, Redis) is one module implementing
// it. Providers know containers and credentials; the database, releases and attachments
// belong to server/services/addons*, which call providers with plain data.
import type { Readable, Writable } from "node:stream";

/** A plan: real limits applied to the add-on's container and server. */
export type AddonPlan = {
  name: string;
  /** Container memory limit. */
  memoryMb: number;
  /** Most client connections the app role may open. */
  connections: number;
  /** PostgreSQL: database size past which the app role turns read-only. Redis: none (memory is the limit). */
  storageMb: number | null;
  /** Redis: maxmemory (the data set's limit, below the container's). */
  dataMemoryMb?: number;
};

export type AddonServiceInfo = {
  /** Our service name, e.g. slipway-postgresql. */
  name: string;
  /** Names accepted for it in `addons:create` (heroku-postgresql keeps scripts working). */
  aliases: string[];
  /** Shown to people: "PostgreSQL". */
  label: string;
  /** Prefix of generated add-on names: postgresql-swift-1234. */
  namePrefix: string;
  /** The first attachment of this service to an app is named this (DATABASE → DATABASE_URL). */
  defaultAttachment: string;
  plans: AddonPlan[];
  defaultPlan: string;
  supportsBackups: boolean;
};

/** Which add-on a call is about; every container-side name is derived from these. */
export type AddonTarget = {
  installation: string;
  id: string;
  name: string;
  plan: AddonPlan;
  /** The swarm node (hostname) whose Engine runs it; null or absent = the platform's own Engine. */
  node?: string | null;
};

/** Provider-specific secrets (user, password, database name…), stored encrypted as JSON. */
export type Credentials = Record<string, string>;

export type Progress = (step: string) => void | Promise<void>;

export type AddonStatus = {
  /** created | running | restarting | exited | … as the Engine says; "missing" when there is no container. */
  container: string;
  /** The Engine's health check: starting | healthy | unhealthy | none. */
  health: string;
};

/** What the add-on page shows live. Fields a service has no notion of are absent. */
export type AddonStats = {
  connections: number;
  connectionLimit: number;
  storageBytes?: number;
  storageLimitBytes?: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
  keys?: number;
  version?: string;
  /** The storage limit's guard is on: new sessions cannot write. */
  readOnly?: boolean;
};

export interface AddonProvider {
  info: AddonServiceInfo;
  /** Fresh random credentials for a new add-on. */
  newCredentials(): Credentials;
  /** The same identity with a new secret (user and database names stay). */
  rotatedCredentials(current: Credentials): Credentials;
  /**
   * Creates (or finds) the volume, network and container, starts it, sets the credentials
   * and returns once a client with them is answered. Idempotent: after a crash half-way
   * it is simply run again.
   */
  provision(target: AddonTarget, credentials: Credentials, progress: Progress): Promise<void>;
  /** Removes container, volume and network; nothing left behind. Idempotent. */
  deprovision(target: AddonTarget): Promise<void>;
  /** Makes the add-on reachable, as `host` of its URL, from an app network. Idempotent. */
  attach(target: AddonTarget, network: string): Promise<void>;
  /** Makes it unreachable from that network again. Idempotent. */
  detach(target: AddonTarget, network: string): Promise<void>;
  /** Sets `next` on the running server; `previous` is what it has now (a redo may find either). */
  rotateCredentials(target: AddonTarget, next: Credentials, previous: Credentials): Promise<void>;
  status(target: AddonTarget): Promise<AddonStatus>;
  /** The config var value attached apps get. */
  url(target: AddonTarget, credentials: Credentials): string;
  stats(target: AddonTarget, credentials: Credentials): Promise<AddonStats>;
  /** The storage limit's guard (PostgreSQL): on = new sessions of the app role are read-only. */
  setReadOnly?(target: AddonTarget, credentials: Credentials, on: boolean): Promise<void>;
  backup?(target: AddonTarget, credentials: Credentials, out: Writable): Promise<void>;
  restore?(target: AddonTarget, credentials: Credentials, input: Readable): Promise<void>;
}
