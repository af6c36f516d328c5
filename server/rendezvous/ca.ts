import "server-only";
// The rendezvous server's TLS certificate. `heroku run` speaks TLS to the attach_url's host
// and port and validates the certificate (lib/run/dyno.js: tls.connect without
// rejectUnauthorized: false), so the platform is its own certificate authority: a CA made
// once under the data dir (`rendezvous/ca.crt`: users trust it with NODE_EXTRA_CA_CERTS),
// and a server certificate it signs for the names the attach_url uses, made again whenever
// those names change. Made with the `openssl` command (Node's crypto cannot sign X.509).
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { dataDir } from "@/server/env";

const run = promisify(execFile);

export type RendezvousCert = { caPath: string; ca: string; cert: string; key: string };

export function caPath(): string {
  return path.join(dataDir(), "rendezvous", "ca.crt");
}

const exists = (p: string) => fs.access(p).then(() => true, () => false);

async function openssl(args: string[]) {
  try {
    await run("openssl", args, { timeout: 30_000 });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === "ENOENT") throw new Error("The `openssl` command is needed to make the rendezvous certificate (heroku run): install it.");
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

const made = new Map<string, Promise<RendezvousCert>>();

/** The CA (made once) and a server certificate for `names` (DNS names or IP addresses). */
export function rendezvousCert(names: string[]): Promise<RendezvousCert> {
  const wanted = [...new Set(names)].sort();
  const key = wanted.join(",");
  let p = made.get(key);
  if (!p) {
    p = make(wanted);
    made.set(key, p);
    p.catch(() => made.delete(key));
  }
  return p;
}

async function make(names: string[]): Promise<RendezvousCert> {
  const dir = path.dirname(caPath());
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = caPath();
  const caKey = path.join(dir, "ca.key");
  if (!(await exists(ca)) || !(await exists(caKey))) {
    const tmp = `${ca}.${process.pid}.tmp`;
    await openssl([
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", caKey, "-out", tmp, "-days", "3650",
      "-subj", `/O=Slipway/CN=Slipway rendezvous CA ${os.hostname()} ${crypto.randomBytes(3).toString("hex")}`,
      "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    await fs.chmod(caKey, 0o600);
    await fs.rename(tmp, ca);
  }
  const certPath = path.join(dir, "server.crt");
  const keyPath = path.join(dir, "server.key");
  const namesPath = path.join(dir, "server.names");
  const current = await fs.readFile(namesPath, "utf8").catch(() => "");
  if (current !== names.join(",") || !(await exists(certPath)) || !(await exists(keyPath))) {
    const csr = path.join(dir, `server.${process.pid}.csr`);
    const ext = path.join(dir, `server.${process.pid}.ext`);
    const tmpCert = `${certPath}.${process.pid}.tmp`;
    const tmpKey = `${keyPath}.${process.pid}.tmp`;
    const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
    await fs.writeFile(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n`);
    try {
      await openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", tmpKey, "-out", csr, "-subj", `/O=Slipway/CN=${names[0] ?? "localhost"}`]);
      await openssl([
        "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-out", tmpCert, "-days", "825",
        "-set_serial", `0x${crypto.randomBytes(12).toString("hex")}`, "-extfile", ext,
      ]);
      await fs.chmod(tmpKey, 0o600);
      await fs.rename(tmpKey, keyPath);
      await fs.rename(tmpCert, certPath);
      await fs.writeFile(namesPath, names.join(","));
    } finally {
      await Promise.all([csr, ext, tmpCert, tmpKey].map((f) => fs.rm(f, { force: true })));
    }
  }
  const [caText, cert, keyText] = await Promise.all([fs.readFile(ca, "utf8"), fs.readFile(certPath, "utf8"), fs.readFile(keyPath, "utf8")]);
  return { caPath: ca, ca: caText, cert, key: keyText };
}
