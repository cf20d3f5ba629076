package dev.ebbtide.submitter.service;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The scheduler owns job state; the submitter reads it from there, forwarding the caller's bearer token. One client per
 * scheduler instance: {@link Schedulers} picks the instance.
 */
@Path("/jobs")
public interface SchedulerClient {
    @GET
    @Path("/{id}")
    Uni<Response> job(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);

    /** A job's output as text ({@code rank}, {@code attempt}, {@code offset} optional, as the scheduler takes them). */
    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    Uni<Response> logs(
            @PathParam("id") String id,
            @QueryParam("rank") Integer rank,
            @QueryParam("attempt") Integer attempt,
            @QueryParam("offset") Long offset,
            @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/{id}/cancel")
    Uni<Response> cancel(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);
}
