// app.json parsing: every problem comes back with its JSON path, all at once; what the
// platform cannot honour is refused; environments.review merges as Heroku's does.
import { describe, expect, it } from "vitest";
import { manifestFor, parseAppJson, type ManifestProblem } from "@/server/services/app-json/parse";
import { generateSecret, resolveEnv } from "@/server/services/app-json/apply";

function problems(json: unknown): ManifestProblem[] {
  const r = parseAppJson(typeof json === "string" ? json : JSON.stringify(json));
  if (r.ok) throw new Error("expected problems, got a manifest");
  return r.errors;
}
const paths = (json: unknown) => problems(json).map((p) => p.path);

function manifest(json: unknown) {
  const r = parseAppJson(JSON.stringify(json));
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("; "));
  return r.manifest;
}

describe("parseAppJson", () => {
  it("reads Heroku's example manifest, resolving plans, sizes and the shorthand env", () => {
    const m = manifest({
      name: "Small Sharp Tool",
      description: "This app does one little thing, and does it well.",
      keywords: ["productivity"],
      website: "https://small-sharp-tool.com/",
      success_url: "/welcome",
      scripts: { postdeploy: "bundle exec rake bootstrap", "pr-predestroy": { command: "node cleanup.js", size: "standard-2X" } },
      env: {
        SECRET_TOKEN: { description: "A secret key", generator: "secret" },
        WEB_CONCURRENCY: { description: "Processes", value: "5" },
        OPTIONAL: { required: false },
        SHORT: "hi",
      },
      formation: { web: { quantity: 2, size: "Standard-1X" }, worker: { quantity: 1 } },
      addons: ["heroku-redis", { plan: "heroku-postgresql:essential-1", as: "reports", options: { version: "15" } }],
      buildpacks: [{ url: "heroku/nodejs" }],
      stack: "bookworm",
      image: "heroku/ruby",
      environments: { test: { scripts: { test: "npm test" } } },
    });
    expect(m.name).toBe("Small Sharp Tool");
    expect(m.successUrl).toBe("/welcome");
    expect(m.env.SECRET_TOKEN).toEqual({ description: "A secret key", value: null, required: true, generator: "secret" });
    expect(m.env.SHORT).toEqual({ description: null, value: "hi", required: true, generator: null });
    expect(m.env.OPTIONAL!.required).toBe(false);
    expect(m.formation).toEqual({ web: { quantity: 2, size: "standard-1x" }, worker: { quantity: 1, size: null } });
    expect(m.addons).toEqual([
      { plan: "heroku-redis", service: "slipway-redis", planName: "mini", as: null, options: null },
      { plan: "heroku-postgresql:essential-1", service: "slipway-postgresql", planName: "essential-1", as: "REPORTS", options: { version: "15" } },
    ]);
    expect(m.scripts).toEqual({ postdeploy: { command: "bundle exec rake bootstrap", size: null }, prPredestroy: { command: "node cleanup.js", size: "standard-2x" } });
    expect(m.buildpacks).toEqual([{ url: "heroku/nodejs", buildpack: "nodejs" }]);
    expect(m.environments.review).toBeNull();
  });

  it("accepts an empty object", () => {
    const m = manifest({});
    expect(m.env).toEqual({});
    expect(m.addons).toEqual([]);
    expect(m.scripts.postdeploy).toBeNull();
  });

  it("gives the line and column of a syntax error", () => {
    const [p] = problems('{\n  "env": {\n    "A": "b",\n  }\n}');
    expect(p!.path).toBe("(root)");
    expect(p!.message).toMatch(/^is not valid JSON \(line 4 column 3\)/);
  });

  it("refuses a manifest that is not an object", () => {
    expect(problems("[]")).toEqual([{ path: "(root)", message: "must be a JSON object, not an array" }]);
  });

  it("reports every problem at once, each at its JSON path", () => {
    expect(
      paths({
        name: 42,
        env: { "1BAD": "x", GOOD: { generator: "uuid" }, REQ: { required: "yes" }, NUM: 5, VAL: { value: 7 } },
        formation: { web: { quantity: -1 }, worker: { size: "huge" }, "bad type!": {}, release: { quantity: 1 }, eco: { quantity: 3, size: "eco" } },
        addons: ["no-such-service", { as: "X" }, { plan: "heroku-redis:gigantic" }, { plan: "heroku-redis", as: "DATABASE_URL" }, { plan: "heroku-redis", options: 3 }, 7],
        scripts: { postdeploy: 12, "pr-predestroy": { size: "standard-1x" } },
        buildpacks: [{ url: "https://github.com/heroku/heroku-buildpack-ruby" }, "heroku/nodejs"],
        stack: "heroku-24",
        keywords: ["ok", 3],
        environments: { review: { env: { BAD: { generator: 1 } }, formation: { web: { quantity: "two" } }, addons: "heroku-redis", stack: "heroku-22" } },
      }),
    ).toEqual([
      "name",
      "keywords[1]",
      'env["1BAD"]',
      "env.GOOD.generator",
      "env.REQ.required",
      "env.NUM",
      "env.VAL.value",
      "formation.web.quantity",
      "formation.worker.size",
      'formation["bad type!"]',
      "formation.release",
      "formation.eco.quantity",
      "addons[0]",
      "addons[1].plan",
      "addons[2].plan",
      "addons[3].as",
      "addons[4].options",
      "addons[5]",
      "scripts.postdeploy",
      "scripts.pr-predestroy.command",
      "buildpacks[0].url",
      "buildpacks[1]",
      "stack",
      "environments.review.env.BAD.generator",
      "environments.review.formation.web.quantity",
      "environments.review.addons",
      "environments.review.stack",
    ]);
  });

  it("says what this platform has when it refuses something", () => {
    const byPath = Object.fromEntries(problems({ stack: "heroku-24", addons: ["papertrail"], formation: { web: { size: "private-l" } } }).map((p) => [p.path, p.message]));
    expect(byPath.stack).toBe('"heroku-24" is not a stack here: this platform has one stack, bookworm');
    expect(byPath["addons[0]"]).toMatch(/"papertrail" is not an add-on service here \(slipway-postgresql, heroku-postgresql.*slipway-redis, heroku-redis/);
    expect(byPath["formation.web.size"]).toMatch(/is not a dyno size here \(eco, basic, standard-1x/);
  });

  it("maps the official buildpacks and refuses more than one", () => {
    expect(manifest({ buildpacks: [{ url: "https://github.com/heroku/heroku-buildpack-python.git" }] }).buildpacks[0]!.buildpack).toBe("python");
    expect(paths({ buildpacks: [{ url: "heroku/nodejs" }, { url: "heroku/python" }] })).toEqual(["buildpacks"]);
  });

  it("refuses two add-ons attached under one name", () => {
    expect(problems({ addons: [{ plan: "heroku-redis", as: "CACHE" }, { plan: "heroku-redis:premium-0", as: "cache" }] })).toEqual([
      { path: "addons", message: "two add-ons are attached as CACHE" },
    ]);
  });
});

describe("manifestFor (environments.review)", () => {
  const base = {
    env: { A: "top", B: "top" },
    formation: { web: { quantity: 2 }, worker: { quantity: 1 } },
    addons: ["heroku-postgresql"],
    scripts: { postdeploy: "node seed.js", "pr-predestroy": "node bye.js" },
    environments: { review: { env: { B: "review", C: { generator: "secret" } }, formation: { web: { quantity: 1, size: "basic" } }, addons: ["heroku-redis"], scripts: { postdeploy: "node seed-review.js" } } },
  };

  it("merges env, formation and scripts key by key and replaces add-ons", () => {
    const m = manifestFor(manifest(base), "review");
    expect(Object.fromEntries(Object.entries(m.env).map(([k, v]) => [k, v.value ?? v.generator]))).toEqual({ A: "top", B: "review", C: "secret" });
    expect(m.formation).toEqual({ web: { quantity: 1, size: "basic" }, worker: { quantity: 1, size: null } });
    expect(m.addons.map((a) => a.service)).toEqual(["slipway-redis"]);
    expect(m.scripts.postdeploy!.command).toBe("node seed-review.js");
    expect(m.scripts.prPredestroy!.command).toBe("node bye.js");
  });

  it("leaves the manifest as it is without an environment or without a review entry", () => {
    const m = manifest(base);
    expect(manifestFor(m, null)).toBe(m);
    const plain = manifest({ env: { A: "x" } });
    expect(manifestFor(plain, "review")).toBe(plain);
  });
});

describe("resolveEnv", () => {
  it("uses overrides, then values, then generated secrets; a required var without one is a problem at its path", () => {
    const m = manifest({
      env: { GIVEN: { value: "v" }, OVERRIDDEN: { value: "v" }, SECRET: { generator: "secret" }, NEEDED: { description: "Your API token" }, SKIPPED: { required: false } },
    });
    const r = resolveEnv(m, { OVERRIDDEN: "o", EXTRA: "e" });
    expect(r.problems).toEqual([{ path: "env.NEEDED", message: "is required and has no value: give one (Your API token)" }]);
    expect(r.values.GIVEN).toBe("v");
    expect(r.values.OVERRIDDEN).toBe("o");
    expect(r.values.EXTRA).toBe("e");
    expect(r.values.SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(r.generated).toEqual(["SECRET"]);
    expect("SKIPPED" in r.values).toBe(false);
    expect(resolveEnv(m, { NEEDED: "t" }).problems).toEqual([]);
  });

  it("refuses override names that are not config var names", () => {
    expect(resolveEnv(manifest({}), { "not ok": "x" }).problems).toEqual([{ path: 'overrides.env["not ok"]', message: "is not a valid config var name" }]);
  });

  it("generates a different 64-hex secret each time", () => {
    const a = generateSecret();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateSecret()).not.toBe(a);
  });
});
