// The embedded database's buffer pool (openPglite): small by default, set by
// SLIPWAY_PGLITE_SHARED_BUFFERS, a bad value refused before anything is opened.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openPglite, PGLITE_SHARED_BUFFERS_DEFAULT } from "@/server/db/adapter";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-adapter-"));
afterEach(() => {
  delete process.env.SLIPWAY_PGLITE_SHARED_BUFFERS;
});

describe("openPglite", () => {
  it("opens the database with the platform's buffer pool, or the one configured", async () => {
    const db = openPglite(path.join(tmp, "a"));
    expect((await db.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0]!.shared_buffers).toBe(PGLITE_SHARED_BUFFERS_DEFAULT);
    await db.close();
    process.env.SLIPWAY_PGLITE_SHARED_BUFFERS = "16MB";
    const again = openPglite(path.join(tmp, "a"));
    expect((await again.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0]!.shared_buffers).toBe("16MB");
    await again.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("refuses a value Postgres would not take", () => {
    process.env.SLIPWAY_PGLITE_SHARED_BUFFERS = "lots";
    expect(() => openPglite(undefined)).toThrow(/SLIPWAY_PGLITE_SHARED_BUFFERS must be a size such as 32MB, not lots/);
  });
});
