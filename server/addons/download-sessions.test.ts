// One-shot HTTPS downloads (pg:backups:download): the certificate verifies for localhost
// once trusted, a wrong path is 404, and the file is served once.
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDownload } from "@/server/addons/download-sessions";
import { dataCertPath } from "@/server/addons/session-cert";

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: fs.readFileSync(dataCertPath()) }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

describe("one-shot downloads", () => {
  it("serves the file once at its secret path, over HTTPS that verifies for localhost", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-dl-"));
    const file = path.join(dir, "b001.dump");
    fs.writeFileSync(file, "PGDMP and the rest");
    const { url } = await openDownload({ file, filename: "db-b001.dump" });
    expect(url).toMatch(/^https:\/\/localhost:\d+\/[0-9a-f]{64}\/db-b001\.dump$/);
    expect((await get(url.replace(/\/[0-9a-f]{64}\//, `/${"0".repeat(64)}/`))).status).toBe(404);
    expect(await get(url)).toEqual({ status: 200, body: "PGDMP and the rest" });
    // Served once: the listener is gone (or answers 404 while closing).
    const again = await get(url).catch((err: NodeJS.ErrnoException) => ({ status: err.code, body: "" }));
    expect(again.status === 404 || again.status === "ECONNREFUSED" || again.status === "ECONNRESET").toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
