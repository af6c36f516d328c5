// bench/dashboard — the dashboard's reads at 1,000 apps: seeds 1,000 apps (700 of one user's:
// 600 owned, 100 as a collaborator; 300 in 50 teams, 251 of them in one big team), 50 teams of
// 20 members, 20,000 releases (2,000 on one app) and 20,000 activity events, then calls every
// tRPC read the dashboard pages make, as that user, ROUNDS times each, and prints p50/p95.
// Then first-load JavaScript (gzip) per dashboard page from the last `next build` in .next/.
//
//   npm run bench:dashboard        (no Docker needed; ROUNDS=60 by default)
//
// The database is the test one (in-process PGlite, or SLIPWAY_TEST_DATABASE_URL's server).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { firstLoadJs } from "@/bench/first-load-js";
import { reportBench } from "@/bench/report";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const ROUNDS = Number(process.env.ROUNDS ?? 60);
const APPS = 1_000;
const TEAMS = 50;
const RELEASES = 20_000;
const EVENTS = 20_000;

const { createTestDb } = await import("@/server/testing/test-db");
const testDb = await createTestDb();
// Counts the Prisma operations each read makes: a count that grows with the rows shown is an N+1.
let operations = 0;
const counted = testDb.db.$extends({ query: { $allOperations: ({ args, query }) => (operations++, query(args)) } });
(globalThis as unknown as { slipwayDb: unknown }).slipwayDb = counted;
const { db } = await import("@/server/db");
const { createCaller } = await import("@/server/trpc/root");
const { encryptJson } = await import("@/server/crypto");

const id = () => crypto.randomUUID();
const tag = crypto.randomBytes(3).toString("hex");
const chunked = async <T>(rows: T[], insert: (rows: T[]) => Promise<unknown>) => {
  for (let i = 0; i < rows.length; i += 2_000) await insert(rows.slice(i, i + 2_000));
};

// ---- seed -------------------------------------------------------------------------------
const seedStart = performance.now();
const me = { id: id(), email: `bench-${tag}@example.com`, passwordHash: "x" };
const others = Array.from({ length: 200 }, (_, i) => ({ id: id(), email: `other-${i}-${tag}@example.com`, passwordHash: "x" }));
await db.user.createMany({ data: [me, ...others] });

const teams = Array.from({ length: TEAMS }, (_, i) => ({ id: id(), name: `team-${String(i).padStart(2, "0")}-${tag}` }));
await db.team.createMany({ data: teams });
await db.teamMember.createMany({
  data: teams.flatMap((t, i) => [
    { teamId: t.id, userId: me.id, role: i % 3 === 0 ? "viewer" : i % 3 === 1 ? "member" : "admin" },
    ...others.slice((i * 19) % 180, ((i * 19) % 180) + 19).map((u) => ({ teamId: t.id, userId: u.id, role: "member" })),
  ]),
});

const start = Date.now() - 30 * 86_400_000;
type AppRow = { id: string; name: string; ownerId: string | null; teamId: string | null; locked: boolean; releasedAt: Date };
const apps: AppRow[] = Array.from({ length: APPS }, (_, i) => {
  const name = `app-${String(i).padStart(4, "0")}-${tag}`;
  const releasedAt = new Date(start + i * 1_000);
  if (i < 600) return { id: id(), name, ownerId: me.id, teamId: null, locked: false, releasedAt };
  if (i < 700) return { id: id(), name, ownerId: others[i % others.length]!.id, teamId: null, locked: false, releasedAt };
  const team = i < 951 ? teams[2]! : teams[(i - 951) % TEAMS]!;
  return { id: id(), name, ownerId: null, teamId: team.id, locked: i % 10 === 0, releasedAt };
});
await chunked(apps, (rows) => db.app.createMany({ data: rows }));
await db.collaborator.createMany({ data: apps.slice(600, 700).map((a) => ({ appId: a.id, userId: me.id, permissions: ["view", "deploy"] })) });

const bigApp = apps[0]!;
const configEnc = encryptJson({});
const releases = apps.flatMap((a, i) => {
  const n = a === bigApp ? 2_000 : Math.floor((RELEASES - 2_000) / (APPS - 1)) + (i <= (RELEASES - 2_000) % (APPS - 1) ? 1 : 0);
  return Array.from({ length: n }, (_, v) => ({ id: id(), appId: a.id, version: v + 1, description: `Deploy ${v + 1}`, configEnc, userId: me.id, createdAt: new Date(start + v * 60_000) }));
});
await chunked(releases, (rows) => db.release.createMany({ data: rows }));
await chunked(
  apps.map((a) => ({ appId: a.id, type: "web", quantity: 1, size: "basic" })),
  (rows) => db.formation.createMany({ data: rows }),
);

const kinds = ["release.created", "config.set", "formation.scaled", "domain.added", "collaborator.added"];
const events = Array.from({ length: EVENTS }, (_, i) => {
  const app = i < 3_000 ? bigApp : apps[i % APPS]!;
  return {
    id: id(),
    appId: app.id,
    appName: app.name,
    teamId: app.teamId,
    userId: me.id,
    actorEmail: me.email,
    via: i % 2 ? "cli" : "dashboard",
    kind: kinds[i % kinds.length]!,
    message: `Event ${i} on ${app.name}`,
    createdAt: new Date(start + i * 7_000),
  };
});
await chunked(events, (rows) => db.activityEvent.createMany({ data: rows }));
const seedMs = performance.now() - seedStart;

