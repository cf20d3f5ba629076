package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.messaging.ownership.Ownership;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Which clusters this instance decides for: those of the partitions its consumer group assigned to it
 * ({@link Ownership}) whose past has been replayed ({@link #caughtUp}). On revocation it stops deciding for them,
 * waits for a decision in progress (ticks and events hold the {@link Autoscaler}'s lock) and for the scale requests
 * already sent to reach the broker, then drops the clusters' state; only then may the next owner start.
 */
@ApplicationScoped
@Startup // its gauges appear from the start
public class OwnedClusters implements Ownership.Listener {
    private static final Logger LOG = Logger.getLogger(OwnedClusters.class);

    @Inject
    Ownership ownership;

    @Inject
    Autoscaler autoscaler;

    @Inject
    AutoscalerEvents events;

    @Inject
    MeterRegistry registry;
    /** How long a revocation waits for this instance's last scale requests to reach the broker. */
    Duration sendWait = Duration.ofSeconds(5);

    private final Set<Integer> ready = ConcurrentHashMap.newKeySet();

    @PostConstruct
    void init() {
        ownership.addListener(this);
        if (registry != null) {
            Gauge.builder(
                            "ebbtide_autoscaler_owned_clusters",
                            this,
                            o -> o.clusters().size())
                    .description(
                            "clusters this instance decides for (their partitions are assigned to it and replayed)")
                    .register(registry);
            Gauge.builder("ebbtide_autoscaler_owned_partitions", this, o -> o.ready.size())
                    .description("partitions of the cluster-keyed topics this instance decides for")
                    .register(registry);
        }
    }

    public String instance() {
        return ownership.instance();
    }

    public Ownership ownership() {
        return ownership;
    }

    /** True if this instance decides for the cluster now. */
    public boolean decides(String cluster) {
        return ownership.owns(cluster) && ready.contains(ownership.partitionOf(cluster));
    }

    /** The defined clusters this instance decides for, sorted. */
    public List<String> clusters() {
        return autoscaler.clusterNames().stream().filter(this::decides).toList();
    }

    /** The partitions replayed and decided for, sorted. */
    public Set<Integer> readyPartitions() {
        return new TreeSet<>(ready);
    }

    /** The replay of these (owned) partitions is done: decide for their clusters from now on. */
    public void caughtUp(Set<Integer> partitions) {
        ready.addAll(partitions);
        ready.retainAll(ownership.owned()); // revoked meanwhile: never decide for it
        LOG.infof(
                "%s decides for partition(s) %s from now on: gained clusters %s",
                instance(), partitions, inPartitions(partitions));
    }

    /** Drops what this instance keeps for the clusters of these partitions (decided for or not). */
    public List<String> forget(Set<Integer> partitions) {
        return autoscaler.forget(c -> partitions.contains(ownership.partitionOf(c)));
    }

    @Override
    public void revoked(Set<Integer> partitions) {
        ready.removeAll(partitions);
        List<String> lost = forget(partitions); // takes the autoscaler's lock: a tick in progress finishes first
        try {
            if (!events.awaitSent(sendWait)) {
                LOG.warnf(
                        "scale requests still unacknowledged after %s while giving up partition(s) %s",
                        sendWait, partitions);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.infof("%s gave up partition(s) %s: lost clusters %s", instance(), partitions, lost);
    }

    private List<String> inPartitions(Set<Integer> partitions) {
        return autoscaler.clusterNames().stream()
                .filter(c -> partitions.contains(ownership.partitionOf(c)))
                .toList();
    }
}
