import { describe, expect, it } from "vitest";
import { OneOffSession, type SessionTarget } from "@/server/runtime/one-off-session";

// A scripted target (no Engine): what reaches the program's stdin, write by write.
function scripted() {
  const writes: string[] = [];
  let print: (text: string) => void = () => undefined;
  let exit: (code: number) => void = () => undefined;
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  const target: SessionTarget = {
    dyno: "run.1",
    async run({ stdin, onOutput, onStarted }) {
      stdin?.on("data", (c: Buffer) => writes.push(String(c)));
      onStarted?.();
      print = (text) => onOutput("stdout", text);
      started();
      return new Promise((resolve) => (exit = (exitCode) => resolve({ exitCode })));
    },
    resize: async () => undefined,
    discard: async () => undefined,
  };
  return { target, writes, running, print: (t: string) => print(t), exit: (c: number) => exit(c) };
}

const holder = { userId: "u", appId: "a", operation: "run" as never };

describe("OneOffSession with a terminal", () => {
  it("holds typed-ahead input until the program prints, then delivers it in one write", async () => {
    const t = scripted();
    const s = new OneOffSession(t.target, { tty: true, holder, idleTimeoutMs: 60_000, attachTimeoutMs: 60_000 });
    // `echo 'echo hi' | heroku run bash`: the line, then the CLI's Ctrl-D, before the shell runs.
    s.input("echo hi\n");
    s.input("\u0004");
    const ended = s.attach({ output: () => undefined });
    await t.running;
    await new Promise((r) => setTimeout(r, 20));
    expect(t.writes).toEqual([]); // the shell has not put its terminal in raw mode yet
    t.print("$ ");
    await new Promise((r) => setTimeout(r, 20));
    // Apart, the Ctrl-D could reach the terminal while bash runs the line in canonical mode,
    // where it is lost: together, both arrive while readline holds the terminal raw.
    expect(t.writes).toEqual(["echo hi\n\u0004"]);
    s.input("later");
    await new Promise((r) => setTimeout(r, 20));
    expect(t.writes).toEqual(["echo hi\n\u0004", "later"]); // once running, input goes straight in
    t.exit(0);
    await expect(ended).resolves.toEqual({ exitCode: 0, reason: "exited" });
  });

  it("without a terminal, input is not held", async () => {
    const t = scripted();
    const s = new OneOffSession(t.target, { tty: false, holder, idleTimeoutMs: 60_000, attachTimeoutMs: 60_000 });
    const ended = s.attach({ output: () => undefined });
    await t.running;
    s.input("a");
    s.input("b");
    await new Promise((r) => setTimeout(r, 20));
    expect(t.writes.join("")).toBe("ab");
    t.exit(3);
    await expect(ended).resolves.toEqual({ exitCode: 3, reason: "exited" });
  });
});
