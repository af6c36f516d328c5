// The official CLI's data commands against a running platform: pg:info, pg:psql (the
// user's own psql through the PostgreSQL gateway), pg:backups capture/restore/url and
// schedules, redis:info and redis:cli (a one-connection TLS session). Real add-on
// containers, real psql, real pg_dump/pg_restore.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, baseUrl, bearer, heroku, newUser, ok, removeHomes, unique, type RunOptions } from "@/server/testing/heroku-cli";

const gatewayPort = Number(process.env.SLIPWAY_TEST_PG_GATEWAY_PORT) || 5432;

describe.skipIf(!baseUrl)("data CLIs", { timeout: 240_000 }, () => {
  let apiKey = "";
  const app = `dt-${unique()}-${unique()}`;
  let opts: RunOptions;
  let serviceDir = "";

  beforeAll(async () => {
    ({ apiKey } = await newUser("data"));
    expect((await api("POST", "/apps", bearer(apiKey), { name: app })).status).toBe(201);
    // What a user of this installation sets once (the dashboard's CLI page says so): the
    // data API is this host, the services have our names, psql goes through the gateway.
    // Here the gateway has a free port, so a libpq service file names it (its settings
    // win over the PGHOST/PGPORT the CLI sets); on 5432, PGHOSTADDR=127.0.0.1 is enough.
    serviceDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-pgservice-"));
    fs.writeFileSync(path.join(serviceDir, "pg_service.conf"), `[slipway]\nhostaddr=127.0.0.1\nport=${gatewayPort}\n`);
    opts = {
      apiKey,
      env: {
        HEROKU_DATA_HOST: new URL(baseUrl!).hostname,
        HEROKU_POSTGRESQL_ADDON_NAME: "slipway-postgresql",
        HEROKU_REDIS_ADDON_NAME: "slipway-redis",
        PGSERVICEFILE: path.join(serviceDir, "pg_service.conf"),
        PGSERVICE: "slipway",
      },
    };
    const [pg, redis] = await Promise.all([
      heroku(["addons:create", "heroku-postgresql", "-a", app, "--wait"], { apiKey }),
      heroku(["addons:create", "heroku-redis", "-a", app, "--wait"], { apiKey }),
    ]);
    expect(pg.code, pg.stderr).toBe(0);
    expect(redis.code, redis.stderr).toBe(0);
  });

  afterAll(async () => {
    await api("DELETE", `/apps/${app}`, bearer(apiKey));
    fs.rmSync(serviceDir, { recursive: true, force: true });
    removeHomes();
  });

  const psql = async (sql: string) => (await ok(["pg:psql", "-a", app, "-c", sql], opts)).stdout;

  it("pg:info shows the plan, the PostgreSQL version, connections and tables", async () => {
    const run = await ok(["pg:info", "-a", app], opts);
    expect(run.stdout).toMatch(/=== DATABASE_URL/);
    expect(run.stdout).toMatch(/Plan:\s+essential-0/);
    expect(run.stdout).toMatch(/PG Version:\s+15\./);
    expect(run.stdout).toMatch(/Connections:\s+\d+\/20/);
    expect(run.stdout).toMatch(/Tables:\s+0/);
    expect(run.stdout).toMatch(/Add-on:\s+postgresql-/);
  });

  it("pg:psql -c runs a query with the user's own psql through the gateway", async () => {
    const out = await psql("select 40 + 2 as answer");
    expect(out).toMatch(/answer\s*\n-+\n\s*42\s*\n\(1 row\)/);
  });

  it("pg:backups:capture then pg:backups:restore brings a deleted row back", async () => {
    await psql("create table notes (body text); insert into notes values ('kept by the backup')");
    const capture = await ok(["pg:backups:capture", "-a", app], opts);
    expect(capture.stdout + capture.stderr).toMatch(/b001/);
    const list = await ok(["pg:backups", "-a", app], opts);
    expect(list.stdout).toMatch(/b001\s+.*Completed/);

    await psql("delete from notes");
    expect(await psql("select count(*) from notes")).toMatch(/\s0\n/);
    await ok(["pg:backups:restore", "b001", "DATABASE_URL", "-a", app, "--confirm", app], opts);
    expect(await psql("select body from notes")).toContain("kept by the backup");
  });

  it("pg:backups:download fetches the dump over a one-shot HTTPS URL; the backup's own URL needs the key", async () => {
    // The installation's data certificate, trusted as users trust it (README).
    const { dataCertPath } = await import("@/server/addons/session-cert");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-download-"));
    const output = path.join(dir, "latest.dump");
    await ok(["pg:backups:download", "b001", "-a", app, "-o", output], { ...opts, env: { ...opts.env!, NODE_EXTRA_CA_CERTS: dataCertPath() } });
    // pg_dump's custom format starts with PGDMP.
    expect(fs.readFileSync(output).subarray(0, 5).toString()).toBe("PGDMP");
    fs.rmSync(dir, { recursive: true, force: true });

    const transfers = await api("GET", `/client/v11/apps/${app}/transfers`, bearer(apiKey));
    const toUrl = (transfers.body as unknown as { to_url: string }[])[0]!.to_url;
    expect((await fetch(toUrl)).status).toBe(401);
    const res = await fetch(toUrl, { headers: bearer(apiKey) });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).toBe("PGDMP");
  });

  it("pg:backups:schedule stores a daily schedule, pg:backups:schedules lists it, unschedule removes it", async () => {
    await ok(["pg:backups:schedule", "DATABASE_URL", "--at", "02:00 Europe/Paris", "-a", app], opts);
    expect((await ok(["pg:backups:schedules", "-a", app], opts)).stdout).toMatch(/DATABASE_URL: daily at 2:00 Europe\/Paris/);
    await ok(["pg:backups:unschedule", "DATABASE_URL", "-a", app], opts);
    expect((await heroku(["pg:backups:schedules", "-a", app], opts)).stderr).toMatch(/No backup schedules found/);
  });

  it("redis:info shows the plan and version; redis:cli runs commands over a TLS session", async () => {
    const info = await ok(["redis:info", "-a", app], opts);
    expect(info.stdout).toMatch(/=== redis-[a-z]+-\d+ \(REDIS_URL\)/);
    expect(info.stdout).toMatch(/Plan:\s+mini/);
    expect(info.stdout).toMatch(/Version:\s+7\./);
    const value = `v-${unique()}`;
    const cli = await ok(["redis:cli", "-a", app], { ...opts, stdin: `SET greeting ${value}\nGET greeting\n` });
    expect(cli.stdout).toContain(value);
  });
});
