package dev.ebbtide.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The scale-out test's rules, as pure functions of what was recorded (acts with their actor and time, the local
 * cloud's call log), each returning the violations as sentences (none when the rule holds).
 */
final class ScaleOutChecks {
    private ScaleOutChecks() {}

    /** One act for a cluster: who did it and when (a scale request's sender, a cloud call's instance). */
    record Act(String cluster, String actor, Instant at) {}

    /** A time span in which ownership may move (from a kill or a restart until the group has settled). */
    record Window(String what, Instant from, Instant to) {
        boolean overlaps(Instant a, Instant b) {
            return !a.isAfter(to) && !b.isBefore(from);
        }
    }

    /**
     * Two live instances never both act for one cluster: per cluster, in time order, the actor changes only across a
     * rebalance window, and at most once per window (an A…B…A around one rebalance means both acted).
     */
    static List<String> handoverViolations(List<Act> acts, List<Window> rebalances) {
        Map<String, List<Act>> byCluster = new TreeMap<>();
        acts.forEach(a ->
                byCluster.computeIfAbsent(a.cluster(), c -> new ArrayList<>()).add(a));
        List<String> violations = new ArrayList<>();
        byCluster.forEach((cluster, list) -> {
            list.sort(Comparator.comparing(Act::at));
            Set<Window> used = new HashSet<>();
            for (int i = 1; i < list.size(); i++) {
                Act before = list.get(i - 1);
                Act after = list.get(i);
                if (before.actor().equals(after.actor())) {
                    continue;
                }
                Window window = rebalances.stream()
                        .filter(w -> !used.contains(w) && w.overlaps(before.at(), after.at()))
                        .findFirst()
                        .orElse(null);
                if (window == null) {
                    violations.add("cluster " + cluster + ": " + before.actor() + " acted at " + before.at() + ", then "
                            + after.actor() + " at " + after.at()
                            + (rebalances.stream().anyMatch(w -> w.overlaps(before.at(), after.at()))
                                    ? ", a second change around one rebalance (both acted)"
                                    : ", with no rebalance between"));
                } else {
                    used.add(window);
                }
            }
        });
        return violations;
    }

    /** One line of the local cloud's {@code cloud-calls.log}: {@code <time> <instance> <cluster> <op> <node> <cause>}. */
    record CloudCall(Instant at, String instance, String cluster, String op, String node, String cause) {}

    static List<CloudCall> readCloudCalls(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<CloudCall> calls = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.strip().split("\\s+", 6);
            if (f.length == 6) {
                calls.add(new CloudCall(Instant.parse(f[0]), f[1], f[2], f[3], f[4], f[5]));
            }
        }
        return calls;
    }

    /**
     * No scale request applied twice and no node left half-made, from the cloud's own record: a node is created only
     * when it does not exist and deleted only when it does; a cluster never holds more than its maximum; one scale
     * request never creates more nodes than its target (a request applied by two instances would).
     *
     * @param maxNodes       each cluster's {@code max_instances}
     * @param requestTargets each scale request's id and target count
     */
    static List<String> cloudCallViolations(
            List<CloudCall> calls, Map<String, Integer> maxNodes, Map<String, Integer> requestTargets) {
        List<String> violations = new ArrayList<>();
        Map<String, Set<String>> live = new HashMap<>();
        Map<String, Integer> createsPerRequest = new LinkedHashMap<>();
        for (CloudCall c :
                calls.stream().sorted(Comparator.comparing(CloudCall::at)).toList()) {
            Set<String> nodes = live.computeIfAbsent(c.cluster(), k -> new HashSet<>());
            switch (c.op()) {
                case "create", "start" -> {
                    Integer max = maxNodes.get(c.cluster());
                    if (!nodes.add(c.node())) {
                        violations.add(c.op() + " of " + c.node() + " by " + c.instance() + " (" + c.cause() + ") at "
                                + c.at() + ", which existed already");
                    } else if (max != null && nodes.size() > max) {
                        violations.add("cluster " + c.cluster() + " held " + nodes.size() + " nodes after " + c.op()
                                + " of " + c.node() + " by " + c.instance() + " at " + c.at() + " (max " + max + ")");
                    }
                    if (c.op().equals("create") && requestTargets.containsKey(c.cause())) {
                        createsPerRequest.merge(c.cause(), 1, Integer::sum);
                    }
                }
                case "delete", "stop" -> {
                    if (!nodes.remove(c.node())) {
                        violations.add(c.op() + " of " + c.node() + " by " + c.instance() + " at " + c.at()
                                + ", which did not exist");
                    }
                }
                default -> violations.add("unknown cloud call '" + c.op() + "' at " + c.at());
            }
        }
        createsPerRequest.forEach((request, creates) -> {
            if (creates > requestTargets.get(request)) {
                violations.add("scale request " + request + " created " + creates + " nodes for a target of "
                        + requestTargets.get(request) + " (applied twice)");
            }
        });
        return violations;
    }
}
