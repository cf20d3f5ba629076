package dev.ebbtide.scheduler.persistence;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.WaitReason;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the scheduler learned about a cluster from its events, beyond jobs and nodes: its latest back-off (why its jobs
 * wait) and its last observed node boot times (start estimates). Written by the cluster's owner in the transaction of
 * the event; read by the next owner after a takeover or a restart, and by any instance for start estimates.
 */
@Entity
@Table(name = "cluster_memory")
public class ClusterMemoryEntity extends PanacheEntityBase {
    @Id
    public String cluster;
    /**
     * The latest {@link ClusterBackoffChangedV2} while the cluster waits (null once the wait ended), as JSON; a row
     * written before v2 holds a {@link ClusterBackoffChanged}.
     */
    @Column(length = 4000)
    public String backoff;
    /** The last observed boot times in milliseconds, oldest first, comma-separated. */
    @Column(length = 400)
    public String bootMillis;

    /** Why the cluster waits, as stored; null when it does not. */
    public WaitReason waiting() {
        if (backoff == null) {
            return null;
        }
        ClusterBackoffChangedV2 v2 = EventJson.read(backoff, ClusterBackoffChangedV2.class);
        return v2.waiting() != null
                ? v2.waiting()
                : EventJson.read(backoff, ClusterBackoffChanged.class).toV2().waiting();
    }

    public List<Duration> bootTimes() {
        return bootMillis == null || bootMillis.isEmpty()
                ? List.of()
                : Arrays.stream(bootMillis.split(","))
                        .map(s -> Duration.ofMillis(Long.parseLong(s)))
                        .toList();
    }

    /** Changes the cluster's row (created if missing) in the current transaction. */
    public static Uni<Void> update(String cluster, Consumer<ClusterMemoryEntity> change) {
        return ClusterMemoryEntity.<ClusterMemoryEntity>findById(cluster).chain(found -> {
            ClusterMemoryEntity row = found != null ? found : new ClusterMemoryEntity();
            row.cluster = cluster;
            change.accept(row);
            return row.persist().replaceWithVoid();
        });
    }
}
