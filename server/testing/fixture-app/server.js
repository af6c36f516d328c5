// A tiny web app for runtime tests: answers with its dyno name on $PORT, exits on SIGTERM.
const http = require("http");
const port = Number(process.env.PORT);
const server = http.createServer((req, res) => {
  res.setHeader("content-type", "text/plain");
  res.end(`hello from ${process.env.DYNO} ${process.env.GREETING || ""}\n`.replace(/ \n$/, "\n"));
});
server.listen(port, () => console.log(`listening on ${port}`));
process.on("SIGTERM", () => {
  console.log("SIGTERM received, shutting down");
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
