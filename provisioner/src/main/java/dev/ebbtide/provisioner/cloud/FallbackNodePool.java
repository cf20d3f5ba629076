package dev.ebbtide.provisioner.cloud;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.core.fallback.Failure;
import dev.ebbtide.core.fallback.FallbackPlanner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The nodes of a cluster with fallback alternatives ({@code ebbtide_fallback}): one pool per choice — the cluster's own
 * size and tier first, then each alternative (on Azure one Uniform scale set each, {@code ebbtide-<cluster>} and
 * {@code ebbtide-<cluster>-<n>}). A scale-up tries the choices in the order core's {@link FallbackPlanner} gives, at
 * once, each for the nodes still missing: a capacity, SKU or quota failure moves on to the next choice; any other
 * failure, or the last choice failing, is thrown as usual (retry, then the cluster's backoff). Listing, deleting and
 * evicting go to every pool; each node knows which choice it came from ({@link #choiceOf}).
 */
public final class FallbackNodePool implements NodePool {
    private static final Logger LOG = Logger.getLogger(FallbackNodePool.class);

    /** One choice: a VM size and a tier. */
    public record Choice(String size, String tier) {}

    /** Asked before each choice is tried: how many of the nodes fit that choice's quota (0 to {@code nodes}). */
    @FunctionalInterface
    public interface ChoiceQuota {
        ChoiceQuota NONE = (cluster, choice, nodes) -> nodes;

        int fits(String cluster, Choice choice, int nodes);
    }

    private final String cluster;
    private final List<Choice> choices;
    private final List<NodePool> pools;
    private volatile ChoiceQuota quota = ChoiceQuota.NONE;
    /** Told each choice's refusal that the next choice answers (it is not thrown, so no caller counts it). */
    private volatile java.util.function.BiConsumer<ErrorClass, String> refused = (c, m) -> {};
    /** The choice of each node seen in a listing (read when a node's state is published: no cloud call). */
    private final Map<String, Choice> seen = new ConcurrentHashMap<>();

    public FallbackNodePool(String cluster, List<Choice> choices, List<NodePool> pools) {
        if (choices.size() != pools.size() || choices.isEmpty()) {
            throw new IllegalArgumentException("one pool per choice, at least one");
        }
        this.cluster = cluster;
        this.choices = List.copyOf(choices);
        this.pools = List.copyOf(pools);
    }

    /** The cluster's choices: its own size and tier, then its {@code ebbtide_fallback} alternatives in order. */
    public static List<Choice> choices(ClusterSpec spec) {
        List<Choice> out = new ArrayList<>();
        out.add(new Choice(spec.size(), spec.tier()));
        spec.capacityOrDefault().fallback().forEach(a -> out.add(new Choice(a.size(), a.tier())));
        return out;
    }

    /** Quota per choice (its own family and tier); by default none is checked. */
    public void quota(ChoiceQuota quota) {
        this.quota = quota;
    }

    /** Told each refusal of a choice that made the pool try the next one (metrics, logs). */
    public void onRefusal(java.util.function.BiConsumer<ErrorClass, String> listener) {
        this.refused = listener;
    }

    public List<Choice> choices() {
        return choices;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    @Override
    public int targetSize() {
        return pools.stream().mapToInt(NodePool::targetSize).sum();
    }

    @Override
    public void increaseSize(int delta) {
        if (delta <= 0) {
            throw new IllegalArgumentException("delta must be > 0, got " + delta);
        }
        List<dev.ebbtide.core.fallback.Choice> planned = choices.stream()
                .map(c -> new dev.ebbtide.core.fallback.Choice(c.size(), c.tier()))
                .toList();
        Set<Integer> tried = new HashSet<>();
        int index = 0;
        int missing = delta;
        List<String> failures = new ArrayList<>();
        while (true) {
            tried.add(index);
            Choice choice = choices.get(index);
            NodePool pool = pools.get(index);
            ErrorClass errorClass;
            String message;
            int fits = quota.fits(cluster, choice, missing);
            if (fits < missing) {
                errorClass = ErrorClass.QUOTA_EXCEEDED;
                message = choice.size() + " (" + choice.tier() + "): the quota has room for " + fits + " of " + missing
                        + " node(s)";
            } else {
                int before = live(pool);
                try {
                    pool.increaseSize(missing);
                    if (index > 0) {
                        LOG.infof(
                                "cluster %s: %d node(s) asked for as %s (%s), alternative %d",
                                cluster, missing, choice.size(), choice.tier(), index);
                    }
                    return;
                } catch (CloudException e) {
                    errorClass = e.errorClass();
                    message = choice.size() + " (" + choice.tier() + "): " + e.getMessage();
                    missing -= Math.max(0, live(pool) - before); // what this choice did create stays
                    if (missing <= 0) {
                        return;
                    }
                    if (failure(errorClass) == Failure.OTHER) {
                        throw e; // not a reason to change size: the usual retry and backoff
                    }
                }
            }
            failures.add(message);
            refused.accept(errorClass, message);
            FallbackPlanner.Next next = FallbackPlanner.next(planned, tried, failure(errorClass));
            if (next instanceof FallbackPlanner.Next.Try t) {
                LOG.warnf(
                        "cluster %s: %s; trying %s (%s) at once for %d node(s)",
                        cluster, message, t.choice().size(), t.choice().tier(), missing);
                index = t.index();
                continue;
            }
            throw new CloudException(
                    errorClass, "every choice failed (" + choices.size() + "): " + String.join("; ", failures));
        }
    }

    /** A cloud error class as the fallback rule sees it. */
    static Failure failure(ErrorClass errorClass) {
        return switch (errorClass) {
            case CAPACITY_UNAVAILABLE -> Failure.CAPACITY;
            case QUOTA_EXCEEDED -> Failure.QUOTA;
            default -> Failure.OTHER;
        };
    }

    private static int live(NodePool pool) {
        try {
            return (int) pool.nodes().stream()
                    .filter(n -> n.status() == CloudNodeStatus.CREATING || n.status() == CloudNodeStatus.READY)
                    .count();
        } catch (CloudException e) {
            return 0;
        }
    }

    @Override
    public void deleteNodes(List<String> names) {
        Set<String> left = new LinkedHashSet<>(names);
        for (NodePool pool : pools) {
            if (left.isEmpty()) {
                return;
            }
            List<String> mine = pool.nodes().stream()
                    .map(CloudNode::name)
                    .filter(left::contains)
                    .toList();
            if (!mine.isEmpty()) {
                pool.deleteNodes(mine);
                mine.forEach(left::remove);
            }
        }
    }

    @Override
    public void simulateEviction(String name) {
        for (NodePool pool : pools) {
            if (pool.nodes().stream().anyMatch(n -> n.name().equals(name))) {
                pool.simulateEviction(name);
                return;
            }
        }
    }

    @Override
    public List<CloudNode> nodes() {
        List<CloudNode> all = new ArrayList<>();
        for (int i = 0; i < pools.size(); i++) {
            List<CloudNode> mine = pools.get(i).nodes();
            Choice c = choices.get(i);
            mine.forEach(n -> seen.put(n.name(), c));
            all.addAll(mine);
        }
        seen.keySet().retainAll(all.stream().map(CloudNode::name).toList());
        return all;
    }

    /** The choice a node came from (its size and tier), as of the last listing; empty when not seen. */
    public Optional<Choice> choiceOf(String node) {
        return Optional.ofNullable(seen.get(node));
    }
}
