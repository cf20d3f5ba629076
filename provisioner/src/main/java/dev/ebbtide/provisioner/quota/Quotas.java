package dev.ebbtide.provisioner.quota;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.compute.VmSize;
import dev.ebbtide.common.events.WaitReason;
import dev.ebbtide.core.quota.CoreLimit;
import dev.ebbtide.core.quota.QuotaDecision;
import dev.ebbtide.core.quota.QuotaPlanner;
import dev.ebbtide.core.quota.QuotaRequest;
import dev.ebbtide.provisioner.actuation.ProvisionerEvents;
import dev.ebbtide.provisioner.actuation.QuotaGate;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.FallbackNodePool;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The provisioner's quota book: checks each scale-up against the region's quotas ({@link QuotaPlanner}), remembers the
 * clusters that wait, and lets them go (a {@code ClusterBackoffChanged} with no {@code until}) as soon as quota is
 * raised or cores are freed. Usage is the source's (Azure) or Ebbtide's own nodes' cores (local). A cluster whose size
 * is not in the {@link VmCatalogue} (e.g. {@code local}) is not limited. Holds no lock of its own: the provisioner's
 * view is read under the provisioner's.
 */
public final class Quotas implements QuotaGate {
    private static final Logger LOG = Logger.getLogger(Quotas.class);

    /** What the provisioner knows: its clusters and how many nodes each has (creating, ready or busy). */
    public interface UsageView {
        Map<String, ClusterSpec> clusters();

        int nodes(String cluster);
    }

    /** One quota for {@code GET /quota}; {@code limit} null when none applies. */
    public record Line(String region, String name, int used, Integer limit) {}

    private final QuotaSource source;
    private final VmCatalogue catalogue;
    private final String defaultRegion;
    private final Clock clock;
    private final Duration recheck;
    private final ProvisionerEvents events;
    private final MeterRegistry registry;
    private volatile UsageView view = new UsageView() {
        @Override
        public Map<String, ClusterSpec> clusters() {
            return Map.of();
        }

        @Override
        public int nodes(String cluster) {
            return 0;
        }
    };
    private final Map<String, QuotaDecision.Wait> waiting = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();

    public Quotas(
            QuotaSource source,
            VmCatalogue catalogue,
            String defaultRegion,
            Clock clock,
            Duration recheck,
            ProvisionerEvents events,
            MeterRegistry registry) {
        this.source = source;
        this.catalogue = catalogue;
        this.defaultRegion = defaultRegion;
        this.clock = clock;
        this.recheck = recheck;
        this.events = events;
        this.registry = registry;
    }

    public void attach(UsageView view) {
        this.view = view;
    }

    public QuotaSource source() {
        return source;
    }

    @Override
    public Admission admit(String cluster, int nodes) {
        return admit(cluster, nodes, List.of());
    }

    @Override
    public Admission admit(String cluster, int nodes, List<Integer> units) {
        Optional<QuotaDecision> decided = plan(cluster, nodes, units);
        if (decided.isEmpty() || !decided.get().waits()) {
            boolean cleared = waiting.remove(cluster) != null;
            if (cleared) {
                LOG.infof("cluster %s: quota allows its scale-up again", cluster);
            }
            return new Admission(nodes, null, cleared);
        }
        QuotaDecision d = decided.get();
        QuotaDecision.Wait previous = waiting.put(cluster, d.waiting());
        if (previous == null || !previous.message().equals(d.waiting().message())) {
            LOG.infof(
                    "cluster %s: %d of %d node(s) fit; %s",
                    cluster, d.allowedNodes(), nodes, d.waiting().message());
        }
        return new Admission(
                d.allowedNodes(), waitReason(d.waiting(), clock.instant().plus(recheck)), false);
    }

    /** The planner's wait as the typed reason the provisioner publishes; {@code until} is its next look. */
    static WaitReason waitReason(QuotaDecision.Wait w, Instant until) {
        return w.kind() == QuotaDecision.Kind.APPROVAL
                ? new WaitReason.Approval(w.series(), w.quota(), until)
                : new WaitReason.Quota(w.quota(), w.used(), w.limit(), until, w.gang(), w.room());
    }

    /** The cluster's current wait, if any. */
    public Optional<QuotaDecision.Wait> waitOf(String cluster) {
        return Optional.ofNullable(waiting.get(cluster));
    }

    /** Another provisioner instance acts for the cluster now: its wait is that instance's to end. */
    public void forget(String cluster) {
        waiting.remove(cluster);
    }

    public Map<String, String> waiting() {
        Map<String, String> out = new TreeMap<>();
        waiting.forEach((c, w) -> out.put(c, w.message()));
        return out;
    }

    /** Changes a limit (local); clusters that now fit are let go at once. False when the source cannot change it. */
    public boolean setLimit(String name, int limit) {
        if (!source.setLimit(name, limit)) {
            return false;
        }
        LOG.infof("quota %s set to %d cores", name, limit);
        refresh();
        return true;
    }

    /** Re-reads the quotas: every waiting cluster that can now add a node is let go; the gauges are updated. */
    public void refresh() {
        for (String cluster : List.copyOf(waiting.keySet())) {
            Optional<QuotaDecision> d = plan(cluster, 1, List.of());
            if ((d.isEmpty() || d.get().allowedNodes() > 0) && waiting.remove(cluster) != null) {
                LOG.infof("cluster %s: quota allows a scale-up again; the autoscaler may ask", cluster);
                events.backoffEnded(cluster);
            }
        }
        report();
    }

