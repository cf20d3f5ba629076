package dev.ebbtide.provisioner.rest;

import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.compute.VmSize;
import dev.ebbtide.messaging.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /vm-sizes}: the VM catalogue (docs/compute.md), on the provisioner because it owns sizes and quota. */
@Path("/vm-sizes")
@RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class VmSizeResource {
    @GET
    public List<VmSize> sizes() {
        return VmCatalogue.standard().all();
    }
}
