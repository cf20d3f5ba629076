package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.ids.RecentIds;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.cloud.local.LocalJobRunner;
import dev.ebbtide.provisioner.messaging.ProvisionerPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Applies scale requests and job assignments to a {@link CloudProvider}, and reports node states. It is the last
 * guard against removing a busy node: a node is deleted only if it is idle with no job when the request is applied.
 * Synchronized: requests, assignments, job exits and the node poll see one state.
 */
public class Provisioner {
    private static final Logger LOG = Logger.getLogger(Provisioner.class);
    /** How many job attempts are remembered as started / stopped, for redelivered assignments and stops. */
    private static final int REMEMBERED_ATTEMPTS = 10_000;

    /** What was last published for a node. */
    record Published(String cluster, NodeState state, String jobId) {
    }

    private final CloudProvider provider;
    private final LocalJobRunner runner;
    private final ProvisionerPublisher events;
    private final ScaleRequestHandler handler;
    private final Reconciler reconciler;
    private final Duration minPollInterval;
    private Instant lastPoll = Instant.EPOCH;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, ClusterSpec> clusters = new HashMap<>();
    private final Map<String, NodePool> pools = new LinkedHashMap<>();
    private final RecentIds startedAttempts = new RecentIds(REMEMBERED_ATTEMPTS);
    private final RecentIds stoppedAttempts = new RecentIds(REMEMBERED_ATTEMPTS);
    private final Map<String, Published> published = new LinkedHashMap<>();
    /** node → the job attempt it runs ({@code job#attempt}) */
    private final Map<String, String> busy = new HashMap<>();

    /**
     * @param minPollInterval how often the cloud may be asked for its nodes (0 for local; Azure lists are API calls)
     */
    public Provisioner(CloudProvider provider, LocalJobRunner runner, ProvisionerPublisher events,
            ScaleRequestHandler handler, Reconciler reconciler, Duration minPollInterval, MeterRegistry registry,
            Clock clock) {
        this.provider = provider;
        this.runner = runner;
        this.events = events;
        this.handler = handler;
        this.reconciler = reconciler;
        this.minPollInterval = minPollInterval;
        this.registry = registry;
        this.clock = clock;
    }

    /** Learns a cluster and opens its pool, so nodes that exist already (after a restart) are found and adopted. */
    public synchronized void onClusterDefined(ClusterSpec spec) {
        clusters.put(spec.name(), spec);
        try {
            pool(spec.name());
        } catch (CloudException e) {
            LOG.errorf("cluster %s: cannot open its node pool yet (%s): %s", spec.name(), e.errorClass(), e.getMessage());
        }
    }

    public synchronized boolean knowsCluster(String name) {
        return clusters.containsKey(name);
    }

    /**
     * Applies a scale request once (by request id, through the {@link ScaleRequestHandler}: retries, backoff,
     * classification): remove the named nodes that are still idle with no job, then grow to the target.
     */
    public synchronized void onScaleRequested(ScaleRequested r) {
        NodePool pool;
        try {
            pool = pool(r.cluster());
        } catch (CloudException e) {
            // the scale set could not be read or created: back off like any failed scale-up, so the autoscaler
            // re-decides after the backoff instead of waiting for nodes that will not come
            Instant until = clock.instant().plusSeconds(30);
            LOG.errorf("cluster %s: cannot open its node pool (%s): %s; backing off until %s", r.cluster(),
                    e.errorClass(), e.getMessage(), until);
            events.backoffStarted(r.cluster(), e.errorClass(), until,
                    CloudReasons.forError(e.errorClass(), e.getMessage()));
            return;
        }
        if (pool == null) {
            LOG.errorf("scale request %s names unknown cluster %s: ignored", r.requestId(), r.cluster());
            return;
        }
        ScaleRequestHandler.Outcome outcome = handler.handle(r, pool, this::stillIdle);
        Instant now = clock.instant();
        if (outcome.status() == ScaleRequestHandler.Status.DUPLICATE) {
            LOG.infof("scale request %s for %s already applied: ignored", r.requestId(), r.cluster());
            return;
        }
        for (String node : outcome.added()) {
            publish(r.cluster(), node, NodeState.preparing, null, "requested by " + r.requestId(), now, false);
        }
        for (String node : outcome.removed()) {
            publish(r.cluster(), node, NodeState.leaving, null, "scale-down request " + r.requestId(), now, false);
            publish(r.cluster(), node, NodeState.deleted, null, "removed", now, false);
        }
        registry.counter("ebbtide_provisioner_nodes_removed_total", "cluster", r.cluster()).increment(outcome.removed().size());
        registry.counter("ebbtide_provisioner_nodes_added_total", "cluster", r.cluster()).increment(outcome.added().size());
        for (String node : r.removeNodes()) {
            if (!outcome.removed().contains(node)) {
                refuseRemoval(r.cluster(), node, now);
            }
        }
        LOG.infof("cluster %s: request %s (target %d) %s: added %s, removed %s", r.cluster(), r.requestId(),
                r.targetCount(), outcome.status(), outcome.added(), outcome.removed());
        if (outcome.status() != ScaleRequestHandler.Status.APPLIED) {
            LOG.warnf("cluster %s: request %s %s: %s", r.cluster(), r.requestId(), outcome.status(),
                    outcome.reason() == null ? "" : outcome.reason().message());
        }
        pollQuietly(r.cluster(), pool, now);
    }

