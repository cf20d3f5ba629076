package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Applies one {@link ScaleRequested} to a {@link NodePool}, idempotently: first deletes the named nodes that are still
 * idle, then adds nodes until the cluster has {@code targetCount} live (creating or ready) nodes. It never shrinks by
 * count. A request id already in the ledger has no effect; a cluster in scale-up backoff does not grow (deletes still
 * happen). A scale-up that fails after the retry policy starts or extends the cluster's backoff.
 */
public final class ScaleRequestHandler {

    private static final Logger LOG = Logger.getLogger(ScaleRequestHandler.class);

    public enum Status {
        /** Done (possibly nothing to do). */
        APPLIED,
        /** The request id was handled before; nothing was done. */
        DUPLICATE,
        /** Deletes done, but the cluster is in backoff so it did not grow. */
        BACKING_OFF,
        /** Deletes done, but no node fits the region's quota (or the series awaits approval): nothing sent. */
        WAITING_FOR_QUOTA,
        /** A cloud call failed after retries; see error and reason. */
        FAILED
    }

    /**
     * @param removed      nodes deleted
     * @param added        nodes the cloud created for this request (publish them as preparing)
     * @param backoffUntil set when the cluster is (now) in backoff
     * @param units        the gang units whose nodes were asked for (the cloud may have created only part of them)
     */
    public record Outcome(
            String requestId,
            String cluster,
            Status status,
            List<String> removed,
            List<String> added,
            ErrorClass error,
            Reason reason,
            Instant backoffUntil,
            List<ScaleRequested.Unit> units) {
        public Outcome {
            units = units == null ? List.of() : List.copyOf(units);
        }

        /** No gang unit was admitted. */
        public Outcome(
                String requestId,
                String cluster,
                Status status,
                List<String> removed,
                List<String> added,
                ErrorClass error,
                Reason reason,
                Instant backoffUntil) {
            this(requestId, cluster, status, removed, added, error, reason, backoffUntil, List.of());
        }
    }

    private final ClusterBackoff backoff;
    private final CloudCaller caller;
    private final ScaleRequestLedger ledger;
    private final ProvisionerEvents events;
    private final QuotaGate quota;

    public ScaleRequestHandler(
            ClusterBackoff backoff, CloudCaller caller, ScaleRequestLedger ledger, ProvisionerEvents events) {
        this(backoff, caller, ledger, events, QuotaGate.NONE);
    }

    /** @param quota asked before every scale-up: nodes beyond the quota are not sent to the cloud */
    public ScaleRequestHandler(
            ClusterBackoff backoff,
            CloudCaller caller,
            ScaleRequestLedger ledger,
            ProvisionerEvents events,
            QuotaGate quota) {
        this.quota = quota;
        this.backoff = backoff;
        this.caller = caller;
        this.ledger = ledger;
        this.events = events;
    }

    /** The per-cluster scale-up backoff this handler keeps (a gang deadline extends it too). */
    public ClusterBackoff backoff() {
        return backoff;
    }

    /**
     * @param stillIdle whether a node named for removal is still idle now (a node that took a job is kept)
     */
    public Outcome handle(ScaleRequested request, NodePool pool, Predicate<String> stillIdle) {
        String cluster = request.cluster();
        if (ledger.isApplied(cluster, request.requestId())) {
            LOG.debugf(
                    "cluster %s: scale request %s already handled; ignoring the redelivery",
                    cluster, request.requestId());
            return new Outcome(
                    request.requestId(), cluster, Status.DUPLICATE, List.of(), List.of(), ErrorClass.NONE, null, null);
        }
        try {
            return apply(request, pool, stillIdle);
        } finally {
            ledger.markApplied(cluster, request.requestId());
        }
    }

