package dev.ebbtide.scheduler.rest;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.scheduler.logs.JobLogStore;
import dev.ebbtide.scheduler.logs.LogText;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import dev.ebbtide.scheduler.service.SchedulerService;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;

/** Read side of job state. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    @Inject
    SchedulerService service;
    @Inject
    JobLogStore logs;

    @GET
    @Path("/{id}")
    @WithSession
    public Uni<JobView> get(@PathParam("id") String id) {
        return JobEntity.<JobEntity>findById(id).chain(j -> {
            if (j == null) {
                throw new NotFoundException("no job '" + id + "'");
            }
            return logs.available(id).map(available -> {
                List<JobView.LogInfo> info = new ArrayList<>();
                available.forEach((attempt, ranks) -> ranks.forEach((rank, bytes) -> info.add(new JobView.LogInfo(attempt, rank, bytes))));
                return JobView.of(j, info);
            });
        });
    }

    /**
     * A job's output as text: one rank's ({@code rank}) or every rank's, each after a header line; of the latest
     * attempt unless {@code attempt} says otherwise. {@code offset} skips that many bytes, so a client follows a
     * running job by asking again from what it has read.
     */
    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN + ";charset=UTF-8")
    @WithSession
    public Uni<Response> logs(@PathParam("id") String id, @QueryParam("rank") Integer rank,
            @QueryParam("attempt") Integer attempt, @QueryParam("offset") Long offset) {
        if ((rank != null && rank < 0) || (attempt != null && attempt < 1) || (offset != null && offset < 0)) {
            throw new BadRequestException("rank and offset must be 0 or more, and attempt 1 or more");
        }
        return JobEntity.<JobEntity>findById(id).chain(j -> {
            if (j == null) {
                throw new NotFoundException("no job '" + id + "'");
            }
            int which = attempt != null ? attempt : Math.max(j.attempt, 1);
            return logs.read(id, which, rank).map(pieces -> Response
                    .ok(LogText.render(pieces, rank == null, offset == null ? 0 : offset))
                    .header("X-Ebbtide-Job-State", j.state.name()).header("X-Ebbtide-Attempt", which).build());
        });
    }

    /** Cancels a job: at once if it waits, after its nodes have stopped it if it runs (state CancelRequested). */
    @POST
    @Path("/{id}/cancel")
    public Uni<JobView> cancel(@PathParam("id") String id) {
        return service.cancel(id, "canceled by a user").onFailure(IllegalStateException.class)
                .transform(e -> new ClientErrorException(e.getMessage(), Response.Status.CONFLICT))
                .map(j -> {
                    if (j == null) {
                        throw new NotFoundException("no job '" + id + "'");
                    }
                    return JobView.of(j);
                });
    }

    /** Jobs of a cluster, optionally in one state, newest first (at most 200). */
    @GET
    @WithSession
    public Uni<List<JobView>> list(@QueryParam("cluster") String cluster, @QueryParam("state") JobState state) {
        String query = "(?1 is null or cluster = ?1) and (?2 is null or state = ?2) order by submittedAt desc";
        return JobEntity.<JobEntity>find(query, cluster, state).range(0, 199).list()
                .map(list -> list.stream().map(JobView::of).toList());
    }
}
