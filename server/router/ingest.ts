import "server-only";
// Router log lines into the control plane: the router process appends one line per request
// to router/requests.log (`<time>\t<app id>\t<router line>`); this follows the file (from its end at start) and puts
// each line on the event bus as source slipway[router], where the logs work picks it up.
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/server/env";
import { routerDir } from "@/server/router/table";
import { platformLog } from "@/server/runtime/events";

export function followRouterLog(intervalMs = 250): () => void {
  const file = path.join(routerDir(dataDir()), "requests.log");
  let offset = fs.existsSync(file) ? fs.statSync(file).size : 0;
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
          const [, appId, line] = l.split("\t");
          if (appId && line) platformLog(appId, null, line, "slipway[router]");
        }
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
