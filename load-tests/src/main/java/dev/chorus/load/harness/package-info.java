/**
 * The Chorus load, contention and fault harness: simulated humans and agents speak the public
 * protocol (docs/protocol.md) to real server processes, every run ends with a verification of what
 * was acked, delivered and surfaced, and a Markdown report with charts.
 *
 * <ul>
 *   <li>{@code node} starts and stops server processes on free loopback ports;
 *   <li>{@code auth} gets tokens (HS256 minting or the demo endpoint);
 *   <li>{@code scenario} holds the named workloads and {@code SimClient}, one simulated
 *       participant: chorus-client's {@code ChorusClient} (the one protocol client of the project)
 *       plus what it measures and records for the verifier; ({@code steady}, {@code hot-field},
 *       {@code herd}, {@code fanout}, {@code churn});
 *   <li>{@code verify} checks every run (each client's CRDT {@code Replica} of what it was
 *       delivered): acked batches in history exactly once, every change delivered exactly once,
 *       replica hashes equal the server's, conflicts as implied;
 *   <li>{@code metrics} and {@code report} measure and write the results;
 *   <li>{@code peer} runs the same streams against Hocuspocus and y-websocket;
 *   <li>{@code capacity} measures idle connections per GiB and cold session loads.
 * </ul>
 */
package dev.chorus.load.harness;
