// Pebble, Let's Encrypt's ACME test server (Debian's `pebble` package), for the ACME tests:
// its API on a free port with a certificate from the test CA, HTTP-01 validation against
// `httpPort` (the router's), and names resolved by pebble-challtestsrv's mock DNS to
// 127.0.0.1. Its issuing root is trusted only by the test's own clients.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { freePorts } from "@/server/testing/router";
import { issueCert, type TestCa } from "@/server/testing/tls";

export type Pebble = { directoryUrl: string; ca: string; root: () => Promise<string>; output: () => string; stop: () => Promise<void> };

export async function startPebble(ca: TestCa, httpPort: number): Promise<Pebble> {
  const [api, management, dns, tlsPort, challManagement] = await freePorts(5);
  const tlsCert = issueCert(ca, ["localhost"]);
  const config = path.join(ca.dir, `pebble-${api}.json`);
  fs.writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${api}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: tlsCert.cert,
        privateKey: tlsCert.key,
        httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  let output = "";
  const children: ChildProcess[] = [];
  const run = (cmd: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    children.push(child);
  };
  // Only the mock DNS (A records: 127.0.0.1; no AAAA, the router listens on IPv4).
  run("pebble-challtestsrv", ["-dns01", `127.0.0.1:${dns}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", `127.0.0.1:${challManagement}`, "-defaultIPv6", ""]);
  run("pebble", ["-config", config, "-dnsserver", `127.0.0.1:${dns}`], { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" });
  const get = (url: string) =>
    new Promise<string>((resolve, reject) => {
      https.get(url, { ca: ca.certPem }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
      }).on("error", reject);
    });
  const directoryUrl = `https://localhost:${api}/dir`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await get(directoryUrl).then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`pebble did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    directoryUrl,
    ca: ca.certPem,
    root: () => get(`https://localhost:${management}/roots/0`),
    output: () => output,
    stop: async () => {
      await Promise.all(
        children.map((c) => new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        })),
      );
    },
  };
}
