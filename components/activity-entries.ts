import type { BuildSummary, ReleaseSummary } from "@/components/build-types";

export type ActivityEntry =
  | { kind: "release"; key: string; at: Date; release: ReleaseSummary; build: BuildSummary | null }
  | { kind: "build"; key: string; at: Date; build: BuildSummary };

/**
 * Releases and builds as one history, newest first. A build that produced a release is
 * shown with that release (one entry: "v5 Deploy 1a2b3c4", with its build output); builds
 * that are still running, or failed before releasing, are entries of their own.
 * (Matched through build.release, not release.buildId: later config-var releases carry
 * the same buildId forward, but were not produced by that build.)
 */
export function mergeActivity(releases: ReleaseSummary[], builds: BuildSummary[]): ActivityEntry[] {
  const byVersion = new Map<number, BuildSummary>();
  for (const b of builds) if (b.release) byVersion.set(b.release.version, b);
  const releaseVersions = new Set(releases.map((r) => r.version));

  const entries: ActivityEntry[] = [
    ...releases.map((release): ActivityEntry => ({
      kind: "release",
      key: `release-${release.id}`,
      at: new Date(release.createdAt),
      release,
      build: byVersion.get(release.version) ?? null,
    })),
    ...builds
      .filter((b) => !b.release || !releaseVersions.has(b.release.version))
      .map((build): ActivityEntry => ({ kind: "build", key: `build-${build.id}`, at: new Date(build.createdAt), build })),
  ];
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime());
}
