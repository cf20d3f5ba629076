package dev.ebbtide.scheduler.persistence;

import dev.ebbtide.common.events.JobState;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;

/** The job table's queries that the scheduler's batch work needs (one query each, whatever the batch size). */
@ApplicationScoped
public class JobRepository implements PanacheRepositoryBase<JobEntity, String> {

    /** Every queued job of every cluster (to build the in-memory queue index). */
    public Uni<List<JobEntity>> allQueued() {
        return list("state", JobState.Queued);
    }

    /** The clusters that have queued jobs (to build the queue index of some clusters only). */
    public Uni<List<String>> queuedClusters() {
        return getSession()
                .chain(s -> s.createSelectionQuery(
                                "select distinct j.cluster from JobEntity j where j.state = :state", String.class)
                        .setParameter("state", JobState.Queued)
                        .getResultList());
    }

    /** The queued jobs of these clusters. */
    public Uni<List<JobEntity>> queuedOf(Collection<String> clusters) {
        return list("state = ?1 and cluster in ?2", JobState.Queued, clusters);
    }

    /** The jobs with these ids. */
    public Uni<List<JobEntity>> byIds(Collection<String> ids) {
        return list("id in ?1", ids);
    }

    /** Which of these ids are stored already. */
    public Uni<List<String>> storedIds(Collection<String> ids) {
        return getSession()
                .chain(s -> s.createSelectionQuery("select j.id from JobEntity j where j.id in :ids", String.class)
                        .setParameter("ids", ids)
                        .getResultList());
    }
}
