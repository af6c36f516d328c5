import "server-only";
// A self-signed certificate for the data doors (the PostgreSQL gateway, redis:cli sessions).
// Their clients encrypt without verifying (libpq's sslmode=require, the CLI's redis:cli
// with rejectUnauthorized: false), exactly as against Heroku, so a private certificate
// made once per installation is enough. pg:backups:download does verify: users trust this
// certificate with NODE_EXTRA_CA_CERTS (dataCertPath). openssl is spawned with an argv array.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { dataDir } from "@/server/env";

let context: tls.SecureContext | null = null;
let material: { key: Buffer; cert: Buffer } | null = null;

export function dataCertPath() {
  return path.join(dataDir(), "data-tls", "cert.pem");
}

export function dataTlsContext(): tls.SecureContext {
  if (context) return context;
  const dir = path.dirname(dataCertPath());
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  if (!fs.existsSync(key) || !fs.existsSync(cert)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const r = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650", "-subj", "/CN=slipway-data", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", `${key}.tmp`, "-out", `${cert}.tmp`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    if (r.status !== 0) throw new Error(`openssl could not make the data certificate: ${r.stderr?.toString().slice(-500)}`);
    fs.chmodSync(`${key}.tmp`, 0o600);
    fs.renameSync(`${key}.tmp`, key);
    fs.renameSync(`${cert}.tmp`, cert);
  }
  material = { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  context = tls.createSecureContext(material);
  return context;
}

/** Key and certificate, for tls.createServer / https.createServer (which ignore a secureContext option). */
export function dataTlsMaterial(): { key: Buffer; cert: Buffer } {
  dataTlsContext();
  return material!;
}
