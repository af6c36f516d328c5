import { describe, expect, it } from "vitest";
import { DYNO_SIZES } from "@/server/runtime/sizes";
import { describeSize } from "./format";

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
