package dev.ebbtide.scheduler.usage;

import dev.ebbtide.core.usage.Holder;
import dev.ebbtide.core.usage.Machine;
import dev.ebbtide.core.usage.NodeUsage;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A node's running usage segment (the fold's state, {@link NodeUsage}): since {@code since} its time is counted to
 * {@code jobId} (null: idle, the cluster's). A deleted node keeps its row with {@code gone} so a late report of its
 * old life does not open it again.
 */
@Entity
@Table(name = "usage_node")
public class UsageNodeEntity extends PanacheEntityBase {
    @Id
    public String node;

    public String cluster;
    public String size;
    public String tier;
    public String region;
    public String jobId;
    public String team;

    public String submittedBy;

    public boolean gone;
    public Instant since;

    NodeUsage usage() {
        return new NodeUsage(
                cluster, node, new Machine(size, tier, region), new Holder(jobId, team, submittedBy), gone, since);
    }

    void set(NodeUsage u) {
        node = u.node();
        cluster = u.cluster();
        size = u.machine().size();
        tier = u.machine().tier();
        region = u.machine().region();
        jobId = u.holder().jobId();
        team = u.holder().team();
        submittedBy = u.holder().user();
        gone = u.gone();
        since = u.since();
    }
}
