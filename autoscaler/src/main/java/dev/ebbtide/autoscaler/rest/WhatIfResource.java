package dev.ebbtide.autoscaler.rest;

import dev.ebbtide.autoscaler.config.AutoscalerConfig;
import dev.ebbtide.autoscaler.loop.Autoscaler;
import dev.ebbtide.autoscaler.loop.ClusterState;
import dev.ebbtide.autoscaler.policy.PolicyVersions;
import dev.ebbtide.autoscaler.whatif.SchedulerInstances;
import dev.ebbtide.autoscaler.whatif.WhatIf;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.messaging.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code POST /clusters/{name}/what-if}: the cluster's recorded jobs since {@code since} (from the scheduler, with the
 * caller's token) replayed under the current and the proposed settings, side by side. Changes nothing: viewers and
 * operators may ask (submitters cannot read other users' jobs, which the replay is made of).
 */
@Path("/clusters/{name}/what-if")
@RolesAllowed({Roles.VIEWER, Roles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class WhatIfResource {
    @Inject
    Autoscaler autoscaler;

    @Inject
    SchedulerInstances scheduler;

    @Inject
    Clock clock;

    @Inject
    AutoscalerConfig config;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public WhatIf.Answer whatIf(
            @PathParam("name") String name,
            ClusterResource.PolicyChange change,
            @QueryParam("since") String since,
            @HeaderParam("Authorization") String authorization) {
        ClusterState state =
                autoscaler.cluster(name).orElseThrow(() -> new NotFoundException("no cluster '" + name + "'"));
        if (change == null) {
            throw new BadRequestException("give the proposed settings, e.g. {\"idle_time_before_scale_down\": 600}");
        }
        ClusterSpec proposed = ClusterResource.apply(state.spec(), change);
        Instant from = since(since);
        String trace;
        try {
            trace = scheduler.trace(name, from.toString(), authorization);
        } catch (WebApplicationException e) {
            throw new WebApplicationException(
                    "the scheduler refused the job history of '" + name + "' ("
                            + e.getResponse().getStatus() + ")",
                    502);
        } catch (ProcessingException e) {
            throw new WebApplicationException(
                    "cannot reach the scheduler for the job history of '" + name + "': " + e.getMessage(), 502);
        }
        try {
            return WhatIf.compare(
                    name,
                    trace,
                    from,
                    PolicyVersions.settings(state.spec(), state.policy()),
                    PolicyVersions.settings(proposed, change.policy() != null ? change.policy() : state.policy()),
                    config.autoscaler().nodeBootTime());
        } catch (IllegalArgumentException e) {
            throw new WebApplicationException(
                    "the scheduler's job history is not a readable trace: " + e.getMessage(), 502);
        }
    }

    private Instant since(String since) {
        Instant now = clock.instant();
        if (since == null || since.isBlank()) {
            return now.minus(config.autoscaler().whatIfWindow());
        }
        if (since.matches("\\d+[smhd]")) {
            long n = Long.parseLong(since.substring(0, since.length() - 1));
            return now.minus(
                    switch (since.charAt(since.length() - 1)) {
                        case 's' -> Duration.ofSeconds(n);
                        case 'm' -> Duration.ofMinutes(n);
                        case 'h' -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
        }
        try {
            return Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw new BadRequestException(
                    "since takes an age like 24h or an instant like 2026-01-01T00:00:00Z, not '" + since + "'");
        }
    }
}
