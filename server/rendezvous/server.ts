import "server-only";
// The rendezvous server: where `heroku run` (and `heroku run:inside`-less attached one-offs)
// meet their dyno. What the official CLI does (heroku/cli lib/run/dyno.js, v11):
//   1. POST /apps/{app}/dynos {attach: true, command, env: {TERM, COLUMNS, LINES, …},
//      force_no_tty} → the dyno, whose `attach_url` is rendezvous://HOST:PORT/SECRET;
//   2. TLS to HOST:PORT, certificate validated (our CA: NODE_EXTRA_CA_CERTS), writes
//      `SECRET\r\n`;
//   3. the first chunk it receives is dropped unseen (Heroku sends `rendezvous\r\n`); every
//      later chunk is the dyno's output, and only then does it send stdin: raw keystrokes
//      from a terminal (Ctrl-C as \x03, which the dyno's terminal turns into SIGINT), or
//      piped input followed by \x04 (EOT) at its end;
//   4. a line `\uFFFF heroku-command-exit-status: N` in the output ends the CLI with N (it
//      looks for it in every chunk, with or without `--exit-code`); the connection closing
//      without one ends it with 0. The CLI never sends a terminal size after the start.
// So: one TLS connection per session, the secret picks the session (once), the dyno's exit
// status goes back as that line and then the connection closes.
import tls from "node:tls";
import { env, publicUrl } from "@/server/env";
import { takeSession, type OneOffSession } from "@/server/runtime/one-off-session";
import { rendezvousCert } from "@/server/rendezvous/ca";

const EXIT_MARK = "\uFFFF heroku-command-exit-status:";
const EOT = 0x04;
const HANDSHAKE_MS = 15_000;

/** The host name in attach_urls (and on the certificate). */
export function rendezvousHost(): string {
  return env().SLIPWAY_RENDEZVOUS_HOST ?? new URL(publicUrl()).hostname;
}

export function attachUrl(secret: string): string {
  return `rendezvous://${rendezvousHost()}:${env().SLIPWAY_RENDEZVOUS_PORT}/${secret}`;
}

const holder = globalThis as unknown as { slipwayRendezvous?: Promise<tls.Server> };

/** Starts the TLS listener once (idempotent). */
export function startRendezvous(): Promise<tls.Server> {
  return (holder.slipwayRendezvous ??= (async () => {
    const host = rendezvousHost();
    const { cert, key, caPath } = await rendezvousCert([host, "localhost", "127.0.0.1"]);
    const server = tls.createServer({ cert, key, minVersion: "TLSv1.2" }, (socket) => handle(socket));
    server.on("tlsClientError", () => undefined); // a client that does not trust the CA: its side says so
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(env().SLIPWAY_RENDEZVOUS_PORT, () => {
        server.off("error", reject);
        resolve();
      });
    });
    console.log(`slipway: rendezvous for heroku run on port ${env().SLIPWAY_RENDEZVOUS_PORT} (clients trust ${caPath} with NODE_EXTRA_CA_CERTS)`);
    return server;
  })().catch((err: unknown) => {
    holder.slipwayRendezvous = undefined;
    throw err;
  }));
}

function handle(socket: tls.TLSSocket) {
  socket.setNoDelay(true);
  let head = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), HANDSHAKE_MS);
  const onHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf("\n");
    if (nl < 0) {
      if (head.length > 512) socket.destroy();
      return;
    }
    clearTimeout(timer);
    socket.off("data", onHead);
    const secret = head.subarray(0, nl).toString("utf8").replace(/\r$/, "").trim();
    const rest = head.subarray(nl + 1);
    const session = takeSession(secret);
    socket.write("rendezvous\r\n");
    if (!session) {
      socket.end(`Unknown or expired attach URL: run the command again.\r\n${EXIT_MARK} 1\n`);
      return;
    }
    void serve(socket, session, rest);
  };
  socket.on("data", onHead);
  socket.on("error", () => undefined);
}

async function serve(socket: tls.TLSSocket, session: OneOffSession, early: Buffer) {
  let inputEnded = false;
  const input = (chunk: Buffer) => {
    if (inputEnded) return;
    // Without a terminal the CLI marks the end of piped input with EOT; with one, Ctrl-D is
    // the terminal's business.
    const eot = session.tty ? -1 : chunk.indexOf(EOT);
    if (eot < 0) return session.input(chunk);
    if (eot > 0) session.input(chunk.subarray(0, eot));
    inputEnded = true;
    session.endInput();
  };
  if (early.length) input(early);
  socket.on("data", input);
  const gone = () => session.detach();
  socket.once("close", gone);
  try {
    let atLineStart = true;
    const end = await session.attach({
      output: (text) => {
        atLineStart = text.endsWith("\n");
        if (socket.writable) socket.write(text);
      },
    });
    const why =
      end.reason === "idle" ? "\r\nThe dyno was idle too long and was stopped.\r\n" : end.reason === "access" ? "\r\nYour access to this app ended; the dyno was stopped.\r\n" : "";
    // The CLI strips the status line from what it prints only when it starts a line.
    if (socket.writable) socket.end(`${atLineStart ? "" : "\r\n"}${why}${EXIT_MARK} ${end.exitCode}\n`);
  } catch (err) {
    if (socket.writable) socket.end(`\r\n${(err as Error).message}\r\n${EXIT_MARK} 1\n`);
  } finally {
    socket.off("close", gone);
  }
}
