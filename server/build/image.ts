import "server-only";
// Turning a source tree into an image, always inside the Engine, never on the host:
// buildpack builds run a script in a container from the builder image (limits, a time
// limit, the app's cache volume) and are committed as the image; Dockerfile builds use the
// Engine's build API with the same limits.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { env, toolchainDir } from "@/server/env";
import { AppError } from "@/server/errors";
import { buildPlan, PRELUDE, PROFILE_LOADER, PROFILE_LOADER_PATH } from "@/server/build/buildpacks";
import { planBuild } from "@/server/build/buildpack-plan";
import type { Detected } from "@/server/build/detect";
import { buildCgroup } from "@/server/build/build-cgroup";
import { engineDefaultsToNoNewPrivileges, NO_NEW_PRIVILEGES_WARNING } from "@/server/build/engine-confinement";
import { externalImages } from "@/server/build/dockerfile";
import { APP_LABEL, checkBaseImage } from "@/server/build/image-policy";
import { buildImage, createBuildNetwork, imageExists, inspectImage, listImages, withBuildContainer, type BuildContainer, type BuildNetwork } from "@/server/build/images";
import { planNodeBuild } from "@/server/build/nodejs/plan";
import { TOOLCHAIN_MOUNT } from "@/server/build/nodejs/toolchains";
import { writePlatformFile } from "@/server/build/platform-files";
import { getConfigVars } from "@/server/services/config-vars";
import { installationId } from "@/server/services/settings";

export type BuildTarget = {
  appId: string;
  sourceDir: string;
  tag: string;
  labels: Record<string, string>;
  /** Build output, as it happens (may hold partial lines). */
  onOutput: (text: string) => void;
  signal: AbortSignal;
};

const CA_PATH = "/etc/slipway/ca-certificates.crt";

export function cacheVolumeName(appId: string) {
  return `slipway-cache-${appId}`;
}

function limits() {
  const e = env();
  return { memoryBytes: e.SLIPWAY_BUILD_MEMORY_MB * 1024 * 1024, cpus: e.SLIPWAY_BUILD_CPUS };
}

/** Runs the buildpack's script in a build container and commits it as `tag`. */
export async function buildWithBuildpack(t: BuildTarget & { detected: Detected }): Promise<void> {
  const e = env();
  const builder = await inspectImage(e.SLIPWAY_BUILDER_IMAGE);
  if (!builder) {
    throw new AppError("UNAVAILABLE", `The builder image ${e.SLIPWAY_BUILDER_IMAGE} is missing on this machine (scripts/ensure-engine.sh builds it).`);
  }
  // Config vars reach the build as on Heroku (as files, see PRELUDE).
  const configVars = await getConfigVars(t.appId);
  // One buildpack's plan, or (several set on the app) each one's in order (buildpack-plan.ts).
  const plan = await planBuild(t.detected, (one) => (one.buildpack === "nodejs" ? nodePlan(t, configVars, builder.labels) : buildPlan(one, t.sourceDir)));
  for (const note of plan.notes) t.onOutput(`${note}\n`);
  writePlatformFile(t.sourceDir, PROFILE_LOADER_PATH, PROFILE_LOADER);
  const ca = e.SLIPWAY_BUILD_CA_BUNDLE && fs.existsSync(e.SLIPWAY_BUILD_CA_BUNDLE) ? e.SLIPWAY_BUILD_CA_BUNDLE : null;
  if (plan.script && e.SLIPWAY_BUILD_CA_BUNDLE && !ca) {
    // Said up front: otherwise the first sign is a TLS error deep in npm's or pip's output.
    t.onOutput(`       Warning: the CA bundle ${e.SLIPWAY_BUILD_CA_BUNDLE} (SLIPWAY_BUILD_CA_BUNDLE) does not exist; the build runs with the builder image's own trust store, so package downloads through a TLS-intercepting proxy will fail.\n`);
  }
  // Exported by the script, not set on the container: a container's env would be committed
  // into the image, and dynos do not have the bundle.
  const caExports = ca ? `export NODE_EXTRA_CA_CERTS=${CA_PATH} SSL_CERT_FILE=${CA_PATH} npm_config_cafile=${CA_PATH} PIP_CERT=${CA_PATH}\n` : "";
  const { memoryBytes, cpus } = limits();
  // Nothing to run (no dependencies, no build script): the container is only filled and
  // committed, never started, so it needs no network. Making one and removing it took
  // ~270 ms of a ~1 s deploy (measured: create 80 ms, remove 190 ms).
  const network = plan.script ? await buildNetwork() : null;
  try {
    await withBuildContainer(
      {
        image: e.SLIPWAY_BUILDER_IMAGE,
        cmd: ["/bin/bash", "-c", caExports + (plan.script ?? "true")],
        user: "slipway",
        workingDir: "/app",
        env: ["HOME=/app", "LANG=C.UTF-8"],
        labels: t.labels,
        // A network of its own (buildNetwork): no other build, no host port, no metadata address.
        network: network?.name ?? "none",
        // The installation's downloaded Node.js/npm/yarn/pnpm releases: read-only, shared by every app.
        binds: [...(ca ? [`${ca}:${CA_PATH}:ro`] : []), ...(plan.toolchains ? [`${toolchainDir()}:${TOOLCHAIN_MOUNT}:ro`] : [])],
        volumes: [{ name: cacheVolumeName(t.appId), target: "/cache", labels: cacheVolumeLabels(t) }],
        memoryBytes,
        cpus,
        pids: e.SLIPWAY_BUILD_PIDS,
      },
      async (container) => {
        await container.putArchive(packDirectory(t.sourceDir), "/app");
        if (plan.script && Object.keys(configVars).length) await container.putArchive(Readable.from([await envDirectory(configVars)]), "/tmp");
        if (plan.script) await runBuildScript(container, t);
        const [repo, tag] = splitTag(t.tag);
        // The labels say which app the image belongs to (image-policy): set on the image itself.
        const labels = Object.entries(t.labels).map(([k, v]) => `LABEL ${k}=${v}`);
        await container.commit(repo, tag, [...plan.changes, ...labels]);
      },
    );
  } finally {
    // Not waited for: the image is committed and the build container gone, and the release
    // need not wait ~200 ms for the Engine to take the bridge down (createBuildNetwork
    // sweeps any a crash leaves behind).
    void network?.remove();
  }
}

