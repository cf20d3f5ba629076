package dev.ebbtide.provisioner.rest;

import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.provisioner.actuation.Provisioner;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.TreeMap;

/**
 * The nodes the provisioner manages, with the state it last published, the queued job a node is held for (a gang unit
 * not all up: {@code heldFor}, {@code heldUntil}) and the size and tier it got (a fallback choice); every role may read
 * them.
 */
@Path("/nodes")
@RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class NodeResource {
    @Inject
    Provisioner provisioner;

    @GET
    public Map<String, Object> nodes() {
        return new TreeMap<>(provisioner.nodeViews());
    }
}
