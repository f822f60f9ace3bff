// Peer servers for the side-by-side server benchmark (load-tests/bin/server-bench): Hocuspocus 3.4.4 and
// y-websocket (@y/websocket-server 0.1.1), and the one-writer/R-readers stream run against them.
//
// Usage:
//   node server-bench.mjs serve <hocuspocus|y-websocket>
//       starts the server on 127.0.0.1 (a free port), prints {"port":N} and serves until stdin closes.
//   node server-bench.mjs stream <hocuspocus|y-websocket> <port> <doc> <readers> <ops> <window> <keys>
//       connects R readers then one writer to document <doc>, streams the writes, prints one JSON line:
//       {"peer","readers","ops","seconds","opsPerSecond","perReader":{p50,p90,p99,p999,max},
//        "allReaders":{...},"lost","dup","clientCpuMicros"} (milliseconds; clientCpuMicros = this process's
//        user + system CPU, all threads, from before the clients connect until they are closed).
//
// The workload is exactly dev.chorus.load.harness.scenario.Stream's: write i is one Y.Map.set of key
// "c" + (i % keys) on map "board" to {seq: i, title: "card " + i, status: "doing", note: 48 × "x"}, one Yjs
// transaction (one update message) per write; at most <window> writes not yet received by every reader;
// latency = writer send (before the set) → reader receive (in the map observer, after the update applied).
// Servers and clients run in separate processes, as Chorus's server and the Java clients do.
// Hocuspocus 3's Server.listen() ignores the address, so both peers run on our own http + ws server bound to
// 127.0.0.1 that hands connections over; Node 20 has no global WebSocket, so providers get `ws`.
import http from "node:http";
import { WebSocketServer, WebSocket } from "ws";
import * as Y from "yjs";

const [mode, peer, ...rest] = process.argv.slice(2);

if (mode === "serve") {
  await serve(peer);
} else if (mode === "stream") {
  const [port, doc, readers, ops, window, keys] = rest;
  const result = await stream(peer, Number(port), doc, Number(readers), Number(ops), Number(window), Number(keys));
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  console.error("usage: server-bench.mjs serve <peer> | stream <peer> <port> <doc> <readers> <ops> <window> <keys>");
  process.exit(2);
}

async function serve(peer) {
  let handle;
  if (peer === "hocuspocus") {
    const { Hocuspocus } = await import("@hocuspocus/server");
    const hocuspocus = new Hocuspocus({ quiet: true });
    handle = (ws, req) => hocuspocus.handleConnection(ws, req);
  } else if (peer === "y-websocket") {
    const { setupWSConnection } = await import("@y/websocket-server/utils");
    handle = (ws, req) => setupWSConnection(ws, req);
  } else {
    throw new Error("unknown peer " + peer);
  }
  const server = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => handle(ws, req));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  console.log(JSON.stringify({ port: server.address().port }));
  // Stop when the parent closes stdin (or dies): the harness never leaves a server behind.
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("close", () => process.exit(0));
}

async function connect(peer, port, docName) {
  const doc = new Y.Doc();
  if (peer === "hocuspocus") {
    const { HocuspocusProvider } = await import("@hocuspocus/provider");
    const provider = new HocuspocusProvider({
      url: `ws://127.0.0.1:${port}`,
      name: docName,
      document: doc,
      WebSocketPolyfill: WebSocket,
    });
    await new Promise((resolve) => provider.on("synced", resolve));
    return { doc, close: () => provider.destroy() };
  }
  const { WebsocketProvider } = await import("y-websocket");
  // disableBc: in one process the providers would otherwise sync over a BroadcastChannel, not the server
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, docName, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  });
  await new Promise((resolve) => provider.on("sync", (s) => s && resolve()));
  return { doc, close: () => provider.destroy() };
}

function payload(i) {
  return { seq: i, title: "card " + i, status: "doing", note: "x".repeat(48) };
}

async function stream(peer, port, docName, readers, ops, window, keys) {
  const cpuBefore = process.cpuUsage();
  const sentAt = new Array(ops).fill(0n);
  const remaining = new Int32Array(ops).fill(readers);
  const perReader = [];
  const all = [];
  let doneAll = 0;
  let lastDone = 0n;
  let dup = 0;
  const seen = [];
  let pump = () => {};
  const conns = [];
  for (let r = 0; r < readers; r++) {
    const c = await connect(peer, port, docName);
    conns.push(c);
    const got = new Uint8Array(ops);
    seen.push(got);
    const map = c.doc.getMap("board");
    map.observe((event) => {
      const now = process.hrtime.bigint();
      for (const key of event.keysChanged) {
        const v = map.get(key);
        const seq = v && typeof v.seq === "number" ? v.seq : -1;
        if (seq < 0 || seq >= ops) continue;
        if (got[seq]) {
          dup++;
          continue;
        }
        got[seq] = 1;
        perReader.push(Number(now - sentAt[seq]) / 1e6);
        if (--remaining[seq] === 0) {
          all.push(Number(now - sentAt[seq]) / 1e6);
          lastDone = now;
          doneAll++;
          setImmediate(pump);
        }
      }
    });
  }
  const writer = await connect(peer, port, docName);
  conns.push(writer);
  const wmap = writer.doc.getMap("board");
  let sent = 0;
  const start = process.hrtime.bigint();
  pump = () => {
    while (sent < ops && sent - doneAll < window) {
      const i = sent++;
      sentAt[i] = process.hrtime.bigint();
      wmap.set("c" + (i % keys), payload(i));
    }
  };
  pump();
  const deadline = Date.now() + 120_000 + ops * 20;
  while (doneAll < ops && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = Number((lastDone > start ? lastDone : start) - start) / 1e9;
  let lost = 0;
  for (const got of seen) for (let i = 0; i < ops; i++) if (!got[i]) lost++;
  for (const c of conns) c.close();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    peer,
    readers,
    ops,
    seconds,
    opsPerSecond: seconds > 0 ? ops / seconds : 0,
    perReader: percentiles(perReader),
    allReaders: percentiles(all),
    lost,
    dup,
    clientCpuMicros: cpu.user + cpu.system,
  };
}

function percentiles(values) {
  const v = Float64Array.from(values).sort();
  const at = (p) => (v.length === 0 ? null : v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]);
  return { count: v.length, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: v.length ? v[v.length - 1] : null };
}
