package dev.ebbtide.scheduler.usage;

import dev.ebbtide.core.usage.Machine;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** What a cluster's nodes are, for usage: size, tier and region, from its {@code ClusterDefined}. */
@Entity
@Table(name = "usage_cluster")
public class UsageClusterEntity extends PanacheEntityBase {
    @Id
    public String name;

    public String size;
    public String tier;
    public String region;

    Machine machine() {
        return new Machine(size, tier, region);
    }
}
