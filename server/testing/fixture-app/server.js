// A tiny web app for runtime and router tests: answers with its dyno name on $PORT, exits
// on SIGTERM. Test routes: /headers (the request's headers as JSON), /sleep?ms=N (answers
// after N ms), /close (drops the connection without answering), and a WebSocket upgrade
// that echoes whatever bytes follow the handshake.
const crypto = require("crypto");
const http = require("http");
const port = Number(process.env.PORT);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/headers") {
    res.setHeader("content-type", "application/json");
    return res.end(JSON.stringify({ dyno: process.env.DYNO, headers: req.headers }));
  }
  if (url.pathname === "/sleep") {
    const timer = setTimeout(() => res.end(`slept in ${process.env.DYNO}\n`), Number(url.searchParams.get("ms") || 1000));
    return res.on("close", () => clearTimeout(timer));
  }
  if (url.pathname === "/close") return req.socket.destroy();
  res.setHeader("content-type", "text/plain");
  res.end(`hello from ${process.env.DYNO} ${process.env.GREETING || ""}\n`.replace(/ \n$/, "\n"));
});
server.on("upgrade", (req, socket) => {
  const accept = crypto.createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.pipe(socket);
});
server.listen(port, () => console.log(`listening on ${port}`));
process.on("SIGTERM", () => {
  console.log("SIGTERM received, shutting down");
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
