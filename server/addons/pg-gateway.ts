import "server-only";
// The PostgreSQL gateway: how `heroku pg:psql` (the user's own psql) reaches an add-on
// that lives on Docker bridge networks. The CLI runs psql with the host, port, user,
// password and database of DATABASE_URL; the host is the add-on's name on app networks,
// which the user's machine cannot resolve, so the user points libpq at this gateway
// (PGHOSTADDR=127.0.0.1 when it listens on 5432, or a service file with hostaddr and port)
// and everything else in the URL is used as is.
//
// Why this is safe: the gateway authenticates nothing itself and holds no secret. It reads
// only the startup message's database name (each add-on's database has a random name),
// forwards the bytes to that add-on's PostgreSQL, and PostgreSQL checks the password with
// SCRAM (pg_hba: scram-sha-256 for every network client; the superuser has no network
// login). It listens on loopback unless an admin binds it elsewhere, encrypts when the
// client asks (libpq's default sslmode=require for a non-local host), routes only to
// PostgreSQL add-ons' port 5432, and an unknown database gets PostgreSQL's own error.
import net from "node:net";
import tls from "node:tls";
import { addonAddress } from "@/server/addons/engine";
import { POSTGRES_PORT } from "@/server/addons/postgres";
import { dataTlsContext } from "@/server/addons/session-cert";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { credentialsOf } from "@/server/services/addon-records";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3 = 196608;
const MAX_STARTUP = 10_000;
const STARTUP_TIMEOUT_MS = 15_000;

type Sock = net.Socket | tls.TLSSocket;

/** One length-prefixed startup packet; bytes after it are put back. */
function readStartup(sock: Sock): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, packet?: Buffer) => {
      sock.off("data", onData);
      sock.off("error", onError);
      sock.off("end", onEnd);
      sock.pause();
      if (err) reject(err);
      else resolve(packet!);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const len = buf.readInt32BE(0);
      if (len < 8 || len > MAX_STARTUP) return done(new Error("not a PostgreSQL startup packet"));
      if (buf.length < len) return;
      if (buf.length > len) sock.unshift(buf.subarray(len));
      done(null, buf.subarray(0, len));
    };
    const onError = (err: Error) => done(err);
    const onEnd = () => done(new Error("closed during startup"));
    sock.on("data", onData);
    sock.on("error", onError);
    sock.on("end", onEnd);
    sock.resume();
  });
}

function startupParams(packet: Buffer): Record<string, string> {
  const fields = packet.subarray(8).toString("utf8").split("\0");
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length && fields[i]; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

/** A FATAL ErrorResponse, as PostgreSQL sends it, then close. */
function fatal(sock: Sock, code: string, message: string) {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, "utf8");
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(body.length + 4, 1);
  sock.end(Buffer.concat([head, body]));
}

/** The running PostgreSQL add-on whose database is `name`, or null. */
export async function addonForDatabase(name: string) {
  const rows = await db.addon.findMany({ where: { service: "slipway-postgresql", state: "available" }, select: { id: true, name: true, node: true, configEnc: true } });
  const row = rows.find((r) => credentialsOf(r).database === name);
  return row ? { id: row.id, name: row.name, node: row.node } : null;
}

async function handle(raw: net.Socket) {
  let sock: Sock = raw;
  const timer = setTimeout(() => raw.destroy(), STARTUP_TIMEOUT_MS);
  try {
    for (let round = 0; round < 3; round++) {
      const packet = await readStartup(sock);
      const code = packet.readInt32BE(4);
      if (code === SSL_REQUEST && sock === raw) {
        raw.write("S");
        sock = new tls.TLSSocket(raw, { isServer: true, secureContext: dataTlsContext() });
        continue;
      }
      if (code === GSSENC_REQUEST) {
        sock.write("N");
        continue;
      }
      if (code !== PROTOCOL_3) return fatal(sock, "08P01", "unsupported frontend protocol");
      const params = startupParams(packet);
      const database = params.database || params.user || "";
      const addon = database ? await addonForDatabase(database) : null;
      if (!addon) return fatal(sock, "3D000", `database "${database}" does not exist`);
      const upstream = net.connect({ host: await addonAddress(addon), port: POSTGRES_PORT });
      clearTimeout(timer);
      upstream.once("connect", () => {
        upstream.write(packet);
        sock.pipe(upstream);
        upstream.pipe(sock);
        sock.resume();
      });
      const close = () => {
        upstream.destroy();
        sock.destroy();
      };
      upstream.on("error", close);
      upstream.on("close", close);
      sock.on("error", close);
      sock.on("close", close);
      return;
    }
    sock.destroy();
  } catch {
    // A client that went away or spoke something else: nothing to tell it.
    sock.destroy();
  } finally {
    clearTimeout(timer);
  }
}

let server: net.Server | null = null;

/** Starts the gateway once per process (SLIPWAY_PG_GATEWAY_PORT=0 leaves it off). */
export function startPgGateway(): Promise<net.Server | null> {
  const { SLIPWAY_PG_GATEWAY_HOST: host, SLIPWAY_PG_GATEWAY_PORT: port } = env();
  if (server || !port) return Promise.resolve(server);
  const s = net.createServer((sock) => void handle(sock));
  return new Promise((resolve) => {
    s.once("error", (err) => {
      console.error(`slipway: the PostgreSQL gateway could not listen on ${host}:${port} (${(err as NodeJS.ErrnoException).code}); pg:psql needs it`);
      resolve(null);
    });
    s.listen(port, host, () => {
      server = s;
      console.log(`slipway: PostgreSQL gateway for pg:psql on ${host}:${port}`);
      resolve(s);
    });
  });
}
