package dev.ebbtide.scheduler.service;

import dev.ebbtide.messaging.ownership.Ownership;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The scheduler's part in partition ownership (docs/design/0002-scale-out.md). Everything that acts for a cluster
 * (places, queues, requeues, fails or cancels a job) runs through {@link #acting} and first keeps only the clusters
 * this instance owns. On revocation the partitions leave the owned set first ({@link Ownership}), then this waits, on
 * the Kafka polling thread, until the work in flight has committed, and forgets the revoked clusters' queues: the
 * next owner starts after. On assignment the gained clusters' queues are rebuilt from PostgreSQL before the next
 * work uses them ({@link QueueIndex#assigned}), and jobs waiting for a cluster definition are looked at again.
 */
@Startup
@ApplicationScoped
public class ClusterOwnership implements Ownership.Listener {
    private static final Logger LOG = Logger.getLogger(ClusterOwnership.class);
    /**
     * The longest a revocation waits for work in flight. Work is one transaction (queries time out after 30 s:
     * {@code statement_timeout}); well under the consumer's {@code max.poll.interval.ms} (5 min), past which the
     * group would drop this member anyway.
     */
    static final Duration REVOKE_WAIT = Duration.ofSeconds(60);

    @Inject
    Ownership ownership;

    @Inject
    QueueIndex index;

    @Inject
    ClusterWait clusterWait;

    @Inject
    MeterRegistry registry;

    private final InFlight inFlight = new InFlight();

    @PostConstruct
    void init() {
        ownership.addListener(this);
        Gauge.builder(
                        "ebbtide_scheduler_owned_partitions",
                        ownership,
                        o -> o.owned().size())
                .description("Partitions of the cluster-keyed topics this scheduler instance owns (acts for)")
                .register(registry);
    }

    /** Whether this instance acts for {@code cluster} now. */
    public boolean owns(String cluster) {
        return ownership.owns(cluster);
    }

    /** Whether this instance owns partition {@code partition} of the topics it reads. */
    boolean ownsPartition(int partition) {
        return ownership.owned().contains(partition);
    }

    /** This instance's name ({@code EBBTIDE_INSTANCE}, e.g. scheduler-2). */
    public String instance() {
        return ownership.instance();
    }

    /**
     * Runs work that acts for clusters; a revocation waits for it. The work must check ownership itself, inside
     * (after this has counted it), and leave alone what this instance does not own.
     */
    public <T> Uni<T> acting(Supplier<Uni<T>> work) {
        return inFlight.run(work);
    }

    @Override
    public void assigned(Set<Integer> partitions) {
        index.assigned(partitions);
        clusterWait.recheck();
        LOG.infof(
                "%s: acts for the clusters of partition(s) %s (owns %s of %d); their queues are rebuilt from PostgreSQL",
                ownership.instance(), partitions, ownership.owned(), ownership.partitions());
    }

    @Override
    public void revoked(Set<Integer> partitions) {
        long start = System.nanoTime();
        boolean idle = inFlight.awaitIdle(REVOKE_WAIT);
        index.revoked(partitions);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (idle) {
            LOG.infof(
                    "%s: stopped acting for the clusters of partition(s) %s after %d ms (owns %s)",
                    ownership.instance(), partitions, ms, ownership.owned());
        } else {
            LOG.errorf(
                    "%s: gave up partition(s) %s with work still in flight after %d ms: it re-checks ownership before "
                            + "its next try, but its current transaction may still commit",
                    ownership.instance(), partitions, ms);
        }
    }
}
