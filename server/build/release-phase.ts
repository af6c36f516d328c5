import "server-only";
// Heroku's release phase: the `release` process type runs as a one-off dyno of a pending
// release; only a zero exit makes the release succeeded (current). A build runs it before
// its release goes live, and `heroku releases:retry` runs it again for a copy of the
// latest release. Otherwise the release is failed and the previous one keeps serving.
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { runCommand } from "@/server/services/formation";

export type OutputSink = { line: (text?: string) => void; write: (text: string) => void };

export async function runReleasePhase(input: {
  appId: string;
  release: { id: string; version: number };
  command: string;
  log: OutputSink;
  signal?: AbortSignal;
}): Promise<void> {
  input.log.line(`-----> Running release command: ${input.command}`);
  let exitCode: number;
  try {
    ({ exitCode } = await runCommand({
      appId: input.appId,
      command: input.command,
      releaseId: input.release.id,
      namePrefix: "release",
      signal: input.signal,
      timeoutMs: env().SLIPWAY_BUILD_TIMEOUT_SECONDS * 1000,
      onOutput: (_stream, text) => input.log.write(text.replace(/^(?=.)/gm, "       ")),
    }));
  } catch (err) {
    await db.release.update({ where: { id: input.release.id }, data: { status: "failed" } });
    throw err;
  }
  if (exitCode !== 0) {
    await db.release.update({ where: { id: input.release.id }, data: { status: "failed" } });
    throw new AppError("BAD_REQUEST", `Release command failed (exit status ${exitCode}): v${input.release.version} was not released; the previous release keeps serving.`);
  }
  await db.$transaction([
    db.release.update({ where: { id: input.release.id }, data: { status: "succeeded" } }),
    db.app.update({ where: { id: input.appId }, data: { releasedAt: new Date() } }),
  ]);
}
