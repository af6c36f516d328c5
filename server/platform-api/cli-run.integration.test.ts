// `heroku run` and friends with the official CLI against a running platform: attached
// one-offs through the TLS rendezvous (exit status, piped stdin, an interactive terminal
// through a pseudo-terminal made by `script`), `run:detached` into the logs, `ps` and
// `ps:stop run.N`. Runs only against a started platform (scripts/with-platform.sh).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, apiOk, baseUrl, bearer, cliEnv, heroku, herokuBin, newUser, ok, removeHomes, unique } from "@/server/testing/heroku-cli";

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]|\u001b[=>]/g;

/** A CLI process whose output can be awaited: `until(re)` resolves once it shows up. */
function live(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { env, stdio: ["pipe", "pipe", "pipe"] }) as ChildProcessWithoutNullStreams;
  let out = "";
  const waiters: Array<{ re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.re.exec(out.slice(w.from).replace(ANSI, ""));
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const take = (d: Buffer) => {
    out += d.toString();
    check();
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out.replace(ANSI, ""),
    mark: () => out.length,
    /** Resolves when `re` matches the output after `from` (default: all of it). */
    until(re: RegExp, from = 0, ms = 60_000): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${out.replace(ANSI, "")}`)), ms);
        waiters.push({ re, from, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        check();
      });
    },
  };
}

describe.skipIf(!baseUrl)("heroku run against a running platform", { timeout: 120_000 }, () => {
  const app = `run-${unique()}-${unique()}`;
  let apiKey: string;
  let caFile: string;
  const env = () => cliEnv({ apiKey });

  beforeAll(async () => {
    ({ apiKey } = await newUser("run"));
    await apiOk("POST", "/apps", apiKey, { name: app }); // apps:create is heroku-cli's case
    // A release on the stack image (bash, node); no formation dynos (worker=0).
    const res = await fetch(`${baseUrl}/api/trpc/releases.deployImage`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...bearer(apiKey) },
      body: JSON.stringify({ json: { app, image: "slipway/stack:bookworm", processTypes: { worker: "sleep 3600" } } }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // The CLI validates the rendezvous certificate: it trusts the platform's CA as users do.
    const ca = await fetch(`${baseUrl}/api/rendezvous-ca`);
    expect(ca.status).toBe(200);
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "slipway-run-ca-")), "ca.pem");
    fs.writeFileSync(caFile, await ca.text());
    process.env.NODE_EXTRA_CA_CERTS = caFile;
  });

  afterAll(async () => {
    if (apiKey) await api("DELETE", `/apps/${app}`, bearer(apiKey));
    delete process.env.NODE_EXTRA_CA_CERTS;
    if (caFile) fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
    removeHomes();
  });

  it("runs a command attached: its output, exit status 0", async () => {
    const run = await ok(["run", "-a", app, "--", "node", "-e", "console.log(6 * 7)"], { apiKey });
    expect(run.stdout.trim()).toBe("42");
    expect(run.stderr).toMatch(/Running node -e .* up, run\.\d+/s);
  });

  it("returns the command's exit status to the CLI", async () => {
    const run = await heroku(["run", "-a", app, "--", "sh", "-c", "exit 3"], { apiKey });
    expect(run.code, run.stdout + run.stderr).toBe(3);
  });

  it("pipes stdin into the dyno: `echo 'echo hi' | heroku run bash`", async () => {
    const p = live(herokuBin, ["run", "bash", "-a", app], env());
    try {
      p.child.stdin.end("echo hi-$((40+2))\n");
      expect(await p.exited, p.output()).toBe(0);
      expect(p.output()).toMatch(/^hi-42\r?$/m);
    } finally {
      p.child.kill("SIGKILL");
    }
  });

  it("gives a terminal: typed commands, its size, Ctrl-C, exit status", async () => {
    // `script` makes the pseudo-terminal the CLI sees as its stdin and stdout (raw mode,
    // keystrokes as typed), sized 123×45 before the CLI starts so it announces that size.
    const p = live("script", ["-qefc", `stty cols 123 rows 45; exec ${herokuBin} run bash -a ${app}`, "/dev/null"], env());
    try {
      await p.until(/\$ $/m);
      let at = p.mark();
      p.child.stdin.write("echo typed-$((6*7)); stty size; tty\r");
      await p.until(/typed-42\r*\n45 123\r*\n\/dev\/pts\/\d+/, at);
      // Ctrl-C reaches the dyno's foreground process through its terminal; the shell stays.
      at = p.mark();
      // Ctrl-C once the sleeping process holds the terminal: it prints the marker itself
      // and then execs sleep, so the marker comes after bash gave it the terminal. Not the
      // typed line's echo (CI once sent ^C while bash still read the line, and the rest ran
      // as "leep 30; …"), and not a builtin echo before `sleep` (CI once sent ^C between
      // bash's fork and the child taking the terminal: bash got the SIGINT, sleep ran its
      // 30 s, and the list went on to print not-interrupted).
      p.child.stdin.write("sh -c 'echo started-$((2+3)); exec sleep 30'; echo not-interrupted\r");
      await p.until(/^started-5\r?$/m, at);
      p.child.stdin.write("\u0003");
      await p.until(/\^C/, at);
      at = p.mark();
      p.child.stdin.write("echo after-$((1+1))\r");
      await p.until(/after-2/, at);
      expect(p.output()).not.toMatch(/^not-interrupted/m); // its command line shows it, its output does not
      p.child.stdin.write("exit 7\r");
      expect(await p.exited, p.output()).toBe(7);
    } finally {
      p.child.kill("SIGKILL");
    }
  });

  it("run:detached sends the output to the logs as app[run.N]; ps lists it and ps:stop stops it", async () => {
    const tail = live(herokuBin, ["logs", "--tail", "-a", app], env());
    try {
      await tail.until(/./, 0, 30_000).catch(() => undefined); // the tail is connected once anything shows
      const word = `detached-${unique()}`;
      const done = await ok(["run:detached", "-a", app, "--", "sh", "-c", `echo ${word}; sleep 300`], { apiKey });
      const dyno = /--dyno (run\.\d+)/.exec(done.stdout)?.[1];
      expect(dyno, done.stdout + done.stderr).toBeTruthy();
      await tail.until(new RegExp(`app\\[${dyno!.replace(".", "\\.")}\\]: ${word}`));

      const ps = await ok(["ps", "-a", app], { apiKey });
      expect(ps.stdout).toMatch(new RegExp(`^${dyno!.replace(".", "\\.")} .*up`, "m"));

      const at = tail.mark(); // run.N names are reused: only what follows the stop counts
      await ok(["ps:stop", dyno!, "-a", app], { apiKey });
      await tail.until(new RegExp(`\\w+\\[${dyno!.replace(".", "\\.")}\\]: State changed from up to complete`), at);
      // The row goes right after the exit is logged.
      for (let i = 0; i < 50; i++) {
        const dynos = await api("GET", `/apps/${app}/dynos`, bearer(apiKey));
        if (!(dynos.body as unknown as Array<{ name: string }>).some((d) => d.name === dyno)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await ok(["ps", "-a", app], { apiKey })).stdout).not.toContain(`${dyno} `);
    } finally {
      tail.child.kill("SIGKILL");
    }
  });

  it("run:inside worker.1 runs a command inside a running dyno (the platform's ps:exec)", async () => {
    await ok(["ps:scale", "worker=1", "-a", app], { apiKey });
    try {
      // The dyno manager starts it a moment later; a worker is up once its process runs.
      for (let i = 0; i < 100; i++) {
        const dynos = await api("GET", `/apps/${app}/dynos`, bearer(apiKey));
        if ((dynos.body as unknown as Array<{ name: string; state: string }>).some((d) => d.name === "worker.1" && d.state === "up")) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      const inside = await ok(["run:inside", "worker.1", "echo inside-$DYNO-$(cat /proc/1/cmdline | tr '\\0' ' ')", "-a", app], { apiKey });
      expect(inside.stdout).toMatch(/^inside-worker\.1-.*sleep 3600/m);
      const failed = await heroku(["run:inside", "worker.1", "exit 4", "-a", app], { apiKey });
      expect(failed.code, failed.stdout + failed.stderr).toBe(4);
    } finally {
      await ok(["ps:scale", "worker=0", "-a", app], { apiKey });
    }
  });

  it("refuses a caller who cannot see the app (404)", async () => {
    const other = await newUser("run-other");
    const res = await api("POST", `/apps/${app}/dynos`, bearer(other.apiKey), { command: "true", attach: true });
    expect(res.status).toBe(404);
  });
});
