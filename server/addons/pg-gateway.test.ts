// The pg:psql gateway with the real psql: TLS when libpq asks for it (sslmode=require, as
// the CLI sets for a non-local host) and PostgreSQL's own error for a database that is no
// add-on's. The path to a live add-on is proven by the CLI suite (cli-data.integration).
import { spawn } from "node:child_process";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reloadEnv } from "@/server/env";
import { startPgGateway } from "@/server/addons/pg-gateway";

let server: net.Server | null;

beforeAll(async () => {
  process.env.SLIPWAY_PG_GATEWAY_HOST = "127.0.0.1";
  process.env.SLIPWAY_PG_GATEWAY_PORT = String(20_000 + Math.floor(Math.random() * 20_000));
  reloadEnv();
  server = await startPgGateway();
});

afterAll(() => server?.close());

function psql(sslmode: string) {
  const port = String((server!.address() as net.AddressInfo).port);
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith("PG")) delete env[k];
    const child = spawn("psql", ["-X", "-c", "select 1"], {
      env: { ...env, PGHOST: "postgresql-nowhere-1", PGHOSTADDR: "127.0.0.1", PGPORT: port, PGUSER: "u0", PGDATABASE: "dnosuchdatabase", PGPASSWORD: "x", PGSSLMODE: sslmode, PGCONNECT_TIMEOUT: "10" },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("PostgreSQL gateway", () => {
  it("listens on loopback", () => {
    expect((server!.address() as net.AddressInfo).address).toBe("127.0.0.1");
  });

  it.each(["require", "disable"])("answers an unknown database with PostgreSQL's error (sslmode=%s)", async (sslmode) => {
    const r = await psql(sslmode);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FATAL:  database "dnosuchdatabase" does not exist');
  });
});
