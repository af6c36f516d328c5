// Reading a Dockerfile the way the Engine's builder does, far enough to know every image
// it will take files from: FROM lines (with the ARGs declared before the first FROM
// substituted), `COPY --from=` and `RUN --mount=…,from=`. Keywords are case-insensitive,
// lines continue with the escape character (`\`, or the one a `# escape=` directive sets),
// comment lines inside a continuation are dropped, and stage names are case-insensitive.
// Anything we cannot read exactly as the Engine would is refused rather than guessed.
import { AppError } from "@/server/errors";

export type ImageUse = {
  /** 1-based line of the instruction's first physical line. */
  line: number;
  /** The instruction as written (first physical line, trimmed), for messages. */
  text: string;
  /** The image reference after ARG substitution. */
  ref: string;
};

type Instruction = { line: number; text: string; keyword: string; args: string };

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;

function refused(line: number, text: string, why: string) {
  return new AppError("BAD_REQUEST", `Dockerfile line ${line} (${clip(text)}): ${why}`);
}

function clip(text: string) {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The Dockerfile's instructions as logical lines, continuations joined. */
export function instructions(dockerfile: string): Instruction[] {
  const lines = dockerfile.split(/\r?\n/);
  let escape = "\\";
  let i = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  for (; i < lines.length; i++) {
    const m = /^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(lines[i]);
    if (!m) break;
    if (m[1].toLowerCase() === "escape") {
      if (m[2] !== "\\" && m[2] !== "`") throw refused(i + 1, lines[i], "the escape directive must be \\ or `.");
      escape = m[2];
    }
  }
  const out: Instruction[] = [];
  let current: { line: number; text: string; parts: string[] } | null = null;
  const continued = new RegExp(`${escape === "\\" ? "\\\\" : "`"}[ \\t]*$`);
  for (; i < lines.length; i++) {
    const raw = lines[i];
    const blank = raw.trim() === "";
    const comment = raw.trimStart().startsWith("#");
    if (blank || comment) continue; // also inside a continuation, as the Engine does
    const more = continued.test(raw);
    const part = more ? raw.replace(continued, "") : raw;
    if (!current) current = { line: i + 1, text: raw.trim(), parts: [] };
    current.parts.push(part);
    if (more) continue;
    const joined = current.parts.join("").trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(joined);
    if (m) out.push({ line: current.line, text: current.text, keyword: m[1].toUpperCase(), args: m[2].trim() });
    current = null;
  }
  if (current) {
    const joined = current.parts.join("").trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(joined);
    if (m) out.push({ line: current.line, text: current.text, keyword: m[1].toUpperCase(), args: m[2].trim() });
  }
  return out;
}

/** `$X`, `${X}`, `${X:-word}`, `${X:+word}` from `vars`; unset names expand to "". */
function substitute(word: string, vars: Map<string, string>): string {
  return word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced: string, op: string, alt: string, bare: string) => {
    const value = vars.get(braced ?? bare) ?? "";
    if (op === "-") return value || alt;
    if (op === "+") return value ? alt : "";
    return value;
  });
}

/** `ARG a=1 b="2" c`: names and (unquoted, substituted) defaults. */
function argDefaults(args: string, vars: Map<string, string>): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=(?:"([^"]*)"|'([^']*)'|(\S*)))?/g)) {
    const value = m[2] ?? m[3] ?? m[4];
    out.push([m[1], value === undefined ? undefined : m[3] !== undefined ? value : substitute(value, vars)]);
  }
  return out;
}

/** Leading `--name=value` flags of an instruction, and the rest. */
function flags(args: string): { flags: [string, string][]; rest: string } {
  const out: [string, string][] = [];
  let rest = args;
  for (;;) {
    const m = /^--([A-Za-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) return { flags: out, rest };
    out.push([m[1].toLowerCase(), m[2] ?? ""]);
    rest = rest.slice(m[0].length);
  }
}

/**
 * The images outside the Dockerfile's own stages that a build would use, in order.
 * `scratch` and earlier stages (by name or index) are left out.
 */
export function externalImages(dockerfile: string): ImageUse[] {
  const meta = new Map<string, string>();
  const stages: string[] = [];
  let stageCount = 0;
  const uses: ImageUse[] = [];
  const fromSource = (ins: Instruction, what: string, value: string) => {
    if (/[$"'\\`]/.test(value)) throw refused(ins.line, ins.text, `${what} must name a stage or an image literally (no variables or quotes).`);
    if (!value) throw refused(ins.line, ins.text, `${what} names nothing.`);
    if (/^\d+$/.test(value)) {
      if (Number(value) < stageCount) return;
      throw refused(ins.line, ins.text, `${what} names stage ${value}, which does not come before it.`);
    }
    if (stages.includes(value.toLowerCase())) return;
    if (!REFERENCE.test(value)) throw refused(ins.line, ins.text, `${what} is not an image reference.`);
    uses.push({ line: ins.line, text: ins.text, ref: value });
  };
  for (const ins of instructions(dockerfile)) {
    if (ins.keyword === "ARG" && stageCount === 0) {
      for (const [name, value] of argDefaults(ins.args, meta)) meta.set(name, value ?? "");
    } else if (ins.keyword === "FROM") {
      const { rest } = flags(ins.args);
      const words = rest.split(/\s+/).filter(Boolean);
      if (words.length !== 1 && !(words.length === 3 && words[1].toUpperCase() === "AS")) {
        throw refused(ins.line, ins.text, "FROM takes an image and optionally `AS name`.");
      }
      const image = substitute(words[0], meta);
      if (/[$"'\\`]/.test(image) || !image) throw refused(ins.line, ins.text, "the FROM image must be a plain reference once ARGs are substituted.");
      if (image.toLowerCase() !== "scratch" && !stages.includes(image.toLowerCase())) {
        if (!REFERENCE.test(image)) throw refused(ins.line, ins.text, `${image} is not an image reference.`);
        uses.push({ line: ins.line, text: ins.text, ref: image });
      }
      stages.push(words.length === 3 ? words[2].toLowerCase() : `\0${stageCount}`);
      stageCount++;
    } else if (ins.keyword === "COPY" || ins.keyword === "ADD") {
      for (const [name, value] of flags(ins.args).flags) if (name === "from") fromSource(ins, "--from", value);
    } else if (ins.keyword === "RUN") {
      for (const [name, value] of flags(ins.args).flags) {
        if (name !== "mount") continue;
        for (const kv of value.split(",")) {
          const [k, v = ""] = kv.split("=");
          if (k.toLowerCase() === "from") fromSource(ins, "--mount from=", v);
        }
      }
    }
  }
  return uses;
}
