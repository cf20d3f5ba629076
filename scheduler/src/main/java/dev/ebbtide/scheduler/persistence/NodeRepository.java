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

    /** The nodes that hold one of these jobs or have one of these names (a batch's run reports, one query). */
    public Uni<List<NodeEntity>> holdingOrNamed(Collection<String> jobIds, Collection<String> names) {
        return list("jobId in ?1 or name in ?2", jobIds, names.isEmpty() ? List.of("") : names);
    }
}
