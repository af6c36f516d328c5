import "server-only";
// The dashboard's browser console: an interactive one-off dyno (startOneOff, as `heroku run
// bash`) carried over Server-Sent Events (output) and plain POSTs (keystrokes, resize),
// since Next.js route handlers cannot upgrade to a WebSocket. A console belongs to the user
// and app that started it: anyone else is told it does not exist. It ends when its stream
// closes (the tab went away): the dyno is killed then, as when a `heroku run` drops.
import crypto from "node:crypto";
import { AppError } from "@/server/errors";
import { takeSession, type OneOffSession, type SessionEnd } from "@/server/runtime/one-off-session";
import { startOneOff } from "@/server/services/one-offs";

export type ConsoleSession = { id: string; userId: string; appId: string; dyno: string; session: OneOffSession; streaming: boolean };

const holder = globalThis as unknown as { slipwayConsoles?: Map<string, ConsoleSession> };
const consoles = (holder.slipwayConsoles ??= new Map<string, ConsoleSession>());

export async function startConsole(input: { appId: string; userId: string; command: string; cols?: number; rows?: number }) {
  const env: Record<string, string> = { TERM: "xterm-256color" };
  if (input.cols && input.rows) Object.assign(env, { COLUMNS: String(input.cols), LINES: String(input.rows) });
  const { prepared, session } = await startOneOff({ appId: input.appId, userId: input.userId, command: input.command, env, attach: true });
  if (!session) throw new Error("an attached one-off came back without a session");
  // Only this console may attach: the rendezvous (heroku run) never learns its secret, and it
  // leaves that registry so nothing else can take it.
  takeSession(session.secret);
  const id = crypto.randomBytes(24).toString("base64url");
  const c: ConsoleSession = { id, userId: input.userId, appId: input.appId, dyno: prepared.dyno, session, streaming: false };
  consoles.set(id, c);
  // Nobody opened the stream in time: the session discards its dyno; the console goes too.
  const dropTimer = setTimeout(() => {
    if (!c.streaming) consoles.delete(id);
  }, 65_000);
  dropTimer.unref?.();
  return { id, dyno: prepared.dyno };
}

/** The caller's console on this app, or NOT_FOUND (another user's console does not exist for them). */
export function consoleFor(id: string, ctx: { userId: string; appId: string }): ConsoleSession {
  const c = consoles.get(id);
  if (!c || c.userId !== ctx.userId || c.appId !== ctx.appId) throw new AppError("NOT_FOUND", "Couldn't find that console session; it may have ended.", { resource: "console" });
  return c;
}

/** Runs the dyno with this output; resolves when it ends. Once per console. */
export async function attachConsole(c: ConsoleSession, output: (text: string) => void): Promise<SessionEnd> {
  if (c.streaming) throw new AppError("CONFLICT", "This console is already open in another tab.");
  c.streaming = true;
  try {
    return await c.session.attach({ output });
  } finally {
    consoles.delete(c.id);
  }
}

/** Ends a console: the dyno is killed (or, never attached, discarded). */
export async function endConsole(c: ConsoleSession) {
  consoles.delete(c.id);
  if (c.streaming) c.session.detach();
  else await c.session.discard();
}
