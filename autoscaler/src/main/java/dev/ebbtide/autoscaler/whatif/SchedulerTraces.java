package dev.ebbtide.autoscaler.whatif;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The scheduler records every job; its {@code GET /clusters/{name}/trace} gives them in the simulator's CSV format.
 * The caller's bearer token is forwarded, so the scheduler applies its own access rules.
 */
@Path("/clusters")
@RegisterRestClient(configKey = "scheduler")
public interface SchedulerTraces {
    @GET
    @Path("/{name}/trace")
    @Produces("text/csv")
    String trace(
            @PathParam("name") String cluster,
            @QueryParam("since") String since,
            @HeaderParam("Authorization") String authorization);
}
