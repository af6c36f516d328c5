import "server-only";
// `heroku pg:backups:download` / `pg:backups:url`: Heroku answers with a short-lived,
// secret-bearing HTTPS URL that the CLI fetches without its key (https.get, certificate
// verified). Here each such call opens an HTTPS listener on SLIPWAY_DATA_SESSION_HOST and an
// ephemeral port, serving one file at a random 256-bit path for ten minutes, once; any other
// path is 404 and the listener closes after the download or the ten minutes. Users trust
// the installation's data certificate with NODE_EXTRA_CA_CERTS (README).
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import type net from "node:net";
import { dataTlsMaterial } from "@/server/addons/session-cert";
import { env } from "@/server/env";

const VALID_MS = 10 * 60_000;

export async function openDownload(input: { file: string; filename: string }): Promise<{ url: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString("hex");
  const host = env().SLIPWAY_DATA_SESSION_HOST;
  let served = false;
  const server = https.createServer(dataTlsMaterial(), (req, res) => {
    if (served || req.method !== "GET" || req.url !== `/${token}/${encodeURIComponent(input.filename)}`) {
      res.writeHead(404).end();
      return;
    }
    served = true;
    const { size } = fs.statSync(input.file);
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(size), "Content-Disposition": `attachment; filename="${input.filename}"` });
    const stream = fs.createReadStream(input.file);
    stream.pipe(res);
    res.on("close", () => {
      stream.destroy();
      server.close();
    });
  });
  const timer = setTimeout(() => server.close(), VALID_MS);
  timer.unref();
  server.on("close", () => clearTimeout(timer));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const urlHost = host === "127.0.0.1" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return { url: `https://${urlHost}:${port}/${token}/${encodeURIComponent(input.filename)}`, expiresAt: new Date(Date.now() + VALID_MS) };
}
