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

    /** The jobs with these ids. */
    public Uni<List<JobEntity>> byIds(Collection<String> ids) {
        return list("id in ?1", ids);
    }

    /** Which of these ids are stored already. */
    public Uni<List<String>> storedIds(Collection<String> ids) {
        return getSession().chain(s -> s.createSelectionQuery("select j.id from JobEntity j where j.id in :ids", String.class)
                .setParameter("ids", ids).getResultList());
    }
}
