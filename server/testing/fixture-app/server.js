// A tiny web app for runtime and router tests: answers with its dyno name on $PORT, exits
// on SIGTERM. Test routes: /headers (the request's headers as JSON), /sleep?ms=N (answers
// after N ms), /close (drops the connection without answering), /conn (which connection
// this is: the router's port and how many requests it has carried; with ?drop-next the
// connection is dropped when its next request arrives), /stream?chunks=N&ms=M
// (a chunk every M ms), /echo (the request body streamed back as it arrives), /upload (the
// body's size and sha256), /partial (half a response, then the connection dropped),
// /upload-abort (drops the connection after 64 kB of the body), /bad-header (a response
// that is not HTTP), and a WebSocket upgrade that echoes each frame it receives.
const crypto = require("crypto");
const http = require("http");
const port = Number(process.env.PORT);
const dyno = process.env.DYNO;
const requestsOn = new WeakMap();
const dropNext = new WeakSet();
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  // A keep-alive connection closing just as the next request arrives (Node's 5 s idle close).
  if (dropNext.has(req.socket)) return req.socket.destroy();
  if (url.searchParams.has("drop-next")) dropNext.add(req.socket);
  const n = (requestsOn.get(req.socket) ?? 0) + 1;
  requestsOn.set(req.socket, n);
  if (url.pathname === "/headers") {
    res.setHeader("content-type", "application/json");
    return res.end(JSON.stringify({ dyno, headers: req.headers }));
  }
  if (url.pathname === "/sleep") {
    const timer = setTimeout(() => res.end(`slept in ${dyno}\n`), Number(url.searchParams.get("ms") || 1000));
    return res.on("close", () => clearTimeout(timer));
  }
  if (url.pathname === "/close") return req.socket.destroy();
  if (url.pathname === "/conn") return res.end(JSON.stringify({ dyno, port: req.socket.remotePort, request: n }));
  if (url.pathname === "/stream") {
    let left = Number(url.searchParams.get("chunks") || 3);
    const tick = () => {
      res.write(`chunk ${left} at ${Date.now()}\n`);
      if (--left > 0) timer = setTimeout(tick, Number(url.searchParams.get("ms") || 500));
      else res.end();
    };
    let timer = setTimeout(tick, 0);
    return res.on("close", () => clearTimeout(timer));
  }
  if (url.pathname === "/echo") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.flushHeaders();
    return req.pipe(res);
  }
  if (url.pathname === "/upload") {
    const hash = crypto.createHash("sha256");
    let bytes = 0;
    req.on("data", (d) => ((bytes += d.length), hash.update(d)));
    return req.on("end", () => res.end(JSON.stringify({ dyno, bytes, sha256: hash.digest("hex") })));
  }
  if (url.pathname === "/partial") {
    res.writeHead(200, { "content-type": "text/plain", "content-length": "100" });
    res.write("only half of it\n");
    return setTimeout(() => req.socket.destroy(), 100);
  }
  if (url.pathname === "/upload-abort") {
    let bytes = 0;
    return req.on("data", (d) => {
      bytes += d.length;
      if (bytes > 65536) req.socket.destroy();
    });
  }
  if (url.pathname === "/bad-header") return req.socket.end("HTTP/1.1 200 OK\r\nthis is not a header\r\ncontent-length: 2\r\n\r\nok");
  res.setHeader("content-type", "text/plain");
  res.end(`hello from ${dyno} ${process.env.GREETING || ""}\n`.replace(/ \n$/, "\n"));
});
server.on("clientError", (err, socket) => socket.destroy());

// WebSocket (RFC 6455): each frame the client sends (masked) comes back unmasked, same opcode;
// a close frame is answered with a close frame.
server.on("upgrade", (req, socket) => {
  const accept = crypto.createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let buf = Buffer.alloc(0);
  socket.on("error", () => {});
  socket.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      const mask = masked ? buf.subarray(at, at + 4) : null;
      if (masked) at += 4;
      if (buf.length < at + len) return;
      const payload = Buffer.from(buf.subarray(at, at + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      buf = buf.subarray(at + len);
      const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
      socket.write(Buffer.concat([head, payload]));
      if (opcode === 0x8) return socket.end();
    }
  });
});
server.listen(port, () => console.log(`listening on ${port}`));
process.on("SIGTERM", () => {
  console.log("SIGTERM received, shutting down");
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
