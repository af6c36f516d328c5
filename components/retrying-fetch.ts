// fetch for the dashboard's tRPC calls that survives a request lost before any answer came.
// Chromium fails every request still waiting for a connection with ERR_NETWORK_CHANGED when
// a network interface gets an address (on a Slipway host each new app network does; so does
// a VPN or Wi-Fi change), and a user's click would end in "Failed to fetch". A mutation that
// failed that way is sent again after a short pause. Mutations carry an Idempotency-Key that
// stays the same across the attempts, so if the first one did reach the server, the retry
// gets its answer instead of running the mutation twice (server/http/idempotency.ts).

// CI saw a revoke fail all of three attempts (300 and 600 ms apart) after one `docker
// network create`: likely one change seen as several (a bridge made, its address, its link
// up), each failing what waits for a connection. Five attempts with doubling pauses
// (300 ms … 2.4 s) span ~4.5 s.
const ATTEMPTS = 5;
const PAUSE_MS = 300;

function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function isNetworkFailure(err: unknown, signal?: AbortSignal | null) {
  // fetch rejects with a TypeError when no answer came (refused, reset, network changed);
  // an abort is the caller's choice and is not retried.
  return err instanceof TypeError && !signal?.aborted;
}

export function retryingFetch(fetchImpl: typeof fetch = fetch, pauseMs = PAUSE_MS) {
  return async function fetchWithRetry(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    // Queries (GET) are retried by react-query already (trpc-provider.tsx's retry option);
    // retrying them here too would multiply the attempts.
    if ((init.method ?? "GET").toUpperCase() !== "POST") return fetchImpl(input, init);
    const headers = new Headers(init.headers);
    if (!headers.has("idempotency-key")) headers.set("Idempotency-Key", newKey());
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetchImpl(input, { ...init, headers });
      } catch (err) {
        if (attempt >= ATTEMPTS || !isNetworkFailure(err, init.signal)) throw err;
        await new Promise((resolve) => setTimeout(resolve, pauseMs * 2 ** (attempt - 1)));
      }
    }
  };
}
