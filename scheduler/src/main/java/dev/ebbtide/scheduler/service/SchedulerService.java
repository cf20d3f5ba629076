package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.compute.DefaultCompute;
import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.core.lifecycle.JobEvent;
import dev.ebbtide.core.lifecycle.JobLifecycle;
import dev.ebbtide.messaging.CloudEventHeaders;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.DeadLetters;
import dev.ebbtide.messaging.Decoded;
import dev.ebbtide.messaging.RecordDecoder;
import dev.ebbtide.scheduler.config.SchedulerConfig;
import dev.ebbtide.scheduler.messaging.Outbox;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.ClusterMemoryEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.JobRepository;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import dev.ebbtide.scheduler.usage.UsageRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The scheduler's reactions to events. Each event is handled in one transaction that changes the database, runs
 * placement for the cluster through the pure {@code PlacementPlanner} ({@link Placement}), decides the job's next state
 * through the pure {@link JobLifecycle} ({@link JobTransitions}), and stores the events it decided in the
 * outbox; the outbox sends them once the transaction has committed.
 */
@ApplicationScoped
public class SchedulerService {
    private static final Logger LOG = Logger.getLogger(SchedulerService.class);
    /** The channel every topic the scheduler reads comes in on. */
    public static final String CHANNEL = "scheduler-in";
    /** What each topic's records are read as. */
    private static final Map<String, Class<?>> TYPES = Map.of(
            Topics.JOBS_SUBMITTED,
            JobSubmitted.class,
            Topics.NODES_STATE,
            NodeStateChanged.class,
            Topics.JOBS_RUNS,
            JobRunReported.class,
            Topics.CLUSTERS,
            ClusterDefined.class,
            Topics.CLUSTERS_BACKOFF,
            ClusterBackoffChanged.class);
    /** Node states that take a node away from the job it was given. */
    private static final Set<NodeState> LOST =
            EnumSet.of(NodeState.deleted, NodeState.leaving, NodeState.unusable, NodeState.preempted, NodeState.lost);

    /** The cluster that takes submissions naming none (docs/compute.md). */
    @Inject
    SchedulerConfig config;

    @Inject
    Outbox outbox;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Inject
    JobTransitions transitions;

    @Inject
    Placement placement;

    @Inject
    Submissions submissions;

    @Inject
    Retries retries;

    @Inject
    ClusterWait clusterWait;

    @Inject
    WaitReasons waitReasons;

    @Inject
    ConsumerHealth health;

    @Inject
    DeadLetters deadLetters;

    @Inject
    QueueIndex index;

    @Inject
    JobRepository jobRepository;

    @Inject
    dev.ebbtide.scheduler.persistence.NodeRepository nodeRepository;

    @Inject
    BootTimes bootTimes;

    @Inject
    UsageRecorder usage;

    @Inject
    ClusterOwnership ownership;

