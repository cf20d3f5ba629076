package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.Reason;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects events as short strings tests can compare. */
public final class RecordingEvents implements ProvisionerEvents {
    public final List<String> all = new CopyOnWriteArrayList<>();
    public final List<Reason> reasons = new CopyOnWriteArrayList<>();

    @Override
    public void cloudError(String cluster, ErrorClass errorClass, String message) {
        all.add("cloudError " + cluster + " " + errorClass);
    }

    @Override
    public void backoffStarted(String cluster, ErrorClass errorClass, Instant until, Reason reason) {
        all.add("backoffStarted " + cluster + " " + errorClass + " until " + until + " " + reason.code());
        reasons.add(reason);
    }

    @Override
    public void backoffEnded(String cluster) {
        all.add("backoffEnded " + cluster);
    }

    @Override
    public void nodesRequested(String cluster, List<String> nodes, String requestId) {
        all.add("nodesRequested " + cluster + " " + nodes + " " + requestId);
    }

    @Override
    public void nodeUnusable(String cluster, String node, Reason reason) {
        all.add("nodeUnusable " + cluster + " " + node + " " + reason.code());
        reasons.add(reason);
    }

    @Override
    public void nodePreempted(String cluster, String node) {
        all.add("nodePreempted " + cluster + " " + node);
    }

    @Override
    public void nodeGone(String cluster, String node) {
        all.add("nodeGone " + cluster + " " + node);
    }

    @Override
    public void orphanFound(String cluster, String node, OrphanAction action) {
        all.add("orphanFound " + cluster + " " + node + " " + action);
    }

    public List<String> without(String prefix) {
        return all.stream().filter(s -> !s.startsWith(prefix)).toList();
    }
}
