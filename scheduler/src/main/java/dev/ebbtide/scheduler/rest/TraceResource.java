package dev.ebbtide.scheduler.rest;

import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.trace.JobTrace;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * A cluster's recorded jobs since a time, in the simulator's CSV trace format ({@link JobTrace}): what
 * {@code ebbtide trace export} writes and the autoscaler's what-if replays. Viewers and operators (it shows every
 * job's timing, not only the caller's).
 */
@Path("/clusters/{name}/trace")
@RolesAllowed({Roles.VIEWER, Roles.OPERATOR})
public class TraceResource {
    /** The most jobs one answer holds (the oldest first); ask again with a later {@code since} for more. */
    public static final int MAX_JOBS = 100_000;

    static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

    @Inject
    Clock clock;

    @GET
    @Produces("text/csv")
    public Uni<String> trace(@PathParam("name") String name, @QueryParam("since") String since) {
        Instant now = clock.instant();
        Instant from;
        try {
            from = since == null || since.isBlank() ? now.minus(DEFAULT_WINDOW) : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw new BadRequestException(
                    "since must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, not '" + since + "'");
        }
        return Panache.withSession(() -> JobEntity.<JobEntity>find(
                                "cluster = ?1 and submittedAt >= ?2 order by submittedAt, id", name, from)
                        .page(0, MAX_JOBS)
                        .list())
                .map(jobs -> JobTrace.csv(name, rows(jobs), from, now));
    }

    private static List<JobTrace.Row> rows(List<JobEntity> jobs) {
        return jobs.stream()
                .map(j ->
                        new JobTrace.Row(j.id, j.submittedAt, j.startedAt, j.endedAt, j.instanceCount, j.state.name()))
                .toList();
    }
}
