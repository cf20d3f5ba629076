package dev.ebbtide.autoscaler.whatif;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;

/**
 * The scheduler records every job; its {@code GET /clusters/{name}/trace} gives them in the simulator's CSV format.
 * The caller's bearer token is forwarded, so the scheduler applies its own access rules. One client per scheduler
 * instance: {@link SchedulerInstances} picks the instance.
 */
@Path("/clusters")
public interface SchedulerTraces {
    @GET
    @Path("/{name}/trace")
    @Produces("text/csv")
    String trace(
            @PathParam("name") String cluster,
            @QueryParam("since") String since,
            @HeaderParam("Authorization") String authorization);
}