    private boolean stillIdle(String node) {
        Published p = published.get(node);
        return p != null && p.state() == NodeState.idle && !busy.containsKey(node);
    }

    private void refuseRemoval(String cluster, String node, Instant now) {
        Published p = published.get(node);
        String why = busy.containsKey(node) ? "busy with job " + jobOf(node)
                : p == null ? "unknown node" : "in state " + p.state();
        LOG.warnf("not removing %s from %s: %s", node, cluster, why);
        registry.counter("ebbtide_provisioner_removals_refused_total", "cluster", cluster).increment();
        if (p != null) {
            publish(cluster, node, p.state(), p.jobId(), "removal refused: " + why, now, true);
        }
    }

    /**
     * Compares what Ebbtide believes with the cloud (periodically and after a restart): nodes stuck in provisioning
     * past the limit or failed are given up, deleted and replaced; the reason is published with the node.
     */
    public synchronized void reconcileAll() {
        Instant now = clock.instant();
        for (Map.Entry<String, NodePool> e : pools.entrySet()) {
            String cluster = e.getKey();
            Set<String> believed = new LinkedHashSet<>();
            published.forEach((node, p) -> {
                if (p.cluster().equals(cluster)) {
                    believed.add(node);
                }
            });
            Reconciler.Result result = reconciler.reconcile(e.getValue(), believed);
            for (Reconciler.Unusable u : result.unusable()) {
                publish(cluster, u.node(), NodeState.unusable, null, u.reason().message(), now, false);
            }
            for (String node : result.adopted()) {
                publish(cluster, node, NodeState.preparing, null, "adopted: found in the cloud, unknown to Ebbtide", now, false);
            }
            for (String node : result.replacedNodes()) {
                publish(cluster, node, NodeState.preparing, null, "replacement for an unusable node", now, false);
            }
            pollQuietly(cluster, e.getValue(), now);
        }
    }

    /** Starts a job on all its nodes at once, or on none (then the scheduler requeues it). */
    public synchronized void onJobAssigned(JobAssigned a) {
        Instant now = clock.instant();
        String key = attemptKey(a.jobId(), a.attempt());
        if (!startedAttempts.add(key)) {
            LOG.infof("assignment of job %s (attempt %s) already handled: ignored", a.jobId(), a.attempt());
            return;
        }
        if (stoppedAttempts.contains(key)) {
            reject(a, a.nodes().get(0), "job " + a.jobId() + " was stopped before it started", now);
            return;
        }
        for (String node : a.nodes()) {
            Published p = published.get(node);
            if (p == null || p.state() != NodeState.idle || busy.containsKey(node)) {
                reject(a, node, "node " + node + " is " + (p == null ? "gone" : busy.containsKey(node) ? "busy" : p.state().name()), now);
                return;
            }
        }
        for (int rank = 0; rank < a.nodes().size(); rank++) {
            String node = a.nodes().get(rank);
            busy.put(node, key);
            publish(a.cluster(), node, NodeState.running, a.jobId(), null, now, false);
            events.runReported(new JobRunReported(a.jobId(), a.cluster(), node, rank, RunPhase.STARTED, null, null, null,
                    a.attempt(), now));
            int r = rank;
            runner.start(a.jobId(), node, rank, a.nodes().size(), a.spec(), (code, why) -> onExit(a, node, r, code, why));
        }
    }

