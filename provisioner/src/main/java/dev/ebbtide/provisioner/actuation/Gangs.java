package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.core.gang.Gang;
import dev.ebbtide.core.gang.GangRule;
import dev.ebbtide.core.gang.GangVerdict;
import dev.ebbtide.core.gang.MemberState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The gang units the provisioner admitted and that are not all up yet, per cluster: which nodes were created for which
 * queued job, and until when (core's {@link GangRule} decides "all up" or "give back"). Units are opened when a scale
 * request's nodes are created; a later unit for the same job (a replacement) joins the open gang and keeps its
 * deadline. Read by the node-state publisher (a node held for a job says so) under the book's monitor, changed under
 * the provisioner's.
 */
final class Gangs {
    /** A node held for a queued job, until the gang's deadline. */
    record Hold(String jobId, Instant until) {}

    /** A gang that closed: all up, or its deadline passed without all its nodes up ({@link GangVerdict.GiveBack}). */
    record Closed(String cluster, Gang gang, GangVerdict verdict) {}

    private final Map<String, Map<String, Gang>> open = new ConcurrentHashMap<>();

    /**
     * Opens (or extends) a gang for each admitted unit, giving it the new nodes in order.
     *
     * @param units    the admitted units, in queue order
     * @param newNodes the nodes created for the request, in the cloud's order
     * @param time     the cluster's {@code max_gang_provision_time}
     * @return the gangs opened or extended
     */
    List<Gang> open(
            String cluster, List<ScaleRequested.Unit> units, List<String> newNodes, Instant now, Duration time) {
        List<Gang> touched = new ArrayList<>();
        Map<String, Gang> gangs = open.computeIfAbsent(cluster, c -> new LinkedHashMap<>());
        int next = 0;
        synchronized (gangs) {
            for (ScaleRequested.Unit u : units) {
                List<String> mine =
                        newNodes.subList(Math.min(next, newNodes.size()), Math.min(next + u.nodes(), newNodes.size()));
                next += u.nodes();
                Gang g = gangs.get(u.jobId());
                if (g == null && mine.isEmpty()) {
                    continue; // the cloud created none of it: its error backs the cluster off
                }
                g = g == null ? new Gang(u.jobId(), u.nodes(), mine, now.plus(time)) : g.with(mine);
                gangs.put(u.jobId(), g);
                touched.add(g);
            }
        }
        return touched;
    }

    /**
     * Applies the rule to every open gang of the cluster: gangs all up, and gangs past their deadline (with the nodes to
     * give back), are closed and returned.
     *
     * @param state what each node is now
     */
    List<Closed> check(String cluster, Function<String, MemberState> state, Instant now) {
        return check(cluster, state, now, false);
    }

    /**
     * As {@link #check(String, Function, Instant)}; with {@code allUpOnly} only gangs all up are closed (no cloud call
     * follows: an agent's announcement can close its gang at once), those past their deadline stay for the next full
     * check.
     */
    List<Closed> check(String cluster, Function<String, MemberState> state, Instant now, boolean allUpOnly) {
        Map<String, Gang> gangs = open.get(cluster);
        if (gangs == null) {
            return List.of();
        }
        List<Closed> out = new ArrayList<>();
        synchronized (gangs) {
            for (Gang g : List.copyOf(gangs.values())) {
                Map<String, MemberState> states = new HashMap<>();
                g.nodes().forEach(n -> states.put(n, state.apply(n)));
                GangVerdict v = GangRule.check(g, states, now);
                if (v instanceof GangVerdict.AllUp || (!allUpOnly && v instanceof GangVerdict.GiveBack)) {
                    gangs.remove(g.jobId());
                    out.add(new Closed(cluster, g, v));
                }
            }
        }
        return out;
    }

    /** The gang a node was created for, while it is open. */
    Optional<Hold> hold(String cluster, String node) {
        Map<String, Gang> gangs = open.get(cluster);
        if (gangs == null) {
            return Optional.empty();
        }
        synchronized (gangs) {
            return gangs.values().stream()
                    .filter(g -> g.nodes().contains(node))
                    .findFirst()
                    .map(g -> new Hold(g.jobId(), g.deadline()));
        }
    }

    /** The open gangs of a cluster, for its durable record and the REST view. */
    List<Gang> of(String cluster) {
        Map<String, Gang> gangs = open.get(cluster);
        if (gangs == null) {
            return List.of();
        }
        synchronized (gangs) {
            return List.copyOf(gangs.values());
        }
    }

    /** Whether some open gang's deadline has passed (a cheap look, without the provisioner's monitor). */
    boolean anyDue(Instant now) {
        for (Map<String, Gang> gangs : open.values()) {
            synchronized (gangs) {
                for (Gang g : gangs.values()) {
                    if (!now.isBefore(g.deadline())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether the cluster has open gangs. */
    boolean has(String cluster) {
        Map<String, Gang> gangs = open.get(cluster);
        return gangs != null && !gangs.isEmpty();
    }

    /** Clusters with open gangs. */
    List<String> clusters() {
        return List.copyOf(open.keySet());
    }

    /** The cluster's open gangs as its durable record keeps them. */
    List<ProvisionerClusterState.Gang> record(String cluster) {
        return of(cluster).stream()
                .map(g -> new ProvisionerClusterState.Gang(g.jobId(), g.wanted(), g.nodes(), g.deadline()))
                .toList();
    }

    /** Puts back a cluster's gangs read from its durable record (a takeover). */
    void restore(String cluster, List<ProvisionerClusterState.Gang> recorded) {
        Map<String, Gang> m = new LinkedHashMap<>();
        recorded.forEach(g -> m.put(g.jobId(), new Gang(g.jobId(), g.wanted(), g.nodes(), g.deadline())));
        if (m.isEmpty()) {
            open.remove(cluster);
        } else {
            open.put(cluster, m);
        }
    }

    /** Another instance acts for the cluster now. */
    void forget(String cluster) {
        open.remove(cluster);
    }
}