    /**
     * Handles a batch of records in one transaction (under load, one commit and one outbox relay for many events).
     * Each record is decoded first ({@link RecordDecoder}, pure): one that cannot be understood is dead-lettered
     * through the outbox with its original bytes and the reason, and the batch goes on. While PostgreSQL or Kafka is
     * unavailable the batch waits and is tried again, forever ({@link Retries}); if it fails for another reason each
     * record is tried on its own, and one that still fails after three tries is dead-lettered. No record stops the
     * channel, and a valid one is never dead-lettered because of an outage.
     */
    public Uni<Void> handleBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Item> items = records.stream().map(this::decode).toList();
        AtomicReference<List<Item>> applied = new AtomicReference<>(List.of());
        return retries.run(
                        CHANNEL,
                        "a batch of " + items.size() + " record(s)",
                        1,
                        () -> ownership.acting(() -> {
                            List<Item> mine =
                                    owned(items); // each try again: a partition may have been revoked meanwhile
                            applied.set(mine);
                            if (mine.isEmpty()) {
                                return Uni.createFrom().voidItem();
                            }
                            Outgoing out = new Outgoing();
                            long start = System.nanoTime();
                            return Panache.withTransaction(() -> index.ready()
                                            .chain(() -> prefetch(mine, out))
                                            .chain(() -> inOrder(mine, i -> work(i, out)))
                                            .chain(out::insertNewJobs)
                                            .chain(() -> placement.placeTouched(out))
                                            .chain(() -> store(out)))
                                    .onFailure()
                                    .invoke(e -> out.undo()) // the database has none of it: neither has the index
                                    .invoke(() -> {
                                        registry.timer("ebbtide_scheduler_batch_seconds")
                                                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                                        registry.summary("ebbtide_scheduler_batch_records")
                                                .record(mine.size());
                                        registry.summary("ebbtide_scheduler_batch_clusters")
                                                .record(out.touched.size());
                                    });
                        }),
                        e -> {
                            LOG.warnf(
                                    "a batch of %d record(s) failed (%s): handling them one by one",
                                    items.size(), e.toString());
                            List<Item> alone = new ArrayList<>(); // one at a time, in order
                            applied.set(alone);
                            return inOrder(
                                    items,
                                    i -> handleAlone(i)
                                            .invoke(done -> {
                                                if (done) {
                                                    alone.add(i);
                                                }
                                            })
                                            .replaceWithVoid());
                        })
                .invoke(() -> {
                    health.consuming(CHANNEL);
                    applied.get().forEach(i -> clusterWait.handled(i.record()));
                })
                .invoke(outbox::relayInBackground); // the next batch need not wait for Kafka's acknowledgements
    }

    /**
     * The records of the partitions this instance owns now. The others' (revoked while they waited in a buffer or
     * while this batch waited for PostgreSQL) are left to the partitions' new owner: the connector ignores the
     * acknowledgement of a revoked partition, so the new owner reads them from the group's committed offset.
     */
    private List<Item> owned(List<Item> items) {
        List<Item> mine = items.stream()
                .filter(i -> ownership.ownsPartition(i.record().partition()))
                .toList();
        if (mine.size() < items.size()) {
            LOG.debugf(
                    "%d of %d record(s) belong to partitions this instance no longer owns: left to their owner",
                    items.size() - mine.size(), items.size());
        }
        return mine;
    }

    /**
     * One query for the batch's submissions that are already stored (redeliveries), and two for its run reports'
     * jobs and nodes ({@link RunReportsPrefetch}), instead of several per record.
     */
    private Uni<Void> prefetch(List<Item> items, Outgoing out) {
        Set<String> ids = new HashSet<>();
        Set<String> runJobs = new HashSet<>();
        Set<String> runNodes = new HashSet<>();
        for (Item i : items) {
            if (i.decoded() instanceof Decoded.Event<?> e && e.value() instanceof JobSubmitted s && s.jobId() != null) {
                ids.add(s.jobId());
            } else if (i.decoded() instanceof Decoded.Event<?> e && e.value() instanceof JobRunReported r) {
                runJobs.add(r.jobId());
                runNodes.add(r.node());
            }
        }
        Uni<Void> stored = ids.isEmpty()
                ? Uni.createFrom().voidItem()
                : jobRepository
                        .storedIds(ids)
                        .invoke(found -> out.storedJobIds = new HashSet<>(found))
                        .replaceWithVoid();
        return stored.chain(() -> RunReportsPrefetch.load(runJobs, runNodes, jobRepository, nodeRepository))
                .invoke(p -> out.runs = p)
                .replaceWithVoid();
    }

    /** A record and what its bytes turned out to be; {@code decoded} is null for a topic the scheduler ignores. */
    private record Item(ConsumerRecord<byte[], byte[]> record, Decoded<?> decoded) {}

    /** A submission naming no cluster gets the default compute first, as on the REST path (DefaultCompute). */
    private Item decode(ConsumerRecord<byte[], byte[]> r) {
        String ceType = CloudEventHeaders.type(r.headers());
        Class<?> type = EventTypes.CLUSTER_BACKOFF_CHANGED_V2.equals(ceType)
                        || EventTypes.CLUSTER_BACKOFF_CHANGED_V3.equals(ceType)
                ? ClusterBackoffChangedV2.class
                : TYPES.get(Topics.isSubmissions(r.topic()) ? Topics.JOBS_SUBMITTED : r.topic());
        byte[] value =
                Topics.isSubmissions(r.topic()) ? DefaultCompute.fill(r.value(), config.defaultCompute()) : r.value();
        return new Item(r, type == null ? null : RecordDecoder.decode(r.topic(), r.key(), value, r.headers(), type));
    }

    /** @return whether the record was this instance's to apply (its partition owned) and was applied or dead-lettered */
    private Uni<Boolean> handleAlone(Item item) {
        ConsumerRecord<byte[], byte[]> r = item.record();
        AtomicBoolean mine = new AtomicBoolean();
        return retries.run(
                        CHANNEL,
                        r.topic() + " offset " + r.offset(),
                        3,
                        () -> ownership.acting(() -> {
                            mine.set(ownership.ownsPartition(r.partition()));
                            if (!mine.get()) {
                                return Uni.createFrom().voidItem();
                            }
                            Outgoing out = new Outgoing(); // a fresh one per try: a failed try leaves nothing behind
                            return Panache.withTransaction(() -> index.ready()
                                            .chain(() -> work(item, out))
                                            .chain(out::insertNewJobs)
                                            .chain(() -> placement.placeTouched(out))
                                            .chain(() -> store(out)))
                                    .onFailure()
                                    .invoke(e -> out.undo());
                        }),
                        e -> deadLetter(
                                r,
                                "could not be applied (3 attempts): "
                                        + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())))
                .map(ignored -> mine.get());
    }

    /** Dead-letters a record in a transaction of its own; if even that keeps failing, straight to the broker. */
    private Uni<Void> deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
        LOG.errorf("dead-lettering %s partition %d offset %d: %s", r.topic(), r.partition(), r.offset(), reason);
        registry.counter("ebbtide_scheduler_dead_letters_total", "topic", r.topic())
                .increment();
        Context context = Vertx.currentContext();
        return retries.run(
                CHANNEL,
                "the dead letter of " + r.topic() + " offset " + r.offset(),
                3,
                () -> Panache.withTransaction(() -> outbox.deadLetter(r, reason)),
                e -> retries.run(
                        CHANNEL,
                        "the dead letter of " + r.topic() + " offset " + r.offset(),
                        1,
                        () -> hop(
                                context, Uni.createFrom().completionStage(() -> deadLetters.send(r, reason, CHANNEL))),
                        Uni.createFrom()::failure));
    }

    private static Uni<Void> hop(Context context, Uni<Void> uni) {
        return context == null ? uni : uni.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private static String firstLine(String message) {
        String m = String.valueOf(message);
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static <T> Uni<Void> inOrder(List<T> items, Function<T, Uni<Void>> step) {
        return InOrder.each(items, step);
    }

    private Uni<Void> work(Item item, Outgoing out) {
        ConsumerRecord<byte[], byte[]> r = item.record();
        if (item.decoded() == null || item.decoded() instanceof Decoded.Tombstone<?>) {
            return Uni.createFrom().voidItem();
        }
        if (item.decoded() instanceof Decoded.Poison<?> poison) {
            LOG.warnf(
                    "dead-lettering %s partition %d offset %d: %s",
                    r.topic(), r.partition(), r.offset(), poison.reason());
            registry.counter("ebbtide_scheduler_dead_letters_total", "topic", r.topic())
                    .increment();
            out.deadLetter(r, poison.reason());
            return Topics.isSubmissions(r.topic())
                    ? submissions.onUnreadable(r, poison.reason(), out)
                    : Uni.createFrom().voidItem();
        }
        Object event = ((Decoded.Event<?>) item.decoded()).value();
        if (event instanceof JobSubmitted e) {
            return submissions.onSubmitted(r, e, out);
        }
        // anything else may read the job table: the batch's new jobs are written first
        return out.insertNewJobs().chain(() -> apply(event, out));
    }

    private Uni<Void> apply(Object event, Outgoing out) {
        if (event instanceof NodeStateChanged e) {
            return onNodeState(e, out);
        }
        if (event instanceof JobRunReported e) {
            return onRunReport(e, out);
        }
        if (event instanceof ClusterDefined e) {
            return onClusterDefined(e, out);
        }
        if (event instanceof ClusterBackoffChangedV2 e) {
            return onBackoff(e, out);
        }
        if (event instanceof ClusterBackoffChanged v1) {
            return onBackoff(v1.toV2(), out); // still in the topic from before v2
        }
        return Uni.createFrom().voidItem();
    }

    // --- node and run reports ----------------------------------------------------------------------------------

    private Uni<Void> onNodeState(NodeStateChanged e, Outgoing out) {
        return NodeEntity.<NodeEntity>findById(e.node()).chain(found -> {
            NodeEntity node = found != null ? found : newNode(e);
            Instant at = e.at() != null ? e.at() : now();
            // for start estimates, and kept for the cluster's next owner
            List<java.time.Duration> boots = bootTimes.nodeChanged(e.cluster(), node.state, node.since, e.state(), at);
            node.state = e.state();
            node.since = at;
            if (e.address() != null) {
                node.address = e.address();
            }
            if (e.port() != null) {
                node.port = e.port();
            }
            String lostJob = node.jobId;
            boolean gone = e.state() == NodeState.deleted;
            Uni<Void> step = boots == null
                    ? Uni.createFrom().voidItem()
                    : ClusterMemoryEntity.update(
                            e.cluster(),
                            row -> row.bootMillis = boots.stream()
                                    .map(d -> String.valueOf(d.toMillis()))
                                    .collect(Collectors.joining(",")));
            step = step.chain(() -> usage.nodeChanged(e, at));
            if (LOST.contains(e.state()) && lostJob != null) {
                step = step.chain(() -> releaseLostJob(lostJob, node, e.state(), out));
            }
            return step.chain(() -> gone ? node.delete() : node.persist().replaceWithVoid())
                    .chain(() -> placement.place(e.cluster(), out));
        });
    }

    private static NodeEntity newNode(NodeStateChanged e) {
        NodeEntity node = new NodeEntity();
        node.name = e.node();
        node.cluster = e.cluster();
        return node;
    }

    /**
     * A node a job was using went away (preempted, unusable, lost, removed): the job goes back to the queue (Azure ML
     * users' top complaint is preempted jobs that fail instead), its other nodes are asked to stop, and it starts again
     * from the beginning on new nodes, until it has had its max attempts ({@link JobLifecycle}).
     */
    private Uni<Void> releaseLostJob(String jobId, NodeEntity lost, NodeState state, Outgoing out) {
        Integer attempt = lost.attempt;
        lost.jobId = null;
        lost.attempt = null;
        return JobEntity.<JobEntity>findById(jobId)
                .chain(job -> job == null
                        ? Uni.createFrom().voidItem()
                        : holding(job.id, lost.name, out)
                                .invoke(holding -> transitions.apply(
                                        job, new JobEvent.NodeLost(lost.name, state.name(), attempt), holding, out))
                                .replaceWithVoid());
    }

    private Uni<Void> onRunReport(JobRunReported r, Outgoing out) {
        return JobEntity.<JobEntity>findById(r.jobId()).chain(job -> {
            if (job == null) {
                return Uni.createFrom().voidItem();
            }
            int attempt = r.attempt() != null ? r.attempt() : job.attempt;
            return switch (r.phase()) {
                case STARTED -> {
                    transitions.apply(job, new JobEvent.RankStarted(r.rank(), attempt, r.at()), 0, out);
                    yield Uni.createFrom().voidItem();
                }
                // only the rejecting node is free: the others of the gang are told to stop and free theirs when
                // they answer with EXITED, so nothing is placed on a node still running the old attempt
                case REJECTED ->
                    freeNode(r.node(), job.id, attempt)
                            .chain(() -> holding(job.id, null, out))
                            .invoke(holding -> transitions.apply(
                                    job, new JobEvent.Rejected(r.node(), r.rank(), attempt, r.reason()), holding, out))
                            .chain(() -> placement.place(job.cluster, out));
                case EXITED ->
                    freeNode(r.node(), job.id, attempt)
                            .chain(() -> holding(job.id, null, out))
                            .invoke(holding -> transitions.apply(
                                    job,
                                    new JobEvent.RankExited(
                                            r.node(),
                                            r.rank(),
                                            attempt,
                                            r.exitCode(),
                                            r.reason(),
                                            r.outputPath(),
                                            r.at()),
                                    holding,
                                    out))
                            .chain(() -> placement.place(job.cluster, out));
            };
        });
    }

    /** Nodes the scheduler still counts as given to the job, leaving out {@code except}. */
    private static Uni<Integer> holding(String jobId, String except, Outgoing out) {
        if (out.runs != null && out.runs.knows(jobId)) { // every node holding it is in the session: no query
            return Uni.createFrom().item(out.runs.holding(jobId, except));
        }
        return (except == null
                        ? NodeEntity.count("jobId", jobId)
                        : NodeEntity.count("jobId = ?1 and name <> ?2", jobId, except))
                .map(Long::intValue);
    }

    private static Uni<Void> freeNode(String name, String jobId, int attempt) {
        return NodeEntity.<NodeEntity>findById(name)
                .invoke(node -> {
                    if (node != null && jobId.equals(node.jobId) && (node.attempt == null || node.attempt == attempt)) {
                        node.jobId = null;
                        node.attempt = null;
                    }
                })
                .replaceWithVoid();
    }

    /** A cluster is defined or changed; jobs that arrived before its definition are admitted now. */
    private Uni<Void> onClusterDefined(ClusterDefined e, Outgoing out) {
        return ClusterEntity.<ClusterEntity>findById(e.spec().name())
                .chain(found -> {
                    ClusterEntity cluster = found != null ? found : new ClusterEntity();
                    cluster.name = e.spec().name();
                    cluster.maxInstances = e.spec().maxInstances();
                    return cluster.persist().replaceWithVoid();
                })
                .chain(() -> usage.clusterDefined(e.spec()))
                .chain(() -> submissions.admitWaiting(e.spec().name(), out));
    }

    /**
     * The cloud refused nodes (quota, capacity, throttling): every job waiting on the cluster says so, instead of
     * sitting silently in the queue. When the backoff ends they go back to "waiting for N node(s)".
     */
    private Uni<Void> onBackoff(ClusterBackoffChangedV2 e, Outgoing out) {
        waitReasons.onBackoff(e);
        Uni<Void> remember = ClusterMemoryEntity.update(
                e.cluster(),
                row -> row.backoff = e.ended() ? null : EventJson.write(e)); // for the cluster's next owner
        return remember.chain(() -> JobEntity.queued(e.cluster())).chain(queued -> {
            for (JobEntity job : queued) {
                String reason = waitReasons.reason(e.cluster(), job.instanceCount, now());
                if (!reason.equals(job.reason)) {
                    transitions.transition(job, JobState.Queued, reason, out);
                }
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** Stores the decided events in the outbox, in the transaction that made the change. */
    private Uni<Void> store(Outgoing out) {
        return out.storeIn(outbox);
    }

    private Instant now() {
        return clock.instant();
    }
}
