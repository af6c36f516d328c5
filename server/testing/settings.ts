// Changing installation settings for the length of one test step, as if they were set in
// the environment (env.ts reads them once; reloadEnv reads them again).
import { reloadEnv } from "@/server/env";

/** Runs `work` with some settings changed (undefined: unset), then puts them back. */
export async function withSettings<T>(settings: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(settings)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  reloadEnv();
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    reloadEnv();
  }
}