    /**
     * Stops one attempt of a job on the named nodes: a running command is terminated (its exit is reported as usual);
     * a node not running it says so at once; an assignment of that attempt arriving later is rejected.
     */
    public synchronized void onJobStop(JobStopRequested s) {
        Instant now = clock.instant();
        String key = attemptKey(s.jobId(), s.attempt());
        stoppedAttempts.add(key);
        for (String node : s.nodes()) {
            if (key.equals(busy.get(node))) {
                LOG.infof("stopping job %s on %s: %s", s.jobId(), node, s.reason());
                runner.stop(node);
            } else {
                events.runReported(new JobRunReported(s.jobId(), s.cluster(), node, s.nodes().indexOf(node),
                        RunPhase.EXITED, null, null, "not running here", s.attempt(), now));
            }
        }
    }

    private void reject(JobAssigned a, String node, String why, Instant now) {
        LOG.warnf("rejecting job %s on %s: %s", a.jobId(), a.nodes(), why);
        events.runReported(new JobRunReported(a.jobId(), a.cluster(), node, a.nodes().indexOf(node), RunPhase.REJECTED,
                null, null, why, a.attempt(), now));
    }

    /** The job a node runs, or null. */
    private String jobOf(String node) {
        String key = busy.get(node);
        return key == null ? null : key.substring(0, key.lastIndexOf('#'));
    }

    private static String attemptKey(String jobId, Integer attempt) {
        return jobId + "#" + (attempt == null ? 1 : attempt);
    }

    private synchronized void onExit(JobAssigned a, String node, int rank, int code, String why) {
        Instant now = clock.instant();
        busy.remove(node);
        LOG.infof("job %s rank %d on %s exited with %d", a.jobId(), rank, node, code);
        events.runReported(new JobRunReported(a.jobId(), a.cluster(), node, rank, RunPhase.EXITED, code,
                runner.outputFile(a.jobId(), rank).toString(), why, a.attempt(), now));
        Published p = published.get(node);
        if (p != null && p.state() == NodeState.running) {
            publish(a.cluster(), node, NodeState.idle, null, null, now, false);
        }
    }

    /** Compares every pool's nodes with what was last published and publishes the differences. */
    public synchronized void pollAll() {
        Instant now = clock.instant();
        if (Duration.between(lastPoll, now).compareTo(minPollInterval) < 0) {
            return;
        }
        lastPoll = now;
        pools.forEach((cluster, pool) -> pollQuietly(cluster, pool, now));
    }

    private void pollQuietly(String cluster, NodePool pool, Instant now) {
        try {
            poll(cluster, pool, now);
        } catch (CloudException ex) {
            LOG.warnf("cluster %s: cannot list nodes (%s): %s", cluster, ex.errorClass(), ex.getMessage());
        }
    }

    private void poll(String cluster, NodePool pool, Instant now) {
        Set<String> seen = new LinkedHashSet<>();
        for (CloudNode node : pool.nodes()) {
            seen.add(node.name());
            if (!published.containsKey(node.name())) {
                continue; // unknown to Ebbtide: the reconciler adopts or deletes it after the grace period
            }
            NodeState state = NodeStates.of(node.status(), busy.containsKey(node.name()));
            Published p = published.get(node.name());
            if (p == null || p.state() != state) {
                publish(cluster, node.name(), state, jobOf(node.name()), node.message(), now, false);
            }
        }
        List<String> gone = published.entrySet().stream()
                .filter(e -> e.getValue().cluster().equals(cluster) && !seen.contains(e.getKey())
                        && e.getValue().state() != NodeState.deleted)
                .map(Map.Entry::getKey).toList();
        gone.forEach(n -> publish(cluster, n, NodeState.deleted, null, "no longer in the cloud", now, false));
    }

    private void publish(String cluster, String node, NodeState state, String jobId, String reason, Instant now,
            boolean force) {
        Published before = published.get(node);
        if (!force && before != null && before.state() == state) {
            return;
        }
        if (state == NodeState.deleted) {
            published.remove(node);
        } else {
            published.put(node, new Published(cluster, state, jobId));
        }
        events.nodeStateChanged(new NodeStateChanged(cluster, node, state, before == null ? null : before.state(), jobId,
                reason, now));
    }

    private NodePool pool(String cluster) {
        NodePool pool = pools.get(cluster);
        if (pool == null && clusters.containsKey(cluster)) {
            pool = provider.nodePool(clusters.get(cluster));
            pools.put(cluster, pool);
        }
        return pool;
    }

    /** Node states as last published, for the REST view. */
    public synchronized Map<String, Published> published() {
        return Map.copyOf(published);
    }
}