    private Outcome apply(ScaleRequested request, NodePool pool, Predicate<String> stillIdle) {
        String cluster = request.cluster();
        String id = request.requestId();

        // 1. delete the named nodes that are still idle
        List<String> removed = new ArrayList<>();
        List<String> toRemove = request.removeNodes().stream().filter(stillIdle).toList();
        if (!toRemove.isEmpty()) {
            CloudCaller.Result<Void> r = caller.run(cluster, "delete " + toRemove, () -> pool.deleteNodes(toRemove));
            if (r.failed()) {
                return new Outcome(
                        id,
                        cluster,
                        Status.FAILED,
                        List.of(),
                        List.of(),
                        r.failure().errorClass(),
                        CloudReasons.forError(
                                r.failure().errorClass(), r.failure().getMessage()),
                        null);
            }
            removed.addAll(toRemove);
        }

        // 2. grow to the target, unless backing off
        var active = backoff.active(cluster);
        Set<String> before = new HashSet<>();
        QuotaGate.Admission[] admitted = new QuotaGate.Admission[1];
        List<ScaleRequested.Unit> units = new ArrayList<>();
        CloudCaller.Result<Integer> grown = caller.call(cluster, "scale up to " + request.targetCount(), () -> {
            List<CloudNode> nodes = pool.nodes();
            before.clear();
            nodes.forEach(n -> before.add(n.name()));
            int delta = request.targetCount() - live(nodes);
            units.clear();
            delta = unitsWithin(request.units(), delta, units);
            if (delta > 0 && active.isEmpty()) {
                admitted[0] = quota.admit(
                        cluster,
                        delta,
                        units.stream().map(ScaleRequested.Unit::nodes).toList());
                trim(units, admitted[0].nodes());
                if (admitted[0].nodes() > 0) {
                    pool.increaseSize(admitted[0].nodes());
                }
                return admitted[0].nodes();
            }
            return Math.max(delta, 0);
        });
        if (!grown.failed() && grown.value() > 0 && active.isPresent()) {
            ClusterBackoff.State s = active.get();
            LOG.infof(
                    "cluster %s: not adding %d node(s) until %s: %s",
                    cluster, grown.value(), s.until(), s.reason().message());
            return new Outcome(
                    id, cluster, Status.BACKING_OFF, removed, List.of(), s.errorClass(), s.reason(), s.until());
        }
        if (grown.failed()) {
            ErrorClass ec = grown.failure().errorClass();
            Reason reason = CloudReasons.forError(ec, grown.failure().getMessage());
            ClusterBackoff.State s = backoff.recordFailure(cluster, ec, reason, grown.backoffAtLeast());
            LOG.warnf(
                    "cluster %s: scale-up backs off until %s (failure %d): %s",
                    cluster, s.until(), s.failures(), reason.message());
            events.backoffStarted(cluster, ec, s.until(), reason);
            // the nodes of a unit the cloud created in part are the gang's: it gives them back at its deadline
            List<String> partial = units.isEmpty() ? List.of() : newNodes(cluster, pool, before);
            return new Outcome(id, cluster, Status.FAILED, removed, partial, ec, reason, s.until(), units);
        }
        QuotaGate.Admission admission = admitted[0];
        if (admission != null && admission.cleared()) {
            events.backoffEnded(cluster);
        }
        if (admission != null && admission.waits()) {
            events.quotaWait(cluster, admission.waiting());
            if (admission.nodes() == 0) {
                return new Outcome(
                        id,
                        cluster,
                        Status.WAITING_FOR_QUOTA,
                        removed,
                        List.of(),
                        ErrorClass.NONE,
                        admission.reason(),
                        admission.until());
            }
        }
        List<String> added = List.of();
        if (grown.value() > 0) {
            if (backoff.recordSuccess(cluster)) {
                events.backoffEnded(cluster);
            }
            added = newNodes(cluster, pool, before);
            if (!added.isEmpty()) {
                events.nodesRequested(cluster, added, id);
            }
        }
        return new Outcome(id, cluster, Status.APPLIED, removed, added, ErrorClass.NONE, null, null, units);
    }

    /**
     * The units that fit in {@code delta} nodes, in order, into {@code out}; a unit that does not fit stops them, and
     * then only the units' nodes are added (never part of a unit). Returns the nodes to add.
     */
    static int unitsWithin(List<ScaleRequested.Unit> units, int delta, List<ScaleRequested.Unit> out) {
        int sum = 0;
        for (ScaleRequested.Unit u : units) {
            if (sum + u.nodes() > delta) {
                return sum;
            }
            sum += u.nodes();
            out.add(u);
        }
        return delta;
    }

    /** Keeps the units whose nodes are all within the {@code admitted} first nodes. */
    private static void trim(List<ScaleRequested.Unit> units, int admitted) {
        int sum = 0;
        for (int k = 0; k < units.size(); k++) {
            sum += units.get(k).nodes();
            if (sum > admitted) {
                units.subList(k, units.size()).clear();
                return;
            }
        }
    }

    private List<String> newNodes(String cluster, NodePool pool, Set<String> before) {
        CloudCaller.Result<List<CloudNode>> r = caller.call(cluster, "list nodes", pool::nodes);
        if (r.failed()) {
            return List.of(); // the reconciler will find them
        }
        return r.value().stream()
                .map(CloudNode::name)
                .filter(n -> !before.contains(n))
                .toList();
    }

    /** Nodes that count towards the cluster's size: creating or ready. */
    static int live(List<CloudNode> nodes) {
        return (int) nodes.stream()
                .filter(n -> n.status() == CloudNodeStatus.CREATING || n.status() == CloudNodeStatus.READY)
                .count();
    }
}
