// What a HAProxy worker still has in flight to each app's dynos, read from its `show stat`
// CSV: the router reports dynos that left the table but still have requests, so the
// control plane stops them only once they are done. No server-only: the router imports it.

export type InFlight = { backend: string; server: string; addr: string; requests: number };

/** Servers of app backends with requests in flight (current sessions or queued ones). */
export function inFlight(csv: string): InFlight[] {
  const lines = csv.split("\n");
  const header = lines.find((l) => l.startsWith("# pxname,"));
  if (!header) return [];
  const cols = header.slice(2).split(",");
  const at = (name: string) => cols.indexOf(name);
  const [px, sv, scur, qcur, addr] = [at("pxname"), at("svname"), at("scur"), at("qcur"), at("addr")];
  const out: InFlight[] = [];
  for (const line of lines) {
    if (!line || line.startsWith("#")) continue;
    const f = line.split(",");
    const server = f[sv] ?? "";
    if (!f[px]?.startsWith("app-") || server === "FRONTEND" || server === "BACKEND") continue;
    const requests = Number(f[scur] || 0) + Number(f[qcur] || 0);
    if (requests > 0) out.push({ backend: f[px]!, server, addr: f[addr] ?? "", requests });
  }
  return out;
}
