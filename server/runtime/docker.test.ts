// Real Docker Engine: needs dockerd and the stack image (scripts/lib.sh ensure_docker,
// ensure_stack_image — npm test runs both).
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import {
  RunInterruptedError,
  STACK_IMAGE,
  containerExists,
  docker,
  pingEngine,
  runToCompletion,
} from "@/server/runtime/docker";
import { imageExists } from "@/server/build/images";

const TEST_LABELS = { "slipway.test": "1" };
const uniqueName = (what: string) => `slipway-test-${what}-${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  // Anything a failed test left behind.
  const left = await docker().listContainers({ all: true, filters: { label: ["slipway.test=1"] } });
  await Promise.all(left.map((c) => docker().getContainer(c.Id).remove({ force: true }).catch(() => {})));
});

describe("docker gateway (real engine)", () => {
  it("reaches the engine and finds the stack image", async () => {
    expect(await pingEngine()).toBe(true);
    expect(await imageExists(STACK_IMAGE)).toBe(true);
    expect(await imageExists("slipway/no-such-image:nope")).toBe(false);
  });

  it("runs node in the stack image as the unprivileged user and removes the container", async () => {
    const name = uniqueName("node");
    const res = await runToCompletion({
      image: STACK_IMAGE,
      cmd: ["sh", "-c", 'node --version && id -u && echo "$GREETING" >&2'],
      env: { GREETING: "hello from stderr" },
      labels: TEST_LABELS,
      name,
    });
    expect(res.exitCode).toBe(0);
    const [version, uid] = res.stdout.trim().split("\n");
    expect(version).toMatch(/^v\d+\./);
    expect(uid).toBe("1000");
    expect(res.stderr.trim()).toBe("hello from stderr");
    expect(await containerExists(name)).toBe(false);
  });

  it("returns a non-zero exit code as a result", async () => {
    const name = uniqueName("exit");
    const res = await runToCompletion({
      image: STACK_IMAGE,
      cmd: ["sh", "-c", "echo partial; exit 3"],
      user: "root",
      labels: TEST_LABELS,
      name,
    });
    expect(res).toEqual({ exitCode: 3, stdout: "partial\n", stderr: "" });
    expect(await containerExists(name)).toBe(false);
  });

  it("kills and removes the container when the timeout fires", async () => {
    const name = uniqueName("timeout");
    const started = Date.now();
    const run = runToCompletion({ image: STACK_IMAGE, cmd: ["sleep", "60"], labels: TEST_LABELS, name, timeoutMs: 1_500 });
    await expect(run).rejects.toBeInstanceOf(RunInterruptedError);
    await expect(run).rejects.toMatchObject({ reason: "timeout", code: "UNAVAILABLE" });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await containerExists(name)).toBe(false);
  });

  it("kills and removes the container when the signal aborts", async () => {
    const name = uniqueName("abort");
    const ctrl = new AbortController();
    const run = runToCompletion({ image: STACK_IMAGE, cmd: ["sleep", "60"], labels: TEST_LABELS, name, signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 1_000);
    await expect(run).rejects.toMatchObject({ reason: "aborted" });
    expect(await containerExists(name)).toBe(false);
  });

  it("maps engine errors to AppError without the raw Docker message", async () => {
    const err = await runToCompletion({ image: "slipway/no-such-image:nope", cmd: ["true"], labels: TEST_LABELS }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "NOT_FOUND", message: "Create a container from slipway/no-such-image:nope: not found." });
    expect((err as AppError).details?.cause).toBeDefined();
  });
});
