import "server-only";
// A dashboard mutation may be sent twice: when fetch fails without an answer (Chromium fails
// every request still waiting for a connection with ERR_NETWORK_CHANGED whenever an interface
// gets an address — on a Slipway host, each new app network does), the dashboard sends it
// again with the same Idempotency-Key (components/retrying-fetch.ts). The first attempt may
// still have reached us, so a key seen before gets the first attempt's answer instead of a
// second run: no API key created twice, no second "name is taken" for an app just created.
import { createHash } from "node:crypto";

type Stored = { status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer };
type Entry = { expires: number; answer: Promise<Stored | null> };

/** How long an answer is kept for a retry; a retry comes within seconds. */
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 2_000;
/** Larger answers are not kept (a retry of such a call runs it again). */
const MAX_BODY_BYTES = 256 * 1024;
const KEY = /^[A-Za-z0-9_-]{16,100}$/;

const entries = new Map<string, Entry>();

function prune(now: number) {
  for (const [key, entry] of entries) {
    if (entry.expires > now && entries.size <= MAX_ENTRIES) break; // insertion order = expiry order
    entries.delete(key);
  }
}

function replay(stored: Stored): Response {
  const headers = new Headers(stored.headers);
  headers.set("Idempotent-Replayed", "true");
  return new Response(stored.body.slice(0), { status: stored.status, statusText: stored.statusText, headers });
}

/**
 * Runs `handle` once per Idempotency-Key and caller: a request carrying a key already seen from
 * the same credentials (cookie and Authorization header) gets the stored answer, waiting for it
 * if the first attempt is still running. Without a valid key, `handle` simply runs.
 */
export async function withIdempotency(req: Request, handle: (req: Request) => Promise<Response>): Promise<Response> {
  const key = req.headers.get("idempotency-key");
  if (req.method !== "POST" || !key || !KEY.test(key)) return handle(req);
  // Scoped to who is asking: another session presenting the same key runs its own call.
  const scope = createHash("sha256")
    .update(`${req.headers.get("cookie") ?? ""}\0${req.headers.get("authorization") ?? ""}\0${new URL(req.url).pathname}\0${key}`)
    .digest("hex");
  const now = Date.now();
  prune(now);
  const seen = entries.get(scope);
  if (seen && seen.expires > now) {
    const stored = await seen.answer;
    if (stored) return replay(stored);
  }
  let settle!: (stored: Stored | null) => void;
  entries.delete(scope); // set() keeps an old key's place; prune() relies on insertion order
  entries.set(scope, { expires: now + TTL_MS, answer: new Promise((resolve) => (settle = resolve)) });
  /** No answer to keep: a retry waiting on this one runs its own call. */
  const forget = () => {
    entries.delete(scope);
    settle(null);
  };
  let res: Response;
  try {
    res = await handle(req);
  } catch (err) {
    forget();
    throw err;
  }
  const declared = Number(res.headers.get("content-length"));
  if (!res.body || (Number.isFinite(declared) && declared > MAX_BODY_BYTES)) {
    forget();
    return res;
  }
  const body = await res.arrayBuffer();
  const stored: Stored = { status: res.status, statusText: res.statusText, headers: [...res.headers], body };
  if (body.byteLength > MAX_BODY_BYTES) forget();
  else settle(stored);
  return new Response(body, { status: stored.status, statusText: stored.statusText, headers: res.headers });
}

/** For tests: forget every stored answer. */
export function clearIdempotencyForTests() {
  entries.clear();
}
