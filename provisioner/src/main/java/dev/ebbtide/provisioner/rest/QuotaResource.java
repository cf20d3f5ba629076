package dev.ebbtide.provisioner.rest;

import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.compute.VmSize;
import dev.ebbtide.core.quota.QuotaPlanner;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.provisioner.quota.Quotas;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET /quota}: cores used and allowed per region and quota, and the clusters waiting for quota or approval.
 * {@code PUT /quota/{name}} (operator, local provider only): sets a limit, e.g. to approve a series.
 */
@Path("/quota")
@Produces(MediaType.APPLICATION_JSON)
public class QuotaResource {
    @Inject
    Quotas quotas;

    public record QuotaReport(String source, List<Quotas.Line> quotas, Map<String, String> waiting) {}

    public record Limit(Integer limit) {}

    public record ErrorBody(String error) {}

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public QuotaReport get() {
        return new QuotaReport(quotas.source().name(), quotas.report(), quotas.waiting());
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public Response put(@PathParam("name") String name, Limit body) {
        TreeSet<String> known = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        known.addAll(VmCatalogue.standard().all().stream().map(VmSize::family).toList());
        known.add(QuotaPlanner.LOW_PRIORITY);
        known.add(QuotaPlanner.TOTAL);
        if (!known.contains(name)) {
            return error(
                    400,
                    "unknown quota '" + name + "': use a VM family such as standardNCSv3Family (GET /vm-sizes), "
                            + QuotaPlanner.LOW_PRIORITY + " or " + QuotaPlanner.TOTAL);
        }
        if (body == null || body.limit() == null || body.limit() < 0) {
            return error(400, "the body must be {\"limit\": N} with N the cores allowed, 0 or more");
        }
        String quota = known.ceiling(name); // the catalogue's spelling
        if (!quotas.setLimit(quota, body.limit())) {
            return error(
                    409,
                    "quotas of the " + quotas.source().name() + " source cannot be changed here: "
                            + "request a quota increase from Azure (docs/compute.md)");
        }
        return Response.ok(get()).build();
    }

    private static Response error(int status, String message) {
        return Response.status(status)
                .entity(new ErrorBody(message))
                .type(MediaType.APPLICATION_JSON)
                .build();
    }
}
