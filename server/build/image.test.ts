import { describe, expect, it } from "vitest";
import { baseImages } from "@/server/build/image";

// The images a Dockerfile needs on this machine: what the "FROM names an image this
// machine does not have" check looks up before a build starts.
describe("baseImages", () => {
  it("lists each FROM image once, without build stages, scratch or flags", () => {
    const dockerfile = [
      "# syntax=docker/dockerfile:1",
      "FROM --platform=linux/amd64 node:20 AS deps",
      "RUN npm ci",
      "from deps as build",
      "FROM scratch",
      "FROM slipway/stack:bookworm",
      "COPY --from=build /app /app",
      "FROM node:20",
    ].join("\n");
    expect(baseImages(dockerfile)).toEqual(["node:20", "slipway/stack:bookworm"]);
  });

  it("fills in ARGs declared before the first FROM, and joins continued lines", () => {
    const dockerfile = 'ARG BASE=registry.local/base\nARG TAG="1.2"\nFROM ${BASE}:$TAG\nFROM \\\n  debian:bookworm\n';
    expect(baseImages(dockerfile)).toEqual(["registry.local/base:1.2", "debian:bookworm"]);
  });

  it("finds nothing in a Dockerfile without FROM", () => {
    expect(baseImages("RUN true\n")).toEqual([]);
  });
});
