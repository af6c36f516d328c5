// Procfile parsing, strict like Heroku's: `<process type>: <command>` per line, blank
// lines and `#` comments allowed, every other line an error with its number.
import { AppError } from "@/server/errors";

export type ProcessTypes = Record<string, string>;

const LINE = /^([A-Za-z0-9_-]{1,30}):\s*(.*)$/;

export function parseProcfile(text: string): ProcessTypes {
  const types: ProcessTypes = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (!line || line.startsWith("#")) return;
    const m = LINE.exec(line);
    if (!m) {
      const name = line.split(":")[0];
      problems.push(
        line.includes(":")
          ? `line ${n}: "${name}" is not a valid process type (letters, digits, - and _, at most 30)`
          : `line ${n}: expected "<process type>: <command>", got "${truncate(line)}"`,
      );
      return;
    }
    const [, type, command] = m;
    if (!command.trim()) problems.push(`line ${n}: process type "${type}" has no command`);
    else if (type in types) problems.push(`line ${n}: process type "${type}" is defined twice`);
    else types[type] = command.trim();
  });
  if (problems.length) throw new AppError("BAD_REQUEST", `Procfile is invalid:\n  ${problems.join("\n  ")}`);
  if (Object.keys(types).length === 0) throw new AppError("BAD_REQUEST", "Procfile declares no process types.");
  return types;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
