// A test certificate authority made with openssl: certificates for the router's TLS tests
// and the CLI's certs:* tests, trusted only by the clients these tests make.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type TestCa = { dir: string; cert: string; key: string; certPem: string };
export type TestCert = { cert: string; key: string; certPem: string; keyPem: string; chainPem: string };

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: "pipe" });

export function makeTestCa(name = "Slipway Test CA"): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-ca-"));
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", "ca.key", "-out", "ca.pem"], dir);
  fs.writeFileSync(path.join(dir, "index.txt"), "");
  fs.writeFileSync(path.join(dir, "serial"), "1000\n");
  fs.writeFileSync(
    path.join(dir, "ca.cnf"),
    "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=none\nunique_subject=no\n[p]\ncommonName=supplied\n",
  );
  return { dir, cert: path.join(dir, "ca.pem"), key: path.join(dir, "ca.key"), certPem: fs.readFileSync(path.join(dir, "ca.pem"), "utf8") };
}

let serial = 0;
/**
 * A leaf for `names` (subjectAltName DNS entries) signed by `ca`, valid for `days`; `days` < 0
 * makes one that expired |days| days ago.
 */
export function issueCert(ca: TestCa, names: string[], o: { days?: number } = {}): TestCert {
  const base = `leaf-${process.pid}-${++serial}`;
  const ext = path.join(ca.dir, `${base}.ext`);
  fs.writeFileSync(ext, `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=${names[0]}`, "-keyout", `${base}.key`, "-out", `${base}.csr`], ca.dir);
  const days = o.days ?? 10;
  const validity = days > 0 ? ["-startdate", stamp(-1), "-enddate", stamp(days)] : ["-startdate", stamp(days - 10), "-enddate", stamp(days)];
  openssl(["ca", "-batch", "-notext", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", `${base}.csr`, "-extfile", ext, ...validity, "-out", `${base}.pem`], ca.dir);
  const certPem = fs.readFileSync(path.join(ca.dir, `${base}.pem`), "utf8");
  const keyPem = fs.readFileSync(path.join(ca.dir, `${base}.key`), "utf8");
  return { cert: path.join(ca.dir, `${base}.pem`), key: path.join(ca.dir, `${base}.key`), certPem, keyPem, chainPem: certPem };
}

/** openssl's YYYYMMDDHHMMSSZ, `days` from now. */
function stamp(days: number) {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}
