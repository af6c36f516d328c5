import "server-only";
// Router log lines into the control plane: the router process appends one line per request
// to router/requests.log (`<time>\t<app id>\t<router line>`); this follows the file and puts
// each line on the event bus as source slipway[router], where the logs work picks it up.
// Where it got to is saved beside the file, so a restarted control plane carries on from
// there (requests served meanwhile reach the logs too); the first start begins at the end.
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/server/env";
import { routerDir } from "@/server/router/table";
import { platformLog } from "@/server/runtime/events";

export function followRouterLog(intervalMs = 250): () => void {
  const file = path.join(routerDir(dataDir()), "requests.log");
  const saved = `${file}.offset`;
  const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  const resumeAt = Number(fs.existsSync(saved) ? fs.readFileSync(saved, "utf8") : NaN);
  let offset = Number.isInteger(resumeAt) && resumeAt >= 0 && resumeAt <= size ? resumeAt : size;
  let partial = "";
  let busy = false;
  const read = async () => {
    if (busy) return;
    busy = true;
    try {
      const size = (await fs.promises.stat(file).catch(() => null))?.size ?? 0;
      if (size < offset) offset = 0; // rotated or truncated
      if (size === offset) return;
      const fh = await fs.promises.open(file, "r");
      try {
        const buf = Buffer.alloc(Math.min(size - offset, 4 * 1024 * 1024));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        offset += bytesRead;
        const lines = (partial + buf.subarray(0, bytesRead).toString("utf8")).split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) {
          const [at, appId, line] = l.split("\t");
          if (appId && line) platformLog(appId, null, line, "slipway[router]", at ? new Date(at) : undefined);
        }
        fs.writeFileSync(saved, String(offset - Buffer.byteLength(partial)));
      } finally {
        await fh.close();
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void read(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
