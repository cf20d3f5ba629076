package dev.ebbtide.autoscaler.rest;

import dev.ebbtide.autoscaler.loop.OwnedClusters;
import dev.ebbtide.messaging.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;

/** Which clusters this instance decides for ({@code ebbtide status} asks every instance). */
@Path("/ownership")
@RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class OwnershipResource {
    @Inject
    OwnedClusters owned;

    /**
     * @param instance   this instance's name ({@code EBBTIDE_INSTANCE}, else {@code autoscaler@host-pid})
     * @param partitions the partition count of the cluster-keyed topics
     * @param assigned   the partitions its consumer group assigned to it
     * @param deciding   those replayed and decided for (an assigned partition is replayed first)
     * @param clusters   the defined clusters it decides for
     */
    public record View(
            String instance, int partitions, Set<Integer> assigned, Set<Integer> deciding, List<String> clusters) {}

    @GET
    public View get() {
        return new View(
                owned.instance(),
                owned.ownership().partitions(),
                new java.util.TreeSet<>(owned.ownership().owned()),
                owned.readyPartitions(),
                owned.clusters());
    }
}
