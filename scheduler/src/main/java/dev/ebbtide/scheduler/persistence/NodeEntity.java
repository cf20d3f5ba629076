package dev.ebbtide.scheduler.persistence;

import dev.ebbtide.common.events.NodeState;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/**
 * The scheduler's view of a node: its state as the provisioner reported it, and the job the scheduler gave it.
 * {@code jobId} is set on assignment and cleared only when that job's part on this node ends.
 */
@Entity
@Table(name = "node")
public class NodeEntity extends PanacheEntityBase {
    @Id
    public String name;

    public String cluster;

    @Enumerated(EnumType.STRING)
    public NodeState state;

    public String jobId;
    /** The attempt of {@code jobId} this node was given. */
    public Integer attempt;

    public Instant since;
    /** The address the node's agent announced (optional). */
    public String address;
    /** The rendezvous port the node's agent announced (optional). */
    public Integer port;

    public boolean isFree() {
        return state == NodeState.idle && jobId == null;
    }

    public static Uni<List<NodeEntity>> ofCluster(String cluster) {
        return list("cluster", cluster);
    }
}
