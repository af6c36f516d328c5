// Error pages the router serves, as HAProxy wants them: a whole HTTP response for
// errorfile, or just the HTML body for `http-request return`.
const STATUS_TEXT: Record<number, string> = { 404: "Not Found", 503: "Service Unavailable" };

export function errorPage(p: { status: number; code: string | null; title: string; text: string; bodyOnly?: boolean }) {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${p.title}</title>
<style>
  body{margin:0;min-height:100vh;display:grid;place-items:center;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f6f6f9;color:#1f1f2e}
  main{max-width:32rem;padding:2rem;text-align:center}
  h1{font-size:1.5rem;margin:0 0 .75rem}
  p{color:#55556a;line-height:1.5;margin:0}
  code{display:inline-block;margin-top:1.5rem;font-size:.8rem;color:#7c3aed;background:#ede9fe;border-radius:.4rem;padding:.2rem .5rem}
  @media (prefers-color-scheme:dark){body{background:#111118;color:#ececf4}p{color:#a3a3b8}code{background:#2e1065;color:#c4b5fd}}
</style></head>
<body><main><h1>${p.title}</h1><p>${p.text}</p>${p.code ? `<code>${p.code}</code>` : ""}</main></body></html>
`;
  if (p.bodyOnly) return html;
  const body = Buffer.from(html);
  return `HTTP/1.1 ${p.status} ${STATUS_TEXT[p.status] ?? "Error"}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\nCache-Control: no-cache, no-store\r\nConnection: close\r\n\r\n${html}`;
}
