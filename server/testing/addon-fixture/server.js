// An app that uses its add-ons through their config vars, as a user's app would: the `pg`
// module for PostgreSQL, the Redis protocol over a socket for Redis. Every answer carries
// a hash of the URL it used, so tests can tell old credentials from new ones.
//   GET /pg?op=select1|write|read|delete&value=…&var=DATABASE_URL
//   GET /redis?op=set|get&key=…&value=…&var=REDIS_URL
const crypto = require("crypto");
const http = require("http");
const net = require("net");
const pg = require("pg");

const hash = (s) => crypto.createHash("sha256").update(s || "").digest("hex").slice(0, 16);

async function postgres(url, op, value) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query("CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, value text NOT NULL)");
    if (op === "select1") return (await client.query("SELECT 1 AS one")).rows[0].one;
    if (op === "write") return (await client.query("INSERT INTO items (value) VALUES ($1) RETURNING id", [value])).rows[0].id;
    if (op === "delete") return (await client.query("DELETE FROM items WHERE value = $1", [value])).rowCount;
    return (await client.query("SELECT value FROM items ORDER BY id")).rows.map((r) => r.value);
  } finally {
    await client.end();
  }
}

function redis(url, args) {
  const u = new URL(url);
  const encode = (a) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join("")}`;
  const commands = [["AUTH", decodeURIComponent(u.password)], args];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    socket.setTimeout(3000, () => socket.destroy(new Error("redis: timed out")));
    let buf = "";
    const replies = [];
    socket.on("error", reject);
    socket.on("connect", () => socket.write(commands.map(encode).join("")));
    socket.on("data", (chunk) => {
      buf += chunk.toString();
      for (;;) {
        const eol = buf.indexOf("\r\n");
        if (eol < 0) break;
        const line = buf.slice(0, eol);
        if (line[0] === "$") {
          const n = Number(line.slice(1));
          if (n < 0) { replies.push(null); buf = buf.slice(eol + 2); continue; }
          if (buf.length < eol + 2 + n + 2) break;
          replies.push(buf.slice(eol + 2, eol + 2 + n));
          buf = buf.slice(eol + 2 + n + 2);
        } else {
          if (line[0] === "-") return socket.destroy(new Error(line.slice(1)));
          replies.push(line.slice(1));
          buf = buf.slice(eol + 2);
        }
      }
      if (replies.length === commands.length) {
        socket.end();
        resolve(replies[1]);
      }
    });
  });
}

http
  .createServer(async (req, res) => {
    const q = new URL(req.url, "http://x").searchParams;
    const name = q.get("var") || (req.url.startsWith("/redis") ? "REDIS_URL" : "DATABASE_URL");
    const url = process.env[name];
    const reply = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...body, dyno: process.env.DYNO, urlHash: hash(url) }));
    };
    if (!url) return reply(500, { error: `${name} is not set` });
    try {
      const result = req.url.startsWith("/redis")
        ? await redis(url, q.get("op") === "set" ? ["SET", q.get("key"), q.get("value")] : ["GET", q.get("key")])
        : await postgres(url, q.get("op") || "read", q.get("value"));
      reply(200, { result });
    } catch (err) {
      reply(500, { error: String(err.message || err) });
    }
  })
  .listen(Number(process.env.PORT));
