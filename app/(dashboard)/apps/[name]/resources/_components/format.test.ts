import { describe, expect, it } from "vitest";
import { DYNO_SIZES } from "@/server/runtime/sizes";
import { describeSize } from "./format";
import { memoryAfter } from "./quota";

describe("describeSize", () => {
  it("shows each size's memory, CPU and pids limits, as the size picker lists them", () => {
    expect(DYNO_SIZES.map((s) => `${s.name}: ${describeSize(s)}`)).toEqual([
      "eco: 512 MB · 0.25 CPU · 256 processes",
      "basic: 512 MB · 0.5 CPU · 256 processes",
      "standard-1x: 512 MB · 1 CPU · 256 processes",
      "standard-2x: 1 GB · 2 CPU · 512 processes",
      "performance-m: 2.5 GB · 2 CPU · 16,384 processes",
      "performance-l: 14 GB · 8 CPU · 32,768 processes",
    ]);
  });
});

describe("memoryAfter", () => {
  const quotas = (used: number, limit: number, instUsed: number, instLimit: number, team?: string) => ({
    owner: team ? { kind: "team" as const, name: team } : { kind: "user" as const },
    dynoMemory: { usedMb: used, limitMb: limit },
    installationMemory: { usedMb: instUsed, limitMb: instLimit },
    dynosPerProcessType: 10,
    oneOffDynos: 5,
    addons: { used: 0, limit: 10 },
  });
  it("says what is in use and left, and refuses as the server would", () => {
    expect(memoryAfter(quotas(1536, 6144, 4096, 19200), 512, 512).text).toBe("1.5 GB of your 6 GB dyno memory in use · 4.5 GB left");
    expect(memoryAfter(quotas(1536, 6144, 4096, 19200, "acme"), 512, 1024)).toMatchObject({ isOver: false, text: "2 GB of team acme's 6 GB dyno memory after this change · 4 GB left" });
    expect(memoryAfter(quotas(1536, 2048, 4096, 19200), 512, 2048)).toMatchObject({ isOver: true, text: "This would use 3 GB of dyno memory; your limit is 2 GB (1.5 GB in use)." });
    // The installation binds when less of it is left than of the owner's share.
    expect(memoryAfter(quotas(512, 6144, 19000, 19200), 512, 1024).text).toMatch(/^This would use 19\.1 GB of dyno memory; this installation's limit is 18\.8 GB/);
    // Scaling down is always fine.
    expect(memoryAfter(quotas(4096, 2048, 4096, 19200), 2048, 1024).isOver).toBe(false);
  });
});
