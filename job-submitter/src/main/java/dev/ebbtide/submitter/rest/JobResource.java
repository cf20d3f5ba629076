package dev.ebbtide.submitter.rest;

import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.compute.DefaultCompute;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.submitter.config.SubmitterConfig;
import dev.ebbtide.submitter.messaging.ClusterDirectory;
import dev.ebbtide.submitter.messaging.SubmissionPublisher;
import dev.ebbtide.submitter.service.Schedulers;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Accepts Azure ML CLI v2 command jobs (YAML or JSON) and shows their state. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    private static final Logger LOG = Logger.getLogger(JobResource.class);
    /** Jobs accepted by this instance (the last 10,000) report NotStarted until the scheduler has them. */
    private static final Map<String, Recent> RECENT =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Recent> eldest) {
                    return size() > 10_000;
                }
            });

    @Inject
    ClusterDirectory clusters;

    @Inject
    SubmissionPublisher publisher;

    @Inject
    Schedulers scheduler;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Inject
    CurrentIdentityAssociation identities;
    /** The cluster that takes jobs naming no compute (docs/compute.md). */
    @Inject
    SubmitterConfig config;

    /** Teams and who may use priority high (docs/teams.md). */
    @Inject
    CallerTeams teams;

    private record Recent(String cluster, String submittedBy, String team) {}

    /** What {@code POST /jobs} answers. */
    public record Accepted(String id, String cluster, String state) {}

    /** A REST error: one sentence a user can act on. */
    public record ErrorBody(String error) {}

    @POST
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    public Uni<Response> submit(String document) {
        return identities.getDeferredIdentity().chain(who -> {
            String team;
            try {
                team = teams.teamOf(who);
            } catch (IllegalArgumentException e) {
                return rejected(Response.Status.FORBIDDEN, e.getMessage(), "bad_team");
            }
            return submit(document, new Caller(Roles.principal(who), team, who.getRoles()));
        });
    }

    /** Who submits: the token's principal, its team and roles. */
    private record Caller(String principal, String team, java.util.Set<String> roles) {}

    private Uni<Response> submit(String document, Caller caller) {
        AzureMlYaml.ParsedJob job;
        try {
            job = AzureMlYaml.parseJob(document);
        } catch (InvalidSpecException e) {
            return rejected(
                    Response.Status.BAD_REQUEST,
                    e.getMessage().lines().findFirst().orElse("invalid job").strip(),
                    "invalid"); // YAML syntax errors span lines; the first one is the sentence
        }
        // code, data or a conda file on the submitter's machine: the CLI uploads them, a REST body cannot carry them
        Optional<String> local = job.localPathProblem();
        if (local.isPresent()) {
            return rejected(Response.Status.BAD_REQUEST, local.get(), "local_path");
        }
        java.util.Optional<String> limits = dev.ebbtide.common.validation.JobRules.check(job.spec());
        if (limits.isPresent()) {
            return rejected(Response.Status.BAD_REQUEST, limits.get(), "invalid");
        }
        Optional<String> noRight = teams.rights().refusal(job.spec().priority(), caller.team(), caller.roles());
        if (noRight.isPresent()) {
            return rejected(Response.Status.FORBIDDEN, noRight.get(), "priority_not_allowed");
        }
        String compute;
        try {
            compute = DefaultCompute.resolve(
                    job.compute(), config.defaultCompute()); // the scheduler applies the same default
        } catch (InvalidSpecException e) {
            return rejected(Response.Status.BAD_REQUEST, e.getMessage(), "no_compute");
        }
        ClusterSpec known = clusters.find(compute).orElse(null);
        if (known != null) {
            return submit(job, known, caller);
        }
        // a cluster created a moment ago may not have reached this instance yet: read the clusters topic to its end
        return clusters.caughtUp()
                .map(ignored -> clusters.find(compute).orElse(null))
                .chain(cluster -> cluster == null
                        ? rejected(
                                Response.Status.NOT_FOUND,
                                "unknown cluster '" + compute + "'; known: " + clusters.names(),
                                "unknown_cluster")
                        : submit(job, cluster, caller));
    }

    private Uni<Response> submit(AzureMlYaml.ParsedJob job, ClusterSpec cluster, Caller caller) {
        Optional<String> size = job.instanceTypeProblem(cluster.name(), cluster.size());
        if (size.isPresent()) {
            return rejected(Response.Status.BAD_REQUEST, size.get(), "instance_type");
        }
        if (job.spec().instanceCount() > cluster.maxInstances()) {
            return rejected(
                    Response.Status.BAD_REQUEST,
                    "job asks for " + job.spec().instanceCount() + " nodes but cluster '" + cluster.name()
                            + "' has max_instances " + cluster.maxInstances(),
                    "too_many_nodes");
        }
        String id = UUID.randomUUID().toString();
        JobSubmitted event =
                new JobSubmitted(id, cluster.name(), job.spec(), clock.instant(), caller.principal(), caller.team());
        java.util.Optional<String> whole = dev.ebbtide.common.validation.JobRules.check(event); // the scheduler's check
        if (whole.isPresent()) {
            return rejected(Response.Status.BAD_REQUEST, whole.get(), "invalid");
        }
        return publisher.publish(event).map(ok -> {
            RECENT.put(id, new Recent(cluster.name(), caller.principal(), caller.team()));
            registry.counter("ebbtide_submitter_jobs_total", "cluster", cluster.name(), "outcome", "accepted")
                    .increment();
            LOG.infof(
                    "job %s of team %s accepted for %s (%d node(s))",
                    id, caller.team(), cluster.name(), job.spec().instanceCount());
            return Response.status(Response.Status.CREATED)
                    .entity(new Accepted(id, cluster.name(), "NotStarted"))
                    .header("Location", "/jobs/" + id)
                    .build();
        });
    }

    /** The scheduler decides who may see the job (it knows who submitted it): the caller's token goes along. */
    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Uni<Response> get(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        return relay(id, scheduler.call(c -> c.job(id, authorization)));
    }

    /**
     * A job's output, from the scheduler: one rank's ({@code rank}) or every rank's under header lines, of the latest
     * attempt unless {@code attempt} says; {@code offset} skips bytes already read (to follow a running job).
     */
    @GET
    @Path("/{id}/logs")
    @Produces({MediaType.TEXT_PLAIN, MediaType.APPLICATION_JSON})
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Uni<Response> logs(
            @PathParam("id") String id,
            @QueryParam("rank") Integer rank,
            @QueryParam("attempt") Integer attempt,
            @QueryParam("offset") Long offset,
            @HeaderParam("Authorization") String authorization) {
        return scheduler
                .call(c -> c.logs(id, rank, attempt, offset, authorization))
                .onFailure()
                .recoverWithItem(e -> statusOf(e))
                .map(r -> {
                    if (r.getStatus() == 404 && RECENT.containsKey(id)) {
                        return Response.ok(new byte[0], MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                                .build(); // not scheduled yet
                    }
                    if (r.getStatus() == 404) {
                        return Response.status(404)
                                .type(MediaType.APPLICATION_JSON)
                                .entity(new ErrorBody("no job '" + id + "'"))
                                .build();
                    }
                    Response.ResponseBuilder out = Response.status(r.getStatus())
                            .entity(r.readEntity(byte[].class))
                            .type(r.getMediaType());
                    for (String h : new String[] {"X-Ebbtide-Job-State", "X-Ebbtide-Attempt"}) {
                        if (r.getHeaderString(h) != null) {
                            out.header(h, r.getHeaderString(h));
                        }
                    }
                    return out.build();
                });
    }

    /** Cancels a job (the scheduler owns job state): 200 with the job, 404, or 409 if it already ended. */
    @POST
    @Path("/{id}/cancel")
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    public Uni<Response> cancel(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        return relay(id, scheduler.call(c -> c.cancel(id, authorization)));
    }

    private Uni<Response> relay(String id, Uni<Response> call) {
        return call.onFailure().recoverWithItem(e -> statusOf(e)).chain(r -> {
            Recent recent = RECENT.get(id);
            if (r.getStatus() == 404 && recent != null) {
                return identities.getDeferredIdentity().map(who -> notStarted(id, recent, who));
            }
            return Uni.createFrom().item(relayed(id, r));
        });
    }

    private static Response notStarted(String id, Recent recent, SecurityIdentity who) {
        if (!Roles.seesAllJobs(who) && !Roles.principal(who).equals(recent.submittedBy())) {
            throw new ForbiddenException("job '" + id + "' was submitted by someone else");
        }
        Map<String, String> view =
                new java.util.LinkedHashMap<>(Map.of("id", id, "cluster", recent.cluster(), "state", "NotStarted"));
        view.put("submittedBy", recent.submittedBy());
        view.put("team", recent.team());
        return Response.ok(view).build();
    }

    private static Response relayed(String id, Response r) {
        if (r.getStatus() == 404) {
            return Response.status(404)
                    .entity(new ErrorBody("no job '" + id + "'"))
                    .build();
        }
        return Response.status(r.getStatus())
                .entity(r.readEntity(String.class))
                .type(MediaType.APPLICATION_JSON)
                .build();
    }

    private static Response statusOf(Throwable e) {
        if (e instanceof jakarta.ws.rs.WebApplicationException w) {
            return w.getResponse();
        }
        return Response.status(Response.Status.BAD_GATEWAY).build();
    }

    private Uni<Response> rejected(Response.Status status, String message, String outcome) {
        registry.counter("ebbtide_submitter_jobs_total", "cluster", "", "outcome", outcome)
                .increment();
        LOG.infof("job rejected: %s", message);
        return Uni.createFrom()
                .item(Response.status(status).entity(new ErrorBody(message)).build());
    }
}