async function nodePlan(t: BuildTarget, configVars: Record<string, string>, builderLabels: Record<string, string>) {
  const node = await planNodeBuild({
    sourceDir: t.sourceDir,
    configVars,
    builder: { node: builderLabels["org.slipway.node"] ?? null, npm: builderLabels["org.slipway.npm"] ?? null },
    onOutput: t.onOutput,
  });
  return { script: node.script && PRELUDE + node.script, notes: [], toolchains: node.usesToolchains };
}

/** Config vars as Heroku's ENV_DIR: a file per variable (slipway-env/NAME), readable only by the build's user. */
async function envDirectory(vars: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const owner = { uid: 1000, gid: 1000, uname: "slipway", gname: "slipway" };
  pack.entry({ name: "slipway-env", type: "directory", mode: 0o700, ...owner });
  for (const [name, value] of Object.entries(vars)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) pack.entry({ name: `slipway-env/${name}`, mode: 0o600, ...owner }, value);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function runBuildScript(container: BuildContainer, t: BuildTarget) {
  const { exitCode, oomKilled } = await container.run(t.onOutput, t.signal);
  if (exitCode !== 0) {
    throw new AppError(
      "BAD_REQUEST",
      oomKilled
        ? `The build ran out of memory (${env().SLIPWAY_BUILD_MEMORY_MB} MB; SLIPWAY_BUILD_MEMORY_MB raises it).`
        : `The build failed (exit status ${exitCode}); see the output above.`,
    );
  }
}

/** The build cache volume's labels, when the Engine creates it: the app's and installation's. */
function cacheVolumeLabels(t: BuildTarget): Record<string, string> {
  const installation = t.labels["slipway.installation"];
  return { "slipway.managed": "1", "slipway.app-id": t.appId, ...(installation && { "slipway.installation": installation }) };
}

/** This installation's network for one build (see createBuildNetwork). */
async function buildNetwork(): Promise<BuildNetwork> {
  // Twice the longest a build may run: anything older was left behind.
  return createBuildNetwork(await installationId(), 2 * env().SLIPWAY_BUILD_TIMEOUT_SECONDS * 1000);
}

/**
 * Builds the app's own Dockerfile with the build limits: memory and CPU, a pids limit (a
 * cgroup of its own), the time limit (the caller's signal), and a cache of its own: only
 * this app's earlier images may lend it layers, never another app's identical step.
 * Every image it names must be a shared one (checkBaseImage). The Engine's build API has
 * no no-new-privileges, capability or user setting: RUN steps get no_new_privs from the
 * Engine's default (dockerd --no-new-privileges), and the build warns where it is not set.
 */
export async function buildWithDockerfile(t: BuildTarget): Promise<void> {
  const file = path.join(t.sourceDir, "Dockerfile");
  if (!fs.lstatSync(file).isFile()) throw new AppError("BAD_REQUEST", "The Dockerfile must be a file, not a link or a directory.");
  for (const use of externalImages(fs.readFileSync(file, "utf8"))) {
    await checkBaseImage(use.ref, `Dockerfile line ${use.line} (${use.text})`);
  }
  const e = env();
  const cgroup = await buildCgroup(e.SLIPWAY_BUILD_PIDS);
  if (!cgroup.parent) t.onOutput("       Note: this machine's Docker Engine cannot limit the number of processes of a Dockerfile build.\n");
  if (!(await engineDefaultsToNoNewPrivileges())) t.onOutput(NO_NEW_PRIVILEGES_WARNING);
  // RUN steps on a network of their own, like buildpack builds (buildNetwork).
  const network = await buildNetwork();
  let built = false;
  try {
    await buildImage({
      contextDir: t.sourceDir,
      tag: t.tag,
      labels: t.labels,
      limits: limits(),
      cacheFrom: await ownImages(t.appId),
      cgroupParent: cgroup.parent ?? undefined,
      network: network.name,
      signal: t.signal,
      onLine: (line) => t.onOutput(`       ${line}\n`),
    });
    built = true;
  } finally {
    cgroup.release();
    // After a stopped or failed build the Engine may hold the network for seconds
    // (removeBuildNetwork): not waited for, so the build's end is reported now.
    if (built) await network.remove();
    else void network.remove();
  }
}

/** The app's newest images (at most 5): the only ones its Dockerfile builds take cached layers from. */
async function ownImages(appId: string): Promise<string[]> {
  const images = await listImages({ reference: [`slipway-app/${appId}`], label: [`${APP_LABEL}=${appId}`] });
  return images
    .flatMap((i) => i.repoTags.filter((tag) => tag.startsWith(`slipway-app/${appId}:`)).slice(0, 1))
    .slice(0, 5);
}

function splitTag(ref: string): [string, string] {
  const i = ref.lastIndexOf(":");
  return i > ref.lastIndexOf("/") ? [ref.slice(0, i), ref.slice(i + 1)] : [ref, "latest"];
}

/** A tar of `dir` owned by the dyno user (1000), for putArchive; `.git` is left out. */
export function packDirectory(dir: string): Readable {
  const pack = tar.pack();
  const owner = { uid: 1000, gid: 1000, uname: "slipway", gname: "slipway" };
  (async () => {
    const walk = async (rel: string): Promise<void> => {
      const entries = await fs.promises.readdir(path.join(dir, rel), { withFileTypes: true });
      for (const ent of entries) {
        if (!rel && ent.name === ".git") continue;
        const r = rel ? `${rel}/${ent.name}` : ent.name;
        const full = path.join(dir, r);
        const st = await fs.promises.lstat(full);
        if (st.isDirectory()) {
          await entry(pack, { name: r, type: "directory", mode: 0o755, mtime: st.mtime, ...owner });
          await walk(r);
        } else if (st.isSymbolicLink()) {
          await entry(pack, { name: r, type: "symlink", linkname: await fs.promises.readlink(full), ...owner });
        } else if (st.isFile()) {
          await entry(pack, { name: r, type: "file", size: st.size, mode: st.mode & 0o111 ? 0o755 : 0o644, mtime: st.mtime, ...owner }, full);
        }
      }
    };
    await walk("");
    pack.finalize();
  })().catch((err) => pack.destroy(err));
  return pack as unknown as Readable;
}

function entry(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, file?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!file) {
      pack.entry(header, (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    fs.createReadStream(file).on("error", reject).pipe(sink);
  });
}
