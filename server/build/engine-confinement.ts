import "server-only";
// Whether the Engine starts containers with no_new_privs by default (dockerd
// --no-new-privileges, which scripts/lib.sh sets when Slipway starts dockerd). The build API
// of Engine 20.10 takes no security options, so for Dockerfile RUN steps this default is the
// only way to keep a setuid binary in a tenant's image from gaining root. Asked once per
// process, by running a container that sets nothing and reading its own status.
import { runToCompletion, STACK_IMAGE } from "@/server/runtime/docker";

const holder = globalThis as unknown as { slipwayEngineNoNewPrivs?: Promise<boolean> };

export function engineDefaultsToNoNewPrivileges(): Promise<boolean> {
  holder.slipwayEngineNoNewPrivs ??= runToCompletion({
    image: STACK_IMAGE,
    cmd: ["grep", "-q", "^NoNewPrivs:[[:space:]]*1", "/proc/self/status"],
    labels: { "slipway.probe": "no-new-privileges" },
    network: "none",
    timeoutMs: 30_000,
  })
    .then((r) => r.exitCode === 0)
    .catch((err) => {
      holder.slipwayEngineNoNewPrivs = undefined; // ask again next build
      throw err;
    });
  return holder.slipwayEngineNoNewPrivs;
}

export const NO_NEW_PRIVILEGES_WARNING =
  "       Warning: this machine's Docker Engine was not started with --no-new-privileges, so a setuid program in a RUN step can gain root inside the build. An installation admin should start dockerd with --no-new-privileges (npm run up does).\n";
