package dev.ebbtide.scheduler.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.core.placement.PlacementPlanner;
import dev.ebbtide.core.placement.Priority;
import dev.ebbtide.core.placement.SlotState;
import dev.ebbtide.core.placement.Start;
import dev.ebbtide.core.placement.WaitingJob;
import dev.ebbtide.scheduler.messaging.Outbox;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The scheduler's reactions to events. Each event is handled in one transaction that changes the database, runs
 * placement for the cluster through the pure {@link PlacementPlanner}, and stores the events it decided in the
 * outbox; the outbox sends them once the transaction has committed.
 */
@ApplicationScoped
public class SchedulerService {
    private static final Logger LOG = Logger.getLogger(SchedulerService.class);
    /** A job whose nodes are lost this many times fails instead of going back to the queue again. */
    static final int MAX_ATTEMPTS = 5;

    @Inject
    Outbox outbox;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry registry;

    /**
     * Handles a batch of records in one transaction (under load, one commit and one outbox relay for many events).
     * If the batch fails, each record is retried on its own; a record that still fails after three tries goes to
     * the dead-letter topic with the reason, so nothing is skipped silently and the consumer goes on.
     */
    public Uni<Void> handleBatch(List<ConsumerRecord<String, String>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Outgoing out = new Outgoing();
        return Panache.withTransaction(() -> inOrder(records, r -> work(r.topic(), r.key(), r.value(), out))
                .chain(() -> store(out)))
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("a batch of %d record(s) failed (%s): handling them one by one", records.size(), e.toString());
                    return inOrder(records, this::handleAlone);
                })
                .chain(outbox::relay);
    }

    private Uni<Void> handleAlone(ConsumerRecord<String, String> r) {
        Outgoing out = new Outgoing();
        return Panache.withTransaction(() -> work(r.topic(), r.key(), r.value(), out).chain(() -> store(out)))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(2)).atMost(2)
                .onFailure().recoverWithUni(e -> {
                    String reason = "processing failed after 3 tries: " + e;
                    LOG.errorf("dead-lettering a record from %s at offset %d: %s", r.topic(), r.offset(), reason);
                    registry.counter("ebbtide_scheduler_dead_letters_total", "topic", r.topic()).increment();
                    return Panache.withTransaction(() -> outbox.deadLetter(r.topic(), r.key(), r.value(), reason));
                });
    }

    private static <T> Uni<Void> inOrder(List<T> items, Function<T, Uni<Void>> step) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (T item : items) {
            chain = chain.chain(() -> step.apply(item));
        }
        return chain;
    }

    private Uni<Void> work(String topic, String key, String value, Outgoing out) {
        return switch (topic) {
            case Topics.JOBS_SUBMITTED -> onSubmitted(key, value, out);
            case Topics.NODES_STATE -> parsed(topic, key, value, NodeStateChanged.class, out, e -> onNodeState(e, out));
            case Topics.JOBS_RUNS -> parsed(topic, key, value, JobRunReported.class, out, e -> onRunReport(e, out));
            case Topics.CLUSTERS -> parsed(topic, key, value, ClusterDefined.class, out, e -> onClusterDefined(e));
            case Topics.CLUSTERS_BACKOFF -> parsed(topic, key, value, ClusterBackoffChanged.class, out, e -> onBackoff(e, out));
            default -> Uni.createFrom().voidItem();
        };
    }

    private <T> Uni<Void> parsed(String topic, String key, String value, Class<T> type, Outgoing out,
            Function<T, Uni<Void>> handler) {
        T event;
        try {
            event = EventJson.read(value, type);
        } catch (IllegalArgumentException e) {
            LOG.warnf("dead-lettering a record from %s: %s", topic, e.getMessage());
            out.deadLetter(topic, key, value, e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return handler.apply(event);
    }

    // --- submissions -------------------------------------------------------------------------------------------

    private Uni<Void> onSubmitted(String key, String value, Outgoing out) {
        JobSubmitted submitted;
        try {
            submitted = EventJson.read(value, JobSubmitted.class);
            String problem = problemWith(submitted);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        } catch (IllegalArgumentException e) {
            String jobId = jobIdOf(value);
            String reason = "invalid submission: " + e.getMessage();
            LOG.warnf("dead-lettering submission %s: %s", jobId, reason);
            out.deadLetter(Topics.JOBS_SUBMITTED, key, value, reason);
            if (jobId == null) {
                return Uni.createFrom().voidItem();
            }
            return failUnknownJob(jobId, key, reason, out);
        }
        return JobEntity.<JobEntity>findById(submitted.jobId()).chain(existing -> {
            if (existing != null) {
                LOG.debugf("job %s already known (redelivery): ignored", submitted.jobId());
                return Uni.createFrom().voidItem();
            }
            return ClusterEntity.<ClusterEntity>findById(submitted.cluster()).chain(cluster -> {
                JobEntity job = newJob(submitted);
                String reason = null;
                if (cluster == null) {
                    reason = "unknown cluster '" + submitted.cluster() + "'";
                } else if (submitted.spec().instanceCount() > cluster.maxInstances) {
                    reason = "job asks for " + submitted.spec().instanceCount() + " nodes but cluster '"
                            + cluster.name + "' has max_instances " + cluster.maxInstances;
                }
                if (reason != null) {
                    out.deadLetter(Topics.JOBS_SUBMITTED, key, value, reason);
                    transition(job, JobState.Failed, reason, out);
                    job.endedAt = now();
                    return job.persist().replaceWithVoid();
                }
                transition(job, JobState.Queued, "waiting for " + job.instanceCount + " node(s)", out);
                return job.persist().chain(() -> place(job.cluster, out));
            });
        });
    }

    private static String problemWith(JobSubmitted s) {
        if (s.jobId() == null || s.jobId().isBlank()) {
            return "jobId is missing";
        }
        if (s.cluster() == null || s.cluster().isBlank()) {
            return "cluster is missing";
        }
        JobSpec spec = s.spec();
        if (spec == null || spec.command() == null || spec.command().isBlank()) {
            return "spec.command is missing";
        }
        if (spec.instanceCount() < 1) {
            return "spec.instanceCount must be >= 1, got " + spec.instanceCount();
        }
        return null;
    }

    private static String jobIdOf(String value) {
        try {
            JsonNode node = EventJson.mapper().readTree(value);
            return node != null && node.hasNonNull("jobId") ? node.get("jobId").asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private Uni<Void> failUnknownJob(String jobId, String cluster, String reason, Outgoing out) {
        return JobEntity.<JobEntity>findById(jobId).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            JobEntity job = new JobEntity();
            job.id = jobId;
            job.cluster = cluster == null ? "unknown" : cluster;
            job.submittedAt = now();
            job.endedAt = job.submittedAt;
            job.priority = "medium";
            transition(job, JobState.Failed, reason, out);
            return job.persist().replaceWithVoid();
        });
    }

    private JobEntity newJob(JobSubmitted s) {
        JobEntity job = new JobEntity();
        job.id = s.jobId();
        job.cluster = s.cluster();
        job.instanceCount = s.spec().instanceCount();
        job.priority = s.spec().priority();
        job.specJson = EventJson.write(s.spec());
        job.submittedAt = s.submittedAt() != null ? s.submittedAt() : now();
        job.submittedBy = s.submittedBy();
        job.sequence = ChronoUnit.MICROS.between(Instant.EPOCH, job.submittedAt);
        return job;
    }

    // --- node and run reports ----------------------------------------------------------------------------------

    private Uni<Void> onNodeState(NodeStateChanged e, Outgoing out) {
        return NodeEntity.<NodeEntity>findById(e.node()).chain(found -> {
            NodeEntity node = found != null ? found : newNode(e);
            node.state = e.state();
            node.since = e.at() != null ? e.at() : now();
            String lostJob = node.jobId;
            boolean gone = e.state() == NodeState.deleted;
            boolean lost = gone || e.state() == NodeState.leaving || e.state() == NodeState.unusable
                    || e.state() == NodeState.preempted;
            Uni<Void> step = Uni.createFrom().voidItem();
            if (lost && lostJob != null) {
                step = releaseLostJob(lostJob, node, e.state(), out);
            }
            return step.chain(() -> gone ? node.delete() : node.persist().replaceWithVoid())
                    .chain(() -> place(e.cluster(), out));
        });
    }

    private static NodeEntity newNode(NodeStateChanged e) {
        NodeEntity node = new NodeEntity();
        node.name = e.node();
        node.cluster = e.cluster();
        return node;
    }

    /**
     * A node a job was using went away (preempted, unusable, removed): the job goes back to the queue (Azure ML users'
     * top complaint is preempted jobs that fail instead), its other nodes are asked to stop, and it starts again from
     * the beginning on new nodes. After {@link #MAX_ATTEMPTS} attempts it fails.
     */
    private Uni<Void> releaseLostJob(String jobId, NodeEntity lost, NodeState state, Outgoing out) {
        Integer attempt = lost.attempt;
        lost.jobId = null;
        lost.attempt = null;
        return JobEntity.<JobEntity>findById(jobId).chain(job -> {
            if (job == null || job.state.isTerminal() || (attempt != null && attempt != job.attempt)) {
                return Uni.createFrom().voidItem();
            }
            List<String> others = job.nodeList().stream().filter(n -> !n.equals(lost.name)).toList();
            String what = "node " + lost.name + " was " + state
                    + (job.state == JobState.Running ? " while running the job" : " before the job started");
            if (job.state == JobState.CancelRequested) {
                return finishCancelIfStopped(job, out);
            }
            if (!others.isEmpty()) {
                out.stops.add(new JobStopRequested(job.id, job.cluster, others, job.attempt, what, now()));
            }
            job.nodes = null;
            if (job.attempt >= MAX_ATTEMPTS) {
                transition(job, JobState.Failed, what + "; gave up after " + job.attempt + " attempts", out);
                job.endedAt = now();
            } else {
                transition(job, JobState.Queued, what + "; requeued (attempt " + job.attempt + " of " + MAX_ATTEMPTS + ")", out);
            }
            return job.persist().replaceWithVoid();
        });
    }

    private Uni<Void> onRunReport(JobRunReported r, Outgoing out) {
        return JobEntity.<JobEntity>findById(r.jobId()).chain(job -> {
            if (job == null) {
                return Uni.createFrom().voidItem();
            }
            int attempt = r.attempt() != null ? r.attempt() : job.attempt;
            boolean current = attempt == job.attempt && !job.state.isTerminal();
            return switch (r.phase()) {
                case STARTED -> {
                    if (current && job.state == JobState.Preparing) {
                        job.startedAt = r.at() != null ? r.at() : now();
                        transition(job, JobState.Running, null, out);
                    }
                    yield Uni.createFrom().voidItem();
                }
                case REJECTED -> freeAttempt(job.id, attempt).chain(() -> {
                    if (current && job.state == JobState.Preparing) {
                        transition(job, JobState.Queued, "requeued: " + r.reason(), out);
                        job.nodes = null;
                    } else if (current && job.state == JobState.CancelRequested) {
                        return finishCancelIfStopped(job, out);
                    }
                    return Uni.createFrom().voidItem();
                }).chain(() -> place(job.cluster, out));
                case EXITED -> freeNode(r.node(), job.id, attempt)
                        .chain(() -> current ? onExited(job, r, out) : Uni.createFrom().voidItem())
                        .chain(() -> place(job.cluster, out));
            };
        });
    }

    private Uni<Void> onExited(JobEntity job, JobRunReported r, Outgoing out) {
        if (job.state == JobState.CancelRequested) {
            return finishCancelIfStopped(job, out);
        }
        Set<String> ranks = new LinkedHashSet<>(job.exitedRankList());
        if (!ranks.add(String.valueOf(r.rank()))) {
            return Uni.createFrom().voidItem(); // redelivered report
        }
        job.exitedRanks = String.join(",", ranks);
        int code = r.exitCode() == null ? -1 : r.exitCode();
        if (job.exitCode == null || job.exitCode == 0) {
            job.exitCode = code;
            if (code != 0) {
                job.reason = "node " + r.node() + " exited with code " + code
                        + (r.reason() == null ? "" : " (" + r.reason() + ")");
            }
        }
        if (r.outputPath() != null && job.outputLocation == null) {
            Path parent = Path.of(r.outputPath()).getParent();
            job.outputLocation = parent == null ? r.outputPath() : parent.toString();
        }
        if (ranks.size() >= job.instanceCount) {
            if (job.startedAt == null) {
                job.startedAt = r.at();
            }
            job.endedAt = r.at() != null ? r.at() : now();
            if (job.exitCode == 0) {
                transition(job, JobState.Completed, null, out);
            } else {
                transition(job, JobState.Failed, job.reason, out);
            }
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * Cancels a job: a queued one at once; a preparing or running one is asked to stop on its nodes and becomes
     * Canceled when they have all stopped.
     *
     * @return the job after the change, or null if there is no such job
     * @throws IllegalStateException if the job has already ended
     */
    public Uni<JobEntity> cancel(String jobId, String reason) {
        Outgoing out = new Outgoing();
        return Panache.withTransaction(() -> JobEntity.<JobEntity>findById(jobId).chain(job -> {
            if (job == null) {
                return Uni.createFrom().nullItem();
            }
            if (job.state.isTerminal()) {
                throw new IllegalStateException("job " + jobId + " already ended: " + job.state);
            }
            Uni<Void> step = Uni.createFrom().voidItem();
            if (job.state == JobState.Queued || job.state == JobState.NotStarted) {
                transition(job, JobState.Canceled, reason, out);
                job.endedAt = now();
                step = place(job.cluster, out);
            } else if (job.state != JobState.CancelRequested) {
                transition(job, JobState.CancelRequested, reason, out);
                out.stops.add(new JobStopRequested(job.id, job.cluster, job.nodeList(), job.attempt, reason, now()));
            }
            return step.chain(() -> store(out)).replaceWith(job);
        })).call(outbox::relay);
    }

    private Uni<Void> finishCancelIfStopped(JobEntity job, Outgoing out) {
        return NodeEntity.count("jobId", job.id).map(busy -> {
            if (busy == 0) {
                transition(job, JobState.Canceled, job.reason, out);
                job.endedAt = now();
            }
            return null;
        });
    }

    private static Uni<Void> freeNode(String name, String jobId, int attempt) {
        return NodeEntity.<NodeEntity>findById(name).invoke(node -> {
            if (node != null && jobId.equals(node.jobId) && (node.attempt == null || node.attempt == attempt)) {
                node.jobId = null;
                node.attempt = null;
            }
        }).replaceWithVoid();
    }

    private static Uni<Void> freeAttempt(String jobId, int attempt) {
        return NodeEntity.<NodeEntity>list("jobId", jobId).invoke(nodes -> nodes.stream()
                .filter(n -> n.attempt == null || n.attempt == attempt).forEach(n -> {
                    n.jobId = null;
                    n.attempt = null;
                })).replaceWithVoid();
    }

    private Uni<Void> onClusterDefined(ClusterDefined e) {
        return ClusterEntity.<ClusterEntity>findById(e.spec().name()).chain(found -> {
            ClusterEntity cluster = found != null ? found : new ClusterEntity();
            cluster.name = e.spec().name();
            cluster.maxInstances = e.spec().maxInstances();
            return cluster.persist().replaceWithVoid();
        });
    }

    /**
     * The cloud refused nodes (quota, capacity, throttling): every job waiting on the cluster says so, instead of
     * sitting silently in the queue. When the backoff ends they go back to "waiting for N node(s)".
     */
    private Uni<Void> onBackoff(ClusterBackoffChanged e, Outgoing out) {
        return JobEntity.queued(e.cluster()).chain(queued -> {
            for (JobEntity job : queued) {
                String reason = e.until() == null ? "waiting for " + job.instanceCount + " node(s)"
                        : waitingReason(e.errorClass()) + " (" + e.reason() + "; retry after " + e.until() + ")";
                if (!reason.equals(job.reason)) {
                    transition(job, JobState.Queued, reason, out);
                }
            }
            return Uni.createFrom().voidItem();
        });
    }

    private static String waitingReason(String errorClass) {
        return switch (errorClass == null ? "" : errorClass) {
            case "QUOTA_EXCEEDED" -> "waiting for quota";
            case "CAPACITY_UNAVAILABLE" -> "waiting for capacity: unavailable in the region";
            case "THROTTLED" -> "waiting: the cloud is throttling requests";
            default -> "waiting: the cloud refused nodes (" + errorClass + ")";
        };
    }

    // --- placement ---------------------------------------------------------------------------------------------

    /** Starts every job the planner says can start now, then publishes the cluster's remaining demand. */
    Uni<Void> place(String cluster, Outgoing out) {
        return JobEntity.queued(cluster).chain(queued -> NodeEntity.ofCluster(cluster).chain(nodes -> {
            Instant now = now();
            Map<String, JobEntity> byId = queued.stream().collect(Collectors.toMap(j -> j.id, j -> j));
            Map<String, NodeEntity> nodeByName = nodes.stream().collect(Collectors.toMap(n -> n.name, n -> n));
            List<Start> starts = PlacementPlanner.plan(waiting(queued), slots(nodes), now);
            List<JobEntity> remaining = new ArrayList<>(queued);
            for (Start start : starts) {
                JobEntity job = byId.get(start.jobId());
                job.nodes = String.join(",", start.nodes());
                job.attempt += 1;
                job.exitedRanks = null;
                job.exitCode = null;
                job.outputLocation = null;
                start.nodes().forEach(n -> {
                    nodeByName.get(n).jobId = job.id;
                    nodeByName.get(n).attempt = job.attempt;
                });
                transition(job, JobState.Preparing, null, out);
                registry.timer("ebbtide_scheduler_queue_wait_seconds", "cluster", cluster)
                        .record(Duration.between(job.submittedAt, now));
                out.assignments.add(new JobAssigned(job.id, cluster, start.nodes(),
                        EventJson.read(job.specJson, JobSpec.class), job.attempt, now));
                remaining.remove(job);
            }
            out.demand.add(demand(cluster, remaining, nodes, now));
            return Uni.createFrom().voidItem();
        }));
    }

    private static List<WaitingJob> waiting(List<JobEntity> queued) {
        return queued.stream().map(j -> {
            JobSpec spec = EventJson.read(j.specJson, JobSpec.class);
            Duration limit = spec.timeoutSeconds() == null ? null : Duration.ofSeconds(spec.timeoutSeconds());
            return new WaitingJob(j.id, j.instanceCount, Priority.parse(j.priority), j.sequence, limit);
        }).toList();
    }

    private static List<NodeSlot> slots(List<NodeEntity> nodes) {
        List<NodeSlot> slots = new ArrayList<>();
        for (NodeEntity n : nodes) {
            if (n.isFree()) {
                slots.add(new NodeSlot(n.name, SlotState.FREE, n.since, null));
            } else if (n.jobId != null || n.state == NodeState.running) {
                slots.add(new NodeSlot(n.name, SlotState.BUSY, n.since, null));
            } else if (n.state == NodeState.preparing) {
                slots.add(new NodeSlot(n.name, SlotState.BOOTING, n.since, null));
            }
        }
        return slots;
    }

    private static ClusterDemandChanged demand(String cluster, List<JobEntity> queued, List<NodeEntity> nodes, Instant now) {
        List<QueuedJob> queue = queued.stream()
                .sorted(Comparator.comparing((JobEntity j) -> Priority.parse(j.priority)).thenComparingLong(j -> j.sequence))
                .map(j -> new QueuedJob(j.id, j.instanceCount, j.priority, j.submittedAt)).toList();
        int needed = queue.stream().mapToInt(QueuedJob::instanceCount).sum();
        List<String> busy = nodes.stream().filter(n -> n.jobId != null).map(n -> n.name).sorted().toList();
        return new ClusterDemandChanged(cluster, queue, needed, busy, now);
    }

    private void transition(JobEntity job, JobState to, String reason, Outgoing out) {
        JobState from = job.state;
        job.state = to;
        job.reason = reason;
        job.updatedAt = now();
        registry.counter("ebbtide_scheduler_job_transitions_total", "cluster", job.cluster, "state", to.name()).increment();
        LOG.infof("job %s on %s: %s -> %s%s", job.id, job.cluster, from, to, reason == null ? "" : " (" + reason + ")");
        out.states.add(new JobStateChanged(job.id, job.cluster, to, from, reason,
                to.isTerminal() ? job.exitCode : null, to.isTerminal() ? job.outputLocation : null, job.updatedAt));
    }

    /** Stores the decided events in the outbox, in the transaction that made the change. */
    private Uni<Void> store(Outgoing out) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Outgoing.DeadLetter d : out.deadLetters) {
            chain = chain.chain(() -> outbox.deadLetter(d.sourceTopic(), d.key(), d.payload(), d.reason()));
        }
        for (JobStateChanged e : out.states) {
            chain = chain.chain(() -> outbox.add("job-state", e.cluster(), EventJson.write(e)));
        }
        // demand before assignments: the autoscaler should see a job leave the queue before its nodes turn busy
        Map<String, ClusterDemandChanged> lastDemand = new java.util.LinkedHashMap<>();
        out.demand.forEach(d -> lastDemand.put(d.cluster(), d)); // within a batch, only the latest demand matters
        for (ClusterDemandChanged e : lastDemand.values()) {
            chain = chain.chain(() -> outbox.add("cluster-demand", e.cluster(), EventJson.write(e)));
        }
        for (JobAssigned e : out.assignments) {
            chain = chain.chain(() -> outbox.add("job-assignments", e.cluster(), EventJson.write(e)));
        }
        for (JobStopRequested e : out.stops) {
            chain = chain.chain(() -> outbox.add("job-stops", e.cluster(), EventJson.write(e)));
        }
        return chain;
    }

    private Instant now() {
        return clock.instant();
    }
}