    /** Use and limits per region and quota (each region a cluster is in, and the default one). */
    public List<Line> report() {
        TreeSet<String> regions = new TreeSet<>();
        regions.add(defaultRegion);
        view.clusters().values().forEach(c -> regions.add(region(c)));
        List<Line> lines = new ArrayList<>();
        for (String region : regions) {
            Map<String, CoreLimit> limits;
            try {
                limits = limits(region);
            } catch (CloudException e) {
                LOG.warnf("cannot read the quotas of %s (%s): %s", region, e.errorClass(), e.getMessage());
                continue;
            }
            Map<String, Integer> own = source.countsOwnNodes() ? ownUsage(region) : Map.of();
            TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            names.addAll(limits.keySet());
            names.addAll(own.keySet());
            for (String name : names) {
                CoreLimit l = limits.get(name);
                lines.add(new Line(region, name, l != null ? l.used() : own.get(name), l != null ? l.limit() : null));
            }
        }
        return lines;
    }

    /**
     * How many of {@code nodes} fit one fallback choice's quota (its family, or the low-priority total for Spot): all or
     * none, as the choice is asked for the nodes still missing at once. A size outside the catalogue, or quotas that
     * cannot be read, do not limit (the cloud decides).
     */
    public int fits(String cluster, FallbackNodePool.Choice choice, int nodes) {
        ClusterSpec spec = view.clusters().get(cluster);
        Optional<VmSize> size = catalogue.find(choice.size());
        if (spec == null || size.isEmpty() || nodes <= 0) {
            return nodes;
        }
        try {
            VmSize s = size.get();
            return QuotaPlanner.plan(
                            new QuotaRequest(
                                    s.series(),
                                    s.family(),
                                    s.vcpus(),
                                    nodes,
                                    "low_priority".equals(choice.tier()),
                                    s.approvalRequired(),
                                    List.of(nodes)),
                            limits(region(spec)))
                    .allowedNodes();
        } catch (CloudException e) {
            return nodes;
        }
    }

    private Optional<QuotaDecision> plan(String cluster, int nodes, List<Integer> units) {
        ClusterSpec spec = view.clusters().get(cluster);
        if (spec != null && !spec.capacityOrDefault().fallback().isEmpty()) {
            return Optional.empty(); // checked per choice by the cluster's pool (fits), which falls back on a refusal
        }
        Optional<VmSize> size = spec == null ? Optional.empty() : catalogue.find(spec.size());
        if (size.isEmpty()) {
            return Optional.empty();
        }
        Map<String, CoreLimit> limits;
        try {
            limits = limits(region(spec));
        } catch (CloudException e) {
            LOG.warnf(
                    "cluster %s: cannot read the quotas of %s (%s): %s; the cloud will decide",
                    cluster, region(spec), e.errorClass(), e.getMessage());
            return Optional.empty();
        }
        VmSize s = size.get();
        return Optional.of(QuotaPlanner.plan(
                new QuotaRequest(
                        s.series(),
                        s.family(),
                        s.vcpus(),
                        nodes,
                        "low_priority".equals(spec.tier()),
                        s.approvalRequired(),
                        units),
                limits));
    }

    /** The source's quotas with usage (Ebbtide's own nodes where the source counts none); updates the gauges. */
    private Map<String, CoreLimit> limits(String region) throws CloudException {
        // Azure spells some families with a capital S (StandardNVADSA10v5Family): names match case-insensitively
        Map<String, CoreLimit> limits = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        limits.putAll(source.limits(region));
        if (source.countsOwnNodes()) {
            Map<String, Integer> used = ownUsage(region);
            limits.replaceAll((name, l) -> new CoreLimit(name, used.getOrDefault(name, 0), l.limit()));
        }
        limits.values().forEach(l -> {
            gauges.computeIfAbsent("used|" + region + "|" + l.name(), k -> {
                        AtomicInteger v = new AtomicInteger(); // held here: Micrometer keeps only a weak reference
                        Gauge.builder("ebbtide_quota_cores_used", v, AtomicInteger::get)
                                .description("cores used per quota (tags: family, region)")
                                .tag("family", l.name())
                                .tag("region", region)
                                .register(registry);
                        return v;
                    })
                    .set(l.used());
            gauges.computeIfAbsent("limit|" + region + "|" + l.name(), k -> {
                        AtomicInteger v = new AtomicInteger();
                        Gauge.builder("ebbtide_quota_cores_limit", v, AtomicInteger::get)
                                .description("cores allowed per quota (tags: family, region)")
                                .tag("family", l.name())
                                .tag("region", region)
                                .register(registry);
                        return v;
                    })
                    .set(l.limit());
        });
        return limits;
    }

    private Map<String, Integer> ownUsage(String region) {
        Map<String, Integer> used = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        view.clusters().values().stream()
                .filter(c -> region(c).equals(region))
                .forEach(c -> catalogue.find(c.size()).ifPresent(s -> {
                    int cores = view.nodes(c.name()) * s.vcpus();
                    if ("low_priority".equals(c.tier())) {
                        used.merge(QuotaPlanner.LOW_PRIORITY, cores, Integer::sum);
                    } else {
                        used.merge(s.family(), cores, Integer::sum);
                        used.merge(QuotaPlanner.TOTAL, cores, Integer::sum);
                    }
                }));
        return used;
    }

    private String region(ClusterSpec spec) {
        return spec.location() != null && !spec.location().isBlank() ? spec.location() : defaultRegion;
    }
}
