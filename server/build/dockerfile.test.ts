import { describe, expect, it } from "vitest";
import { externalImages } from "@/server/build/dockerfile";

const refs = (dockerfile: string) => externalImages(dockerfile).map((u) => `${u.line}:${u.ref}`);

// Every image a build would take files from, read as the Engine's builder reads the file:
// what the allow-list check (image-policy) looks at before a build starts.
describe("externalImages", () => {
  it("lists FROM images with their lines, without stages (any case), scratch or flags", () => {
    const dockerfile = [
      "# syntax=docker/dockerfile:1",
      "FROM --platform=linux/amd64 node:20 AS Deps",
      "RUN npm ci",
      "from deps as build",
      "FROM scratch",
      "FROM slipway/stack:bookworm",
      "copy --from=BUILD /app /app",
      "COPY --from=0 /x /x",
      "FROM node:20",
    ].join("\n");
    expect(refs(dockerfile)).toEqual(["2:node:20", "6:slipway/stack:bookworm", "9:node:20"]);
  });

  it("fills in ARGs declared before the first FROM (defaults, ${X:-y}), not those after it", () => {
    const dockerfile = 'ARG BASE=registry.local/base\nARG TAG="1.2"\nFROM ${BASE}:$TAG\nARG LATER=evil/x\nFROM ${LATER:-debian}:bookworm\n';
    expect(refs(dockerfile)).toEqual(["3:registry.local/base:1.2", "5:debian:bookworm"]);
  });

  it("joins continued lines, skips comments inside them, and honours `# escape=`", () => {
    expect(refs("FROM \\\n# a comment\n  slipway-app/abc:1\n")).toEqual(["1:slipway-app/abc:1"]);
    expect(refs("# escape=`\nFROM `\n  victim/img:2\nRUN echo \\\n")).toEqual(["2:victim/img:2"]);
  });

  it("finds images in COPY --from and RUN --mount from=, and refuses what it cannot read exactly", () => {
    expect(refs("FROM a:1 AS b\nCOPY --chown=1:1 --from=victim/x:1 /s /d\nRUN --mount=type=bind,from=other/y,target=/m true\n")).toEqual([
      "1:a:1",
      "2:victim/x:1",
      "3:other/y",
    ]);
    expect(() => externalImages("FROM a:1\nCOPY --from=$X /s /d\n")).toThrow(/line 2 .*--from must name a stage or an image literally/);
    expect(() => externalImages('FROM "victim/x:1"\n')).toThrow(/line 1 .*plain reference/);
    expect(() => externalImages("FROM a:1\nCOPY --from=3 /s /d\n")).toThrow(/stage 3, which does not come before it/);
    expect(() => externalImages("FROM a b c d\n")).toThrow(/FROM takes an image/);
  });

  it("finds nothing in a Dockerfile without FROM", () => {
    expect(externalImages("RUN true\n")).toEqual([]);
  });
});
