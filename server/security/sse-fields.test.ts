// App output cannot forge Server-Sent Events fields: a dyno that prints a bare \r (or \n
// inside one message) must not be able to set the event id (Last-Event-ID, where a client
// resumes), start an event of its own or add data fields. The stream is read with the
// HTML spec's parsing rules, where CR, LF and CRLF all end a line.
import { describe, expect, it } from "vitest";
import { appendLog, logTime } from "@/server/logs/store";
import { logEventStream } from "@/server/logs/stream";

type SseEvent = { id: string; data: string; event: string };

/** The WHATWG "interpret an event stream" algorithm, as EventSource runs it. */
function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  let lastId = "";
  let data: string[] = [];
  let type = "";
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") {
      if (data.length) events.push({ id: lastId, data: data.join("\n"), event: type || "message" });
      data = [];
      type = "";
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "id" && !value.includes("\0")) lastId = value;
    else if (field === "event") type = value;
  }
  return events;
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
  return text;
}

describe("log stream framing", () => {
  for (const format of ["text", "json"] as const) {
    it(`keeps a \\r, \\n or CRLF in app output inside one data field (${format})`, async () => {
      const appId = crypto.randomUUID();
      const forged = ["x\rid: 999\rdata: forged", "y\nevent: evil\ndata: more", "z\r\nid: 1000\r\n\r\ndata: split"];
      const lines = forged.map((message) => appendLog(appId, { at: logTime(new Date()), source: "app", dyno: "web.1", message }));
      const events = parseSse(await readAll(logEventStream({ appId, lines: 10, tail: false, filter: {}, format })));
      expect(events).toHaveLength(3);
      for (const [i, ev] of events.entries()) {
        expect(ev.id).toBe(String(lines[i]!.id));
        expect(ev.event).toBe("message");
        const message = format === "json" ? (JSON.parse(ev.data) as { message: string }).message : ev.data.slice(ev.data.indexOf(": ") + 2);
        // Line breaks come back as \n (EventSource joins data lines with it); nothing else changes.
        expect(message).toBe(format === "json" ? forged[i] : forged[i]!.replace(/\r\n|\r/g, "\n"));
      }
    });
  }
});
