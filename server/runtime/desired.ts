import "server-only";
// Desired state, read from the database: per app, the current release's image and
// process types crossed with the formation.
import crypto from "node:crypto";
import { decryptJson } from "@/server/crypto";
import { db } from "@/server/db";
import type { DynoSpec } from "@/server/runtime/driver";
import type { RuntimeOptions } from "@/server/runtime/reconciler";
import { DEFAULT_DYNO_SIZE, dynoSize, type DynoSize } from "@/server/runtime/sizes";

export type DesiredDyno = {
  name: string; // web.1
  type: string;
  index: number;
  size: DynoSize;
  command: string;
  spec: string;
};

export type DesiredApp = {
  appId: string;
  appName: string;
  release: { id: string; version: number; image: string; config: Record<string, string> } | null;
  dynos: DesiredDyno[];
  /**
   * The app's standby pool (runtime/standby-pool.ts): `count` booted web dynos of the current
   * release held ready as the next names the formation would take (web.Q+1 … web.Q+count),
   * so a promoted one's labels and $DYNO are already right. Null when the app has none.
   */
  standby: { count: number; dynos: DesiredDyno[] } | null;
};

export function specHash(parts: { releaseId: string; image: string; command: string; size: string }): string {
  return crypto.createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

/** The newest succeeded release that has an image: what dynos should run. */
export async function runnableRelease(appId: string) {
  return db.release.findFirst({
    where: { appId, status: "succeeded", imageTag: { not: null } },
    orderBy: { version: "desc" },
    select: { id: true, version: true, imageTag: true, processTypes: true, configEnc: true },
  });
}

/** One release of an app as dynos run it (image and decrypted config), whatever its status. */
export async function loadRelease(appId: string, releaseId: string): Promise<DesiredApp["release"]> {
  const r = await db.release.findFirst({ where: { id: releaseId, appId }, select: { id: true, version: true, imageTag: true, configEnc: true } });
  if (!r?.imageTag) return null;
  return { id: r.id, version: r.version, image: r.imageTag, config: decryptJson(r.configEnc) };
}

export async function loadDesiredApp(appId: string): Promise<DesiredApp | null> {
  const app = await db.app.findUnique({ where: { id: appId }, select: { id: true, name: true, formation: true, standbyDynos: true } });
  if (!app) return null;
  const release = await runnableRelease(appId);
  if (!release?.imageTag) return { appId, appName: app.name, release: null, dynos: [], standby: null };
  const processTypes = (release.processTypes ?? {}) as Record<string, string>;
  const dynos: DesiredDyno[] = [];
  for (const f of app.formation) {
    const command = f.command ?? processTypes[f.type];
    if (!command || f.quantity <= 0) continue;
    const size = dynoSize(f.size) ?? dynoSize(DEFAULT_DYNO_SIZE)!;
    const spec = specHash({ releaseId: release.id, image: release.imageTag, command, size: size.name });
    for (let i = 1; i <= f.quantity; i++) dynos.push({ name: `${f.type}.${i}`, type: f.type, index: i, size, command, spec });
  }
  return {
    appId,
    appName: app.name,
    release: { id: release.id, version: release.version, image: release.imageTag, config: decryptJson(release.configEnc) },
    dynos,
    standby: standbyDynos(app.standbyDynos, app.formation, processTypes, release),
  };
}

function standbyDynos(
  count: number,
  formation: { type: string; quantity: number; size: string; command: string | null }[],
  processTypes: Record<string, string>,
  release: { id: string; imageTag: string | null },
): DesiredApp["standby"] {
  const web = formation.find((f) => f.type === "web");
  const command = web ? (web.command ?? processTypes.web) : undefined;
  if (count <= 0 || !web || !command || !release.imageTag) return null;
  const size = dynoSize(web.size) ?? dynoSize(DEFAULT_DYNO_SIZE)!;
  const spec = specHash({ releaseId: release.id, image: release.imageTag, command, size: size.name });
  const from = Math.max(0, web.quantity) + 1;
  const dynos = Array.from({ length: count }, (_, i) => ({ name: `web.${from + i}`, type: "web", index: from + i, size, command, spec }));
  return { count, dynos };
}

/**
 * Per app with a formation: what loadDesiredApp's answer depends on (formation, pool size,
 * name, the runnable release's version: releases are never edited, a new one is appended),
 * as one string. Two queries for every app at once, no decryption and no runtime call: the
 * reconciler compares these every few seconds while Engine events drive the rest, and
 * passes over only the apps whose string changed (a config var set, a formation written
 * by a path that did not poke it).
 */
export async function desiredFingerprints(): Promise<Map<string, string>> {
  const [apps, releases] = await Promise.all([
    db.app.findMany({
      where: { formation: { some: {} } },
      select: { id: true, name: true, standbyDynos: true, formation: { select: { type: true, quantity: true, size: true, command: true }, orderBy: { type: "asc" } } },
    }),
    db.release.groupBy({ by: ["appId"], where: { status: "succeeded", imageTag: { not: null } }, _max: { version: true } }),
  ]);
  const versions = new Map(releases.map((r) => [r.appId, r._max.version]));
  const out = new Map<string, string>();
  for (const a of apps) {
    const formation = a.formation.map((f) => `${f.type}=${f.quantity}:${f.size}:${f.command ?? ""}`).join(",");
    out.set(a.id, `${a.name} v${versions.get(a.id) ?? "-"} s${a.standbyDynos} ${formation}`);
  }
  return out;
}

/** What the driver creates for desired dyno `d` of the app's current release (a formation dyno or a standby). */
export function dynoSpecOf(opts: Pick<RuntimeOptions, "installation" | "port" | "stopTimeoutSeconds">, app: DesiredApp, d: DesiredDyno): DynoSpec {
  const release = app.release!;
  return {
    installation: opts.installation,
    spec: d.spec,
    appId: app.appId,
    appName: app.appName,
    dyno: d.name,
    type: d.type,
    releaseId: release.id,
    release: release.version,
    image: release.image,
    command: d.command,
    env: { ...release.config, PORT: String(opts.port), DYNO: d.name },
    size: d.size,
    port: opts.port,
    stopTimeoutSeconds: opts.stopTimeoutSeconds,
  };
}