// ---- reads --------------------------------------------------------------------------------
const caller = createCaller({ identity: { userId: me.id, via: "session" } });
const bigTeam = teams[2]!.name; // me: admin
const teamApp = apps.find((a) => a.teamId === teams[2]!.id && !a.locked)!;
type Page = { apps?: unknown[]; nextCursor?: string | null } | unknown[];
const rowsOf = (r: unknown): number => {
  if (Array.isArray(r)) return r.length;
  if (r === null || typeof r !== "object") return 0;
  const list = (r as { apps?: unknown }).apps ?? (r as { events?: unknown }).events;
  return Array.isArray(list) ? list.length : 1;
};
// `apps.list` once took only { team }; newer inputs (q, cursor) are ignored by an older router.
const appsList = (input: Record<string, unknown>) => caller.apps.list(input as never) as Promise<Page>;
const nextOf = (r: Page) => (!Array.isArray(r) && typeof r.nextCursor === "string" ? r.nextCursor : null);
const firstPage = await appsList({ team: null });
const secondCursor = nextOf(firstPage);

const reads: [string, () => Promise<unknown>][] = [
  ["account.me", () => caller.account.me()],
  ["teams.list", () => caller.teams.list()],
  ["apps.list (personal, page 1)", () => appsList({ team: null })],
  ...(secondCursor ? [["apps.list (personal, page 2)", () => appsList({ team: null, cursor: secondCursor })] as [string, () => Promise<unknown>]] : []),
  ["apps.list (personal, q=\"app-05\")", () => appsList({ team: null, q: "APP-05" })],
  ["apps.list (team of 251 apps)", () => appsList({ team: bigTeam })],
  ["access.transfers", () => caller.access.transfers()],
  ["teams.get", () => caller.teams.get({ team: bigTeam })],
  ["teams.members.list", () => caller.teams.members.list({ team: bigTeam })],
  ["teams.invitations.list", () => caller.teams.invitations.list({ team: bigTeam })],
  ["activity.team", () => caller.activity.team({ team: bigTeam })],
  ["apps.get", () => caller.apps.get({ app: bigApp.name })],
  ["apps.get (team app)", () => caller.apps.get({ app: teamApp.name })],
  ["releases.list (2,000 releases)", () => caller.releases.list({ app: bigApp.name })],
  ["activity.app (3,000 events)", () => caller.activity.app({ app: bigApp.name })],
  ["activity.app (q=\"event 1\")", () => caller.activity.app({ app: bigApp.name, q: "event 1" })],
  ["formation.list", () => caller.formation.list({ app: bigApp.name })],
  ["builds.list", () => caller.builds.list({ app: bigApp.name })],
  ["domains.list", () => caller.domains.list({ app: bigApp.name })],
  ["access.list", () => caller.access.list({ app: bigApp.name })],
  ["config.keys", () => caller.config.keys({ app: bigApp.name })],
  ["addons.list", () => caller.addons.list({ app: bigApp.name })],
  ["pipelines.forApp", () => caller.pipelines.forApp({ app: bigApp.name })],
  ["pipelines.list", () => caller.pipelines.list()],
];

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
console.log(`seeded ${APPS} apps, ${TEAMS} teams, ${releases.length} releases, ${EVENTS} activity events in ${(seedMs / 1000).toFixed(1)} s (${testDb.kind})`);
// Wall time suffers when other processes share the cores; CPU time (PGlite runs in this
// process) is what the read costs, and what it would take on an idle core.
console.log(`${"read".padEnd(36)} ${"rows".padStart(5)} ${"queries".padStart(8)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"cpu p50".padStart(8)} ${"cpu p95".padStart(8)}`);
let worst = 0;
let worstCpu = 0;
try {
  for (const [name, read] of reads) {
    let rows = 0;
    for (let i = 0; i < 3; i++) rows = rowsOf(await read()); // warm-up
    operations = 0;
    await read();
    const queries = operations;
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await read();
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    worst = Math.max(worst, pct(times, 95));
    worstCpu = Math.max(worstCpu, pct(cpu, 95));
    console.log(`${name.padEnd(36)} ${String(rows).padStart(5)} ${String(queries).padStart(8)} ${pct(times, 50).toFixed(1).padStart(8)} ${pct(times, 95).toFixed(1).padStart(8)} ${pct(cpu, 50).toFixed(1).padStart(8)} ${pct(cpu, 95).toFixed(1).padStart(8)}`);
  }
  console.log(`worst p95: ${worst.toFixed(1)} ms wall, ${worstCpu.toFixed(1)} ms CPU (goal ≤ 50 ms; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`);

  const js = firstLoadJs(path.join(process.cwd(), ".next"));
  if (!js) console.log("first-load JS: no .next build found (run `npx next build` first)");
  else {
    console.log(`first-load JS (gzip) per dashboard page, from .next (built ${js.builtAt}):`);
    for (const p of js.pages) console.log(`  ${p.route.padEnd(40)} ${(p.gzip / 1024).toFixed(0).padStart(5)} KB${p.gzip > 250 * 1024 ? "  > 250 KB" : ""}`);
  }
  const heaviest = js?.pages.reduce((max, p) => Math.max(max, p.gzip), 0) ?? null;
  reportBench({
    bench: "dashboard",
    figures: {
      "worst read p95": `${worst.toFixed(1)} ms (CPU ${worstCpu.toFixed(1)} ms)`,
      "heaviest first-load JS": heaviest === null ? "no .next build" : `${(heaviest / 1024).toFixed(0)} KB`,
    },
    goal: "every read p95 ≤ 50 ms at 1,000 apps; first-load JS ≤ 250 KB",
    met: heaviest === null ? null : worst <= 50 && heaviest <= 250 * 1024,
  });
} finally {
  await testDb.close();
}
