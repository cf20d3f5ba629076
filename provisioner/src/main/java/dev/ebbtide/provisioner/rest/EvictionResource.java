package dev.ebbtide.provisioner.rest;

import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.provisioner.actuation.Provisioner;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code POST /clusters/{name}/nodes/{node}/simulate-eviction} (operator): evicts a low-priority node as the cloud
 * would, to see its job requeued and completed elsewhere. Dedicated clusters answer 409 with a sentence.
 */
@Path("/clusters/{name}/nodes/{node}/simulate-eviction")
@Produces(MediaType.APPLICATION_JSON)
public class EvictionResource {
    @Inject
    Provisioner provisioner;

    @POST
    @RolesAllowed(Roles.OPERATOR)
    public Response evict(@PathParam("name") String cluster, @PathParam("node") String node) {
        Provisioner.Eviction e = provisioner.simulateEviction(cluster, node);
        return Response.status(e.status())
                .entity(Map.of(e.status() < 300 ? "message" : "error", e.message()))
                .build();
    }
}
