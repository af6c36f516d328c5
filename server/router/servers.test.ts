// Which table changes the router applies through HAProxy's runtime API, and which reload.
import { describe, expect, it } from "vitest";
import { configuredServers, serverChanges } from "@/server/router/servers";
import type { RoutedApp, RoutingTable } from "@/server/router/protocol";

const app = (id: string, web: [string, string][], more: Partial<RoutedApp> = {}): RoutedApp => ({
  id,
  name: id,
  hostnames: [`${id}.localhost`],
  maintenance: false,
  web: web.map(([dyno, host]) => ({ dyno, host, port: 5000 })),
  idle: web.length ? null : "none",
  ...more,
});
const table = (...apps: RoutedApp[]): RoutingTable => ({ version: 1, generatedAt: "", apps });
const taken = (t: RoutingTable) => new Map([...configuredServers(t)].map(([b, s]) => [b, new Set(s.keys())]));

describe("serverChanges", () => {
  it("adds new dynos before removing old ones, naming a second web.1 (deploy) apart", () => {
    const from = table(app("a", [["web.1", "10.0.0.2"], ["web.2", "10.0.0.3"]]));
    const to = table(app("a", [["web.1", "10.0.0.2"], ["web.1", "10.0.0.9"]]));
    expect(serverChanges(from, to, configuredServers(from), taken(from))).toEqual([
      { op: "add", backend: "app-a", server: "web.1_2", addr: "10.0.0.9:5000" },
      { op: "remove", backend: "app-a", server: "web.2" },
    ]);
  });

  it("needs a reload when apps, hostnames or maintenance change, not when an app gains its first or loses its last dyno", () => {
    const from = table(app("a", [["web.1", "10.0.0.2"]]), app("b", []));
    const live = configuredServers(from);
    const changes = (to: RoutingTable) => serverChanges(from, to, live, taken(from));
    expect(changes(table(app("a", [["web.1", "10.0.0.2"]])))).toBeNull();
    expect(changes(table(app("a", [["web.1", "10.0.0.2"]], { hostnames: ["www.example.com"] }), app("b", [])))).toBeNull();
    expect(changes(table(app("a", [["web.1", "10.0.0.2"]], { maintenance: true }), app("b", [])))).toBeNull();
    expect(changes(table(app("a", [["web.1", "10.0.0.2"]], { tls: { redirect: true, hsts: false } }), app("b", [])))).toBeNull();
    expect(changes(table(app("a", [["web.1", "10.0.0.2"], ["web.2", "10.0.0.3"]]), app("b", [])))).toEqual([
      { op: "add", backend: "app-a", server: "web.2", addr: "10.0.0.3:5000" },
    ]);
    // First dyno: a server and "not idle"; last dyno gone: why (crashed: H10) before the server goes.
    expect(changes(table(app("a", [["web.1", "10.0.0.2"]]), app("b", [["web.1", "10.0.1.2"]])))).toEqual([
      { op: "add", backend: "app-b", server: "web.1", addr: "10.0.1.2:5000" },
      { op: "idle", backend: "app-b", idle: null },
    ]);
    expect(changes(table(app("a", [], { idle: "crashed" }), app("b", [])))).toEqual([
      { op: "idle", backend: "app-a", idle: "crashed" },
      { op: "remove", backend: "app-a", server: "web.1" },
    ]);
    expect(changes(table(app("a", [["web.1", "10.0.0.2"]]), app("b", [], { idle: "crashed" })))).toEqual([{ op: "idle", backend: "app-b", idle: "crashed" }]);
  });
});
