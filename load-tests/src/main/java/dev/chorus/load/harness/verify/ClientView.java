package dev.chorus.load.harness.verify;

import dev.chorus.client.Ack;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one simulated client sent, got acked, was delivered and saw, at the end of a run.
 *
 * @param joinVersion the version its first welcome started from ({@code ""}: the empty document)
 * @param acked acks by batch id; {@code ackedOps} the ops of those batches
 * @param inDoubt batches sent and never answered (maybe applied, maybe not)
 * @param rejected batch id → the code it was refused with ({@code gave_up}: retried too long)
 * @param problems frames the client did not expect (a failure of the verification)
 */
public record ClientView(
    String actorId,
    String clientId,
    String lastVersion,
    String joinVersion,
    Map<String, Ack> acked,
    long ackedOps,
    Set<String> inDoubt,
    Map<String, String> rejected,
    Set<String> openConflicts,
    Set<String> everOpened,
    long conflictOpenedFrames,
    long conflictResolvedFrames,
    Replica replica,
    List<String> problems) {}
