package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.scheduler.messaging.Outbox;
import dev.ebbtide.scheduler.persistence.BulkInserts;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Events decided inside a transaction, published only after it commits. */
final class Outgoing {
    final List<JobStateChanged> states = new ArrayList<>();
    final List<JobAssigned> assignments = new ArrayList<>();
    final List<ClusterDemandChangedV2> demand = new ArrayList<>();
    /** Jobs that entered each cluster's queue for the first time in this transaction: the demand events' arrivals. */
    final Map<String, List<ClusterDemandChangedV2.Arrival>> arrivals = new LinkedHashMap<>();

    final List<JobStopRequested> stops = new ArrayList<>();
    /** A record that cannot be handled, for the dead-letter topic of its source. */
    record DeadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {}

    final List<DeadLetter> deadLetters = new ArrayList<>();
    /** Clusters whose queue or nodes changed: placement runs once for each, at the end of the transaction. */
    final Set<String> touched = new LinkedHashSet<>();
    /** Undoes this transaction's changes to the in-memory {@link QueueIndex}, newest first, if it fails. */
    private final List<Runnable> undo = new ArrayList<>();
    /** New queued jobs of this transaction not yet written: inserted together ({@link #insertNewJobs}). */
    private final List<JobEntity> newJobs = new ArrayList<>();

    /** A new job to insert with the others of the transaction, before anything reads the job table. */
    void insertLater(JobEntity job) {
        newJobs.add(job);
    }

    /** Inserts the new jobs collected so far (one statement per chunk); called before anything reads the job table. */
    Uni<Void> insertNewJobs() {
        if (newJobs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<JobEntity> jobs = List.copyOf(newJobs);
        newJobs.clear();
        return BulkInserts.jobs(jobs);
    }

    /** The batch's run reports' jobs and nodes, loaded with one query each, or null (look each one up). */
    RunReportsPrefetch runs;

    /** Ids of the batch's submitted jobs already stored (one query per batch), or null to look each one up. */
    Set<String> storedJobIds;

    void onUndo(Runnable step) {
        undo.add(step);
    }

    /** Reverts this transaction's changes to the in-memory index (the transaction failed: the database has none). */
    void undo() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).run();
        }
        undo.clear();
    }

    /** The record goes to its dead-letter topic unchanged (bytes), with the reason. */
    void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        deadLetters.add(new DeadLetter(record, reason));
    }

    /** A job entered its cluster's queue for the first time: the cluster's next demand event lists it. */
    void arrived(String cluster, String jobId, int nodes, java.time.Instant submittedAt) {
        arrivals.computeIfAbsent(cluster, c -> new ArrayList<>())
                .add(new ClusterDemandChangedV2.Arrival(jobId, Math.max(1, nodes), submittedAt));
        touched.add(cluster); // placement runs for it, so its demand event (with the arrival) is published
    }

    /** The cluster's demand with every arrival of this transaction (events are merged per batch, arrivals are not). */
    private ClusterDemandChangedV2 withArrivals(ClusterDemandChangedV2 d) {
        List<ClusterDemandChangedV2.Arrival> arrived = arrivals.getOrDefault(d.cluster(), List.of());
        return arrived.isEmpty()
                ? d
                : new ClusterDemandChangedV2(
                        d.cluster(),
                        d.queueHead(),
                        d.queuedJobs(),
                        d.nodesNeeded(),
                        d.bySize(),
                        d.busyNodes(),
                        arrived,
                        d.at());
    }

    /** Stores the decided events in the outbox, in the transaction that made the change. */
    Uni<Void> storeIn(Outbox outbox) {
        List<Supplier<Uni<Void>>> steps = new ArrayList<>();
        for (Outgoing.DeadLetter d : deadLetters) {
            steps.add(() -> outbox.deadLetter(d.record(), d.reason()));
        }
        List<BulkInserts.OutboxRow> rows = new ArrayList<>(states.size() + assignments.size() + stops.size() + 8);
        for (JobStateChanged e : states) {
            rows.add(outbox.row("job-state", e.cluster(), EventJson.write(e)));
        }
        // demand before assignments: the autoscaler should see a job leave the queue before its nodes turn busy
        Map<String, ClusterDemandChangedV2> lastDemand = new LinkedHashMap<>();
        demand.forEach(d -> lastDemand.put(d.cluster(), d)); // within a batch, only the latest demand matters
        for (ClusterDemandChangedV2 d : lastDemand.values()) {
            ClusterDemandChangedV2 e = withArrivals(d);
            rows.add(outbox.row("cluster-demand", e.cluster(), EventJson.write(e)));
        }
        for (JobAssigned e : assignments) {
            rows.add(outbox.row("job-assignments", e.cluster(), EventJson.write(e)));
        }
        for (JobStopRequested e : stops) {
            rows.add(outbox.row("job-stops", e.cluster(), EventJson.write(e)));
        }
        steps.add(() -> outbox.addAll(rows)); // one statement per chunk, ids in this order
        return InOrder.run(steps);
    }
}
