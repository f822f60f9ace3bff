// Replays a sequential editing trace through one peer engine's local text API and prints one JSON line.
//
// Usage: node trace-replay.mjs <yjs|loro|automerge> <trace.json.gz> <warmups> <runs>
// Output: {"engine":"yjs","ms":[...one per measured run...],"median":12.3,"ok":true}
//
// Used by dev.chorus.load.trace.TraceBench, which starts one process per engine so that the engines never
// share a heap or a JIT. Each run replays into a fresh document; the timer covers the replay only (the trace
// is gunzipped and parsed once, before any run; reading the final text for verification is outside the timer).
//
// Batching: every trace transaction becomes exactly one engine transaction, as Chorus does with one
// Doc.edit per transaction — Yjs: one doc.transact(); Loro: one doc.commit() after the transaction's patches;
// Automerge: one Automerge.change() whose callback splices every patch of the transaction.
// Positions in the traces count Unicode characters and every character fits in one UTF-16 unit, so the
// engines' default index units (UTF-16 for Yjs and Automerge, Unicode for Loro) all agree with the trace.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import * as Y from "yjs";
import { LoroDoc } from "loro-crdt";
import * as Automerge from "@automerge/automerge";

/** One replay per engine: takes the parsed trace, returns the final text (the replay happens inside). */
const engines = {
  yjs(trace) {
    const doc = new Y.Doc();
    const text = doc.getText("text");
    return measure(
      () => {
        for (const txn of trace.txns) {
          doc.transact(() => {
            for (const [pos, del, ins] of txn.patches) {
              if (del > 0) text.delete(pos, del);
              if (ins.length > 0) text.insert(pos, ins);
            }
          });
        }
      },
      () => text.toString(),
    );
  },

  loro(trace) {
    const doc = new LoroDoc();
    const text = doc.getText("text");
    return measure(
      () => {
        for (const txn of trace.txns) {
          for (const [pos, del, ins] of txn.patches) {
            if (del > 0) text.delete(pos, del);
            if (ins.length > 0) text.insert(pos, ins);
          }
          doc.commit();
        }
      },
      () => text.toString(),
    );
  },

  automerge(trace) {
    // The text object is created outside the timer, like the other engines' getText().
    let doc = Automerge.change(Automerge.init(), (d) => {
      d.text = "";
    });
    return measure(
      () => {
        for (const txn of trace.txns) {
          doc = Automerge.change(doc, (d) => {
            for (const [pos, del, ins] of txn.patches) {
              Automerge.splice(d, ["text"], pos, del, ins);
            }
          });
        }
      },
      () => doc.text,
    );
  },
};

function measure(replay, finalText) {
  const start = process.hrtime.bigint();
  replay();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, text: finalText() };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(argv) {
  if (argv.length !== 4) {
    console.error("usage: node trace-replay.mjs <yjs|loro|automerge> <trace.json.gz> <warmups> <runs>");
    process.exit(2);
  }
  const [engine, file, warmupsArg, runsArg] = argv;
  const replay = engines[engine];
  if (!replay) {
    console.error(`unknown engine ${engine}; expected one of ${Object.keys(engines).join(", ")}`);
    process.exit(2);
  }
  const warmups = Number.parseInt(warmupsArg, 10);
  const runs = Number.parseInt(runsArg, 10);
  const trace = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"));
  if (trace.kind === "concurrent" || (trace.startContent ?? "") !== "") {
    console.error(`${file}: only sequential traces that start empty can be replayed here`);
    process.exit(2);
  }

  // Every run, warm-ups included, must reproduce endContent; one wrong run makes the result not ok.
  let ok = true;
  const ms = [];
  for (let i = 0; i < warmups + runs; i++) {
    const result = replay(trace);
    ok &&= result.text === trace.endContent;
    if (i >= warmups) ms.push(round(result.ms));
  }
  console.log(JSON.stringify({ engine, ms, median: round(median(ms)), ok }));
}

function round(ms) {
  return Math.round(ms * 100) / 100;
}

main(process.argv.slice(2));
