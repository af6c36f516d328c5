// bench/scale-cli — bench/scale's question asked the way a user asks it: `heroku ps:scale
// web=10` (the official CLI, its own start included) against a started platform, until all
// ten web dynos answer through the router. Without a standby pool, and with 9 paused
// standbys (set through the Platform API: PATCH /apps/{app}/standby-pool). Then the
// dashboard's slider path with the pool: the tRPC call its Confirm button sends
// (formation.update), without a browser.
//
//   npm run bench:scale:cli     (builds and starts a test platform: scripts/with-platform.sh)
import { reportBench } from "@/bench/report";

const RUNS = Number(process.env.RUNS ?? 3);
const TARGET = 10;
const installation = process.env.SLIPWAY_INSTALLATION_ID;
const routerPort = Number(process.env.SLIPWAY_TEST_ROUTER_PORT);
if (!installation || !routerPort) throw new Error("run through scripts/with-platform.sh (npm run bench:scale:cli)");

const { ensureFixtureImage } = await import("@/server/testing/fixture-image");
const { api, apiKeyFor, bearer, adminEmail, adminPassword, trpc, heroku } = await import("@/server/testing/heroku-cli");
const { get } = await import("@/server/testing/router");

const key = await apiKeyFor(adminEmail!, adminPassword!);
const auth = bearer(key);
const image = await ensureFixtureImage();
const name = `bscli-${Math.random().toString(36).slice(2, 7)}`;
const host = `${name}.localhost`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function scaleTo(quantity: number, via: "cli" | "slider" = "cli") {
  if (via === "slider") return trpc(key, "formation.update", { app: name, updates: [{ type: "web", quantity }] });
  const run = await heroku(["ps:scale", `web=${quantity}`, "-a", name], { apiKey: key });
  if (run.code !== 0) throw new Error(`heroku ps:scale: ${run.stderr}`);
}

/** Which dynos answer through the router: a burst of requests, their DYNO names collected. */
async function answering(): Promise<Set<string>> {
  const bodies = await Promise.all(Array.from({ length: TARGET * 2 }, () => get(routerPort, host).catch(() => null)));
  return new Set(bodies.filter((r) => r?.status === 200).map((r) => r!.body.trim()));
}

/** How long each timed `heroku ps:scale` itself took (spawn to exit: its start, its API calls). */
const cliTimes: Record<number, number[]> = {};

async function round(pool: number, via: "cli" | "slider" = "cli"): Promise<number> {
  await scaleTo(1);
  await until("one web dyno", async () => {
    const dynos = (await api("GET", `/apps/${name}/dynos`, auth)).body as unknown as { state: string }[];
    return dynos.length === 1 && dynos[0]!.state === "up";
  });
  await until(`${pool} ready standbys`, async () => {
    const view = (await api("GET", `/apps/${name}/standby-pool`, auth)).body;
    return view.ready === pool && view.preparing === 0;
  }, 120_000, 250);
  const t0 = performance.now();
  await scaleTo(TARGET, via);
  if (via === "cli") (cliTimes[pool] ??= []).push(performance.now() - t0);
  await until(`${TARGET} dynos answering through the router`, async () => (await answering()).size === TARGET, 120_000, 10);
  return performance.now() - t0;
}

try {
  const created = await api("POST", "/apps", auth, { name });
  if (created.status !== 201) throw new Error(`apps:create: ${JSON.stringify(created.body)}`);
  await trpc(key, "releases.deployImage", { app: name, image, processTypes: { web: "node server.js" } });
  const times: Record<"none" | "paused", number[]> = { none: [], paused: [] };
  for (const [mode, pool] of [["none", 0], ["paused", TARGET - 1]] as const) {
    const set = await api("PATCH", `/apps/${name}/standby-pool`, auth, { size: pool });
    if (set.status !== 200) throw new Error(`standby-pool: ${JSON.stringify(set.body)}`);
    for (let i = 0; i < RUNS; i++) {
      times[mode].push(await round(pool));
      console.log(
        `run ${i + 1}: heroku ps:scale web=${TARGET} with ${pool} standbys → all answering through the router: ${times[mode][i]!.toFixed(0)} ms ` +
          `(the CLI itself ${cliTimes[pool]![i]!.toFixed(0)} ms)`,
      );
    }
  }
  const sliderTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    sliderTimes.push(await round(TARGET - 1, "slider"));
    console.log(`run ${i + 1}: the slider's formation.update web=${TARGET} with ${TARGET - 1} standbys → all answering: ${sliderTimes[i]!.toFixed(0)} ms`);
  }
  const [none, paused, slider] = [median(times.none), median(times.paused), median(sliderTimes)];
  console.log(`heroku ps:scale web=1 → ${TARGET}, until all answer through the router (median of ${RUNS}):`);
  console.log(`  no standby pool:     ${none.toFixed(0)} ms`);
  console.log(`  ${TARGET - 1} paused standbys:  ${paused.toFixed(0)} ms   (goal: ≤ 2000 ms), of which the CLI process itself ${median(cliTimes[TARGET - 1]!).toFixed(0)} ms`);
  console.log(`  the slider's call, ${TARGET - 1} paused standbys:  ${slider.toFixed(0)} ms`);
  reportBench({
    bench: "scale (CLI)",
    figures: {
      "ps:scale 1→10, no pool": `${none.toFixed(0)} ms`,
      "ps:scale 1→10, 9 standbys": `${paused.toFixed(0)} ms`,
      "of which the CLI process": `${median(cliTimes[TARGET - 1]!).toFixed(0)} ms`,
      "slider (formation.update) 1→10, 9 standbys": `${slider.toFixed(0)} ms`,
    },
    goal: "≤ 2000 ms through the CLI (standby pool)",
    met: paused <= 2000 && slider <= 2000,
  });
} finally {
  await api("DELETE", `/apps/${name}`, auth).catch(() => undefined);
}
