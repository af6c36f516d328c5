// The request log's rotation rules, on real files: it waits for a running reader however far
// it lags, and stops waiting for one that has not saved its place for a minute.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RequestLog } from "@/server/router/request-log";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-reqlog-"));
  dirs.push(dir);
  const file = path.join(dir, "requests.log");
  return { file, log: new RequestLog(file, 1_000) };
}

const line = (i: number) => `${String(i).padStart(99, "x")}\n`; // 100 bytes
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("RequestLog", () => {
  it("rotates past the limit once the reader reads the current file", async () => {
    const { file, log } = setup();
    fs.writeFileSync(`${file}.offset`, `0 ${fs.statSync(file).ino}`); // the reader is on this file
    for (let i = 0; i < 12; i++) log.write(line(i)), await settle();
    expect(fs.existsSync(`${file}.1`)).toBe(true);
    expect(fs.readFileSync(`${file}.1`, "utf8").split("\n")[0]).toBe(line(0).trim());
    expect(fs.statSync(file).size).toBeLessThan(1_000);
    log.close();
  });

  it("waits for a running reader still on the previous file, however far past the limit", async () => {
    const { file, log } = setup();
    fs.writeFileSync(`${file}.offset`, "0 1"); // a live reader (fresh save) on another file
    for (let i = 0; i < 60; i++) log.write(line(i)), await settle();
    expect(fs.existsSync(`${file}.1`)).toBe(false);
    expect(fs.statSync(file).size).toBe(6_000);
    log.close();
  });

  it("rotates at 4 × the limit when the reader has not saved its place for a minute", async () => {
    const { file, log } = setup();
    fs.writeFileSync(`${file}.offset`, "0 1");
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(`${file}.offset`, old, old);
    for (let i = 0; i < 45; i++) log.write(line(i)), await settle();
    expect(fs.readFileSync(`${file}.1`, "utf8").length).toBe(4_000);
    log.close();
  });
});
