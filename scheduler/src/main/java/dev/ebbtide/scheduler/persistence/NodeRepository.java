package dev.ebbtide.scheduler.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;

/** The node table's queries that the scheduler's batch work needs. */
@ApplicationScoped
public class NodeRepository implements PanacheRepositoryBase<NodeEntity, String> {

    /** The nodes of these clusters (one query for every cluster a batch touched). */
    public Uni<List<NodeEntity>> ofClusters(Collection<String> clusters) {
        return list("cluster in ?1", clusters);
    }
}
