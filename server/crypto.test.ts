import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// server/env caches the settings and server/crypto the key: each "load" below is a fresh
// import of both, as a restarted server would do.
async function freshCrypto() {
  vi.resetModules();
  return import("@/server/crypto");
}

describe("the secret key generated into the data directory", () => {
  const saved = { key: process.env.SLIPWAY_SECRET_KEY, dir: process.env.SLIPWAY_DATA_DIR };
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-key-"));
    delete process.env.SLIPWAY_SECRET_KEY;
    process.env.SLIPWAY_DATA_DIR = path.join(dir, "nested", "data"); // not created yet
  });

  afterEach(() => {
    process.env.SLIPWAY_SECRET_KEY = saved.key;
    process.env.SLIPWAY_DATA_DIR = saved.dir;
    if (saved.key === undefined) delete process.env.SLIPWAY_SECRET_KEY;
    if (saved.dir === undefined) delete process.env.SLIPWAY_DATA_DIR;
    vi.resetModules();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is created once, readable only by its owner, and the same on the next load", async () => {
    const file = path.join(dir, "nested", "data", "secret.key");
    const first = await freshCrypto();
    expect(fs.existsSync(file)).toBe(false); // generated on first use, not on import
    const sealed = first.encrypt("hello");

    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = fs.readFileSync(file, "utf8");
    expect(Buffer.from(stored.trim(), "base64")).toHaveLength(32);

    const second = await freshCrypto();
    expect(second.decrypt(sealed)).toBe("hello");
    expect(second.deriveKey("token").equals(first.deriveKey("token"))).toBe(true);
    expect(fs.readFileSync(file, "utf8")).toBe(stored);
  });

  it("is not used when SLIPWAY_SECRET_KEY is set", async () => {
    process.env.SLIPWAY_SECRET_KEY = "from-the-environment";
    const fromEnv = await freshCrypto();
    const sealed = fromEnv.encrypt("hello");
    expect(fs.existsSync(path.join(dir, "nested", "data", "secret.key"))).toBe(false);

    delete process.env.SLIPWAY_SECRET_KEY;
    const generated = await freshCrypto();
    expect(() => generated.decrypt(sealed)).toThrow();
  });
});
