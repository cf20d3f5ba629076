package dev.ebbtide.scheduler.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A cluster the scheduler has heard of, with the limit it validates submissions against. */
@Entity
@Table(name = "cluster")
public class ClusterEntity extends PanacheEntityBase {
    @Id
    public String name;

    public int maxInstances;
}
