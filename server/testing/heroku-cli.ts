// The official `heroku` CLI as a test client of a running platform (scripts/test.sh starts
// one and sets SLIPWAY_TEST_BASE_URL). Shared by every *.integration.test.ts: run the CLI
// with a throwaway HOME, call the Platform API directly, and make users of its own.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";

export const baseUrl = process.env.SLIPWAY_TEST_BASE_URL?.replace(/\/$/, "");
// scripts/lib.sh ensure_heroku_cli's wrapper (the CLI on Node 22 with a compile cache), else the CLI's own bin.
const cliDir = path.join(process.env.SLIPWAY_CACHE_DIR ?? path.join(os.homedir(), ".cache/slipway"), "heroku-cli");
export const herokuBin =
  process.env.SLIPWAY_TEST_HEROKU_BIN ?? (fs.existsSync(path.join(cliDir, "heroku")) ? path.join(cliDir, "heroku") : path.join(cliDir, "node_modules/.bin/heroku"));
export const adminEmail = process.env.SLIPWAY_TEST_ADMIN_EMAIL;
// The router scripts/test.sh starts beside the platform; requests go to it with a Host header.
export const routerPort = Number(process.env.SLIPWAY_TEST_ROUTER_PORT) || 0;
export const adminPassword = process.env.SLIPWAY_TEST_ADMIN_PASSWORD;

const ACCEPT = "application/vnd.heroku+json; version=3";
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
export const unique = () => Math.random().toString(36).slice(2, 8);

export type Run = { code: number | null; stdout: string; stderr: string };
export type RunOptions = {
  apiKey?: string | null;
  home?: string;
  cwd?: string;
  prompts?: Array<[RegExp, string]>;
  /** Another URL for the platform (e.g. a forwarder from another address: server/testing/from-address.ts). */
  hostUrl?: string;
  /** More environment for the CLI (e.g. dataEnv() for pg:* and redis:*). */
  env?: Record<string, string>;
  /** Written to the CLI's stdin, which is then closed. */
  stdin?: string;
};

const homes: string[] = [];
export function throwawayHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-heroku-home-"));
  homes.push(home);
  return home;
}

/** Removes the HOMEs made so far (call from afterAll). */
export function removeHomes() {
  for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true });
}

/** Runs the CLI with an argv array; `prompts` answer interactive questions as they appear on stderr. */
export function cliEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    // Not vitest's "test": the CLI would change how it records telemetry.
    NODE_ENV: "production",
    PATH: process.env.PATH,
    HOME: options.home ?? throwawayHome(),
    HEROKU_HOST: options.hostUrl ?? baseUrl,
    HEROKU_PARTICLEBOARD_URL: options.hostUrl ?? baseUrl,
    // buildpacks:set NAME asks Heroku's buildpack registry for the name's URL; Slipway answers it.
    HEROKU_BUILDPACK_REGISTRY_URL: options.hostUrl ?? baseUrl,
    HEROKU_SKIP_NEW_VERSION_CHECK: "true",
    HEROKU_DISABLE_AUTOUPDATE: "true",
    DISABLE_TELEMETRY: "true",
    HEROKU_SKIP_ANALYTICS: "1",
    NO_COLOR: "1",
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
  };
  if (options.apiKey) env.HEROKU_API_KEY = options.apiKey;
  return { ...env, ...options.env };
}

export function heroku(args: string[], options: RunOptions = {}): Promise<Run> {
  const env = cliEnv(options);
  return new Promise((resolve, reject) => {
    const child = spawn(herokuBin, args, { env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const pending = [...(options.prompts ?? [])];
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      // Each answer goes in only once its question is on screen: typed ahead, the first
      // prompt would swallow them all.
      while (pending.length && pending[0]![0].test(stderr.replace(ANSI, ""))) child.stdin.write(`${pending.shift()![1]}\n`);
    });
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else if (!pending.length) child.stdin.end();
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: stdout.replace(ANSI, ""), stderr: stderr.replace(ANSI, "") }));
  });
}

export async function ok(args: string[], options: RunOptions = {}): Promise<Run> {
  const run = await heroku(args, options);
  expect(run.code, `heroku ${args.join(" ")}\n${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

export async function api(method: string, apiPath: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${baseUrl}${apiPath}`, {
    method,
    headers: { Accept: ACCEPT, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function viaRouter(host: string): Promise<{ status: number; body: string }> {
  const { get } = await import("@/server/testing/router");
  const r = await get(routerPort, host);
  return { status: r.status, body: r.body };
}

export const basicAuth = (email: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${email}:${password}`).toString("base64")}` });

export const bearer = (apiKey: string) => ({ Authorization: `Bearer ${apiKey}` });

/**
 * A Platform API call that must succeed (2xx), for a suite's set-up where the CLI command is
 * not what the case tests: ~1 s of CPU less than the CLI's start-up, per call.
 */
export async function apiOk(method: string, apiPath: string, apiKey: string, body?: unknown) {
  const res = await api(method, apiPath, bearer(apiKey), body);
  expect(res.status >= 200 && res.status < 300, `${method} ${apiPath} answered ${res.status}: ${JSON.stringify(res.body)}`).toBe(true);
  return res.body;
}

/** A tRPC mutation with an API key (the dashboard's door, for what the CLI cannot do); must answer 200. */
export async function trpc(apiKey: string, path: string, input: unknown) {
  const res = await fetch(`${baseUrl}/api/trpc/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...bearer(apiKey) },
    body: JSON.stringify({ json: input }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Trades email + password for an API key, as `heroku login -i` does. */
export async function apiKeyFor(email: string, password: string): Promise<string> {
  const auth = await api("POST", "/oauth/authorizations", basicAuth(email, password), { description: "slipway CLI tests", expires_in: 3600 });
  expect(auth.status, JSON.stringify(auth.body)).toBe(201);
  return auth.body.access_token.token as string;
}

/** A new account of its own (signed up through the dashboard's tRPC door) with an API key. */
export async function newUser(prefix = "cli"): Promise<{ email: string; password: string; apiKey: string }> {
  const email = `${prefix}-${unique()}-${unique()}@example.com`;
  const password = `pw-${unique()}-${unique()}`;
  const res = await fetch(`${baseUrl}/api/trpc/auth.signUp`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: baseUrl! },
    body: JSON.stringify({ json: { email, password } }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { email, password, apiKey: await apiKeyFor(email, password) };
}
