package dev.ebbtide.scheduler.rest;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.scheduler.logs.JobLogStore;
import dev.ebbtide.scheduler.logs.LogText;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.service.Cancels;
import dev.ebbtide.scheduler.service.FairShares;
import dev.ebbtide.scheduler.service.StartEstimates;
import dev.ebbtide.scheduler.service.TeamBudgets;
import dev.ebbtide.scheduler.service.TeamQuotaAdmission;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Read side of job state. Operators and viewers see every job; a submitter sees (and may cancel) only the jobs it
 * submitted.
 */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
public class JobResource {
    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    JobLogStore logs;

    @Inject
    StartEstimates estimates;

    @Inject
    Cancels cancels;

    @Inject
    FairShares shares;

    @Inject
    TeamBudgets budgets;

    @Inject
    TeamQuotaAdmission quotas;

    /** Why a queued job waits: its team's budget first (nothing of it starts), then its quota, then fair share. */
    private String reason(JobEntity j) {
        String budget = budgets.reason(j);
        return budget != null ? budget : quotas.reason(j, shares.reason(j));
    }

    @GET
    @Path("/{id}")
    public Uni<JobView> get(@PathParam("id") String id) {
        return identities
                .getDeferredIdentity()
                .chain(who -> Panache.withSession(() -> JobEntity.<JobEntity>findById(id)
                        .map(j -> visible(id, j, who, who.hasRole(Roles.VIEWER)))
                        .chain(j -> logs.available(id)
                                .chain(available -> estimates.of(List.of(j)).map(estimate -> {
                                    List<JobView.LogInfo> info = new ArrayList<>();
                                    available.forEach((attempt, ranks) -> ranks.forEach(
                                            (rank, bytes) -> info.add(new JobView.LogInfo(attempt, rank, bytes))));
                                    return JobView.of(j, info, estimate.get(id), reason(j));
                                })))));
    }

    /**
     * A job's output as text: one rank's ({@code rank}) or every rank's, each after a header line; of the latest
     * attempt unless {@code attempt} says otherwise. {@code offset} skips that many bytes, so a client follows a
     * running job by asking again from what it has read. Whoever may read the job may read its output.
     */
    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN + ";charset=UTF-8")
    public Uni<Response> logs(
            @PathParam("id") String id,
            @QueryParam("rank") Integer rank,
            @QueryParam("attempt") Integer attempt,
            @QueryParam("offset") Long offset) {
        if ((rank != null && rank < 0) || (attempt != null && attempt < 1) || (offset != null && offset < 0)) {
            throw new BadRequestException("rank and offset must be 0 or more, and attempt 1 or more");
        }
        return identities
                .getDeferredIdentity()
                .chain(who -> Panache.withSession(() -> JobEntity.<JobEntity>findById(id)
                        .map(j -> visible(id, j, who, who.hasRole(Roles.VIEWER)))
                        .chain(j -> {
                            int which = attempt != null ? attempt : Math.max(j.attempt, 1);
                            return logs.read(id, which, rank)
                                    .map(pieces -> Response.ok(
                                                    LogText.render(pieces, rank == null, offset == null ? 0 : offset))
                                            .header("X-Ebbtide-Job-State", j.state.name())
                                            .header("X-Ebbtide-Attempt", which)
                                            .build());
                        })));
    }

    /** Cancels a job: at once if it waits, after its nodes have stopped it if it runs (state CancelRequested). */
    @POST
    @Path("/{id}/cancel")
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    public Uni<JobView> cancel(@PathParam("id") String id) {
        return identities
                .getDeferredIdentity()
                .chain(who -> Panache.withSession(() -> JobEntity.<JobEntity>findById(id))
                        .map(j -> visible(id, j, who, false))
                        .chain(j -> cancel(id, Roles.principal(who))));
    }

    /** The job if it exists and the caller owns it, operates, or (when {@code viewing}) views. */
    private static JobEntity visible(String id, JobEntity j, SecurityIdentity who, boolean viewing) {
        if (j == null) {
            throw new NotFoundException("no job '" + id + "'");
        }
        if (!who.hasRole(Roles.OPERATOR) && !viewing && !Roles.principal(who).equals(j.submittedBy)) {
            throw new ForbiddenException("job '" + id + "' was submitted by someone else");
        }
        return j;
    }

    private Uni<JobView> cancel(String id, String principal) {
        return cancels.cancel(id, "canceled by " + principal)
                .onFailure(IllegalStateException.class)
                .transform(e -> new ClientErrorException(e.getMessage(), Response.Status.CONFLICT))
                .map(j -> {
                    if (j == null) {
                        throw new NotFoundException("no job '" + id + "'");
                    }
                    return JobView.of(j);
                });
    }

    /**
     * Jobs of a cluster, optionally in one state and of one team, newest first (at most 200); a submitter's own only.
     * Queued jobs carry their queue position and start estimate.
     */
    @GET
    public Uni<List<JobView>> list(
            @QueryParam("cluster") String cluster,
            @QueryParam("state") JobState state,
            @QueryParam("team") String team) {
        String query =
                "(?1 is null or cluster = ?1) and (?2 is null or state = ?2) and (?3 is null or submittedBy = ?3)"
                        + " and (?4 is null or team = ?4) order by submittedAt desc";
        return identities
                .getDeferredIdentity()
                .chain(who -> Panache.withSession(() -> JobEntity.<JobEntity>find(
                                query, cluster, state, Roles.seesAllJobs(who) ? null : Roles.principal(who), team)
                        .range(0, 199)
                        .list()
                        .chain(list -> estimates
                                .of(list)
                                .map(estimate -> list.stream()
                                        .map(j -> JobView.of(j, null, estimate.get(j.id), reason(j)))
                                        .toList()))));
    }
}
