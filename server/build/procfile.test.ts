import { describe, expect, it } from "vitest";
import { parseProcfile } from "@/server/build/procfile";

describe("parseProcfile", () => {
  it("reads process types, skipping comments and blank lines", () => {
    const text = "# processes\nweb: node server.js --port $PORT\n\nworker:   node worker.js\r\nrelease: node migrate.js\n";
    expect(parseProcfile(text)).toEqual({
      web: "node server.js --port $PORT",
      worker: "node worker.js",
      release: "node migrate.js",
    });
  });

  it("reports every bad line with its number", () => {
    const text = "web: npm start\nthis is not a process\nbad type!: run\nworker:\nweb: again";
    expect(() => parseProcfile(text)).toThrowError(
      [
        "Procfile is invalid:",
        '  line 2: expected "<process type>: <command>", got "this is not a process"',
        '  line 3: "bad type!" is not a valid process type (letters, digits, - and _, at most 30)',
        '  line 4: process type "worker" has no command',
        '  line 5: process type "web" is defined twice',
      ].join("\n"),
    );
  });

  it("rejects a Procfile without process types", () => {
    expect(() => parseProcfile("# nothing\n\n")).toThrowError("Procfile declares no process types.");
  });
});
