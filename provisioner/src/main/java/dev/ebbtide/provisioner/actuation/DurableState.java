package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.provisioner.instances.Instances;
import dev.ebbtide.provisioner.nodes.NodeBook;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One cluster's durable record, built from and restored into what the provisioner keeps in memory: the node table
 * ({@link NodeBook}), the request ledger, the backoff and a compute instance's lifecycle. A record equal to the last
 * one sent (but for its time) is not sent again. Build records under the book's monitor, so they are sent in the
 * order they were built.
 */
public final class DurableState {
    private static final Logger LOG = Logger.getLogger(DurableState.class);

    private final Ownership ownership;
    private final ClusterMemory memory;
    private final ScaleRequestLedger ledger;
    private final ClusterBackoff backoff;
    private final Clock clock;
    /** A record sent (its {@code at} cleared) and its acknowledgement. */
    private record Sent(ProvisionerClusterState state, CompletableFuture<Void> stored) {}

    /** cluster → the last record sent, to skip sending the same again (waiting for its acknowledgement instead). */
    private final Map<String, Sent> lastSent = new ConcurrentHashMap<>();

    public DurableState(
            Ownership ownership, ClusterMemory memory, ScaleRequestLedger ledger, ClusterBackoff backoff, Clock clock) {
        this.ownership = ownership;
        this.memory = memory;
        this.ledger = ledger;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** Every cluster, one instance, nothing kept (tests of other things). */
    public static DurableState none(ScaleRequestLedger ledger, ClusterBackoff backoff, Clock clock) {
        return new DurableState(Ownership.everything("provisioner"), ClusterMemory.NONE, ledger, backoff, clock);
    }

    public Ownership ownership() {
        return ownership;
    }

    public ClusterMemory memory() {
        return memory;
    }

    /**
     * Sends the cluster's record if it changed since the last one sent (call under the book's monitor); the future
     * completes when it is stored. A failed send is forgotten, so the next call sends again.
     */
    public CompletableFuture<Void> save(String cluster, NodeBook book, Instances instances) {
        ProvisionerClusterState state = record(cluster, book, instances);
        ProvisionerClusterState key = withoutTime(state);
        Sent last = lastSent.get(cluster);
        if (last != null && key.equals(last.state())) {
            return last.stored();
        }
        CompletableFuture<Void> stored;
        try {
            stored = memory.send(state);
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        Sent sent = new Sent(key, stored);
        lastSent.put(cluster, sent);
        stored.whenComplete((ok, failure) -> {
            if (failure != null) {
                lastSent.remove(cluster, sent);
            }
        });
        return stored;
    }

    ProvisionerClusterState record(String cluster, NodeBook book, Instances instances) {
        List<String> applied = ledger instanceof ScaleRequestLedger.PerCluster p ? p.recent(cluster) : List.of();
        ProvisionerClusterState.Backoff b = backoff == null
                ? null
                : backoff.last(cluster)
                        .map(s -> new ProvisionerClusterState.Backoff(
                                s.errorClass().name(), s.failures(), s.until(), s.reason()))
                        .orElse(null);
        ProvisionerClusterState.Instance instance =
                instances == null ? null : instances.record(cluster).orElse(null);
        return new ProvisionerClusterState(
                cluster,
                book.snapshot(cluster),
                applied,
                b,
                instance,
                clock.instant(),
                ownership.instance(),
                gangs == null ? List.of() : gangs.record(cluster));
    }

    /** The open gang units, kept in each cluster's record and restored on takeover. */
    private volatile Gangs gangs;

    void gangs(Gangs gangs) {
        this.gangs = gangs;
    }

    /**
     * Writes the durable records of these clusters (those owned) that changed and waits for the broker. Records are
     * built and sent under the book's monitor; the wait is outside it.
     *
     * @param required written even if the partition was just revoked (call under the provisioner's monitor, which the
     *                 handover waits for), and a failure throws (the consumer retries the record that caused the
     *                 change); otherwise only owned clusters are written, and a failure is logged (the next tick writes
     *                 again)
     */
    public void saveAndWait(Collection<String> clusters, boolean required, NodeBook book, Instances instances) {
        if (clusters.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        synchronized (book) {
            for (String c : clusters) {
                if (required || ownership.owns(c)) {
                    sent.add(save(c, book, instances));
                }
            }
        }
        await(sent, "the durable record of " + clusters, required);
    }

    /** Waits for these sends; a failure throws when {@code required}, else it is logged. */
    static void await(List<CompletableFuture<Void>> sent, String what, boolean required) {
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                    .get(SAVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (required) {
                throw new IllegalStateException("interrupted while storing " + what, e);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (required) {
                throw new IllegalStateException(what + " was not stored: " + cause.getMessage(), cause);
            }
            LOG.warnf("%s was not stored (the next tick tries again): %s", what, cause.getMessage());
        }
    }

    /** How long a durable record may take to be stored before the write counts as failed. */
    static final Duration SAVE_TIMEOUT = Duration.ofSeconds(30);

    /** Takes a cluster over from its record: node table (call under the book's monitor), ledger, backoff, instance. */
    public void restore(ProvisionerClusterState state, NodeBook book, Instances instances) {
        String cluster = state.cluster();
        book.restore(cluster, state.nodes());
        if (ledger instanceof ScaleRequestLedger.PerCluster p) {
            p.restore(cluster, state.appliedRequests());
        }
        if (backoff != null && state.backoff() != null) {
            ProvisionerClusterState.Backoff b = state.backoff();
            backoff.restore(
                    new ClusterBackoff.State(cluster, errorClass(b.errorClass()), b.failures(), b.until(), b.reason()));
        }
        if (instances != null && state.instance() != null) {
            instances.restore(cluster, state.instance());
        }
        if (gangs != null) {
            gangs.restore(cluster, state.gangs());
        }
        lastSent.put(cluster, new Sent(withoutTime(state), CompletableFuture.completedFuture(null)));
    }

    /** The cluster is no longer this instance's: forget its ledger, backoff and last record. */
    public void forget(String cluster) {
        if (ledger instanceof ScaleRequestLedger.PerCluster p) {
            p.forget(cluster);
        }
        if (backoff != null) {
            backoff.forget(cluster);
        }
        if (gangs != null) {
            gangs.forget(cluster);
        }
        lastSent.remove(cluster);
    }

    private static ErrorClass errorClass(String name) {
        try {
            return name == null ? ErrorClass.UNKNOWN : ErrorClass.valueOf(name);
        } catch (IllegalArgumentException e) {
            return ErrorClass.UNKNOWN; // written by a newer version
        }
    }

    private static ProvisionerClusterState withoutTime(ProvisionerClusterState s) {
        return new ProvisionerClusterState(
                s.cluster(), s.nodes(), s.appliedRequests(), s.backoff(), s.instance(), null, s.sender());
    }
}
