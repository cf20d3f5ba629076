package dev.ebbtide.provisioner.rest;

import dev.ebbtide.core.instance.InstanceEvent;
import dev.ebbtide.core.instance.InstanceOutcome;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.provisioner.instances.Instances;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * Compute instances (Azure ML's {@code az ml compute start|stop|restart|delete}): every role reads, operators act. A
 * request the instance's state does not allow answers 409 with a sentence (e.g. starting a running instance).
 */
@Path("/computes")
@RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class ComputeResource {
    @Inject
    Instances instances;

    @Inject
    dev.ebbtide.provisioner.actuation.Provisioner provisioner;

    @GET
    public List<Instances.View> list() {
        return instances.views();
    }

    @GET
    @Path("/{name}")
    public Instances.View get(@PathParam("name") String name) {
        return instances.view(name).orElseThrow(() -> notFound(name));
    }

    @POST
    @Path("/{name}/start")
    @RolesAllowed(Roles.OPERATOR)
    public Response start(@PathParam("name") String name) {
        return answer(name, new InstanceEvent.Start(InstanceEvent.Source.OPERATOR));
    }

    @POST
    @Path("/{name}/stop")
    @RolesAllowed(Roles.OPERATOR)
    public Response stop(@PathParam("name") String name) {
        return answer(name, new InstanceEvent.Stop(InstanceEvent.Source.OPERATOR));
    }

    @POST
    @Path("/{name}/restart")
    @RolesAllowed(Roles.OPERATOR)
    public Response restart(@PathParam("name") String name) {
        return answer(name, new InstanceEvent.Restart());
    }

    @POST
    @Path("/{name}/delete")
    @RolesAllowed(Roles.OPERATOR)
    public Response delete(@PathParam("name") String name) {
        return answer(name, new InstanceEvent.Delete());
    }

    /** Blocking (the provider stops or starts the node): REST methods with plain return types run on worker threads. */
    private Response answer(String name, InstanceEvent event) {
        if (!instances.isInstance(name) && provisioner.knowsCluster(name) && !provisioner.owns(name)) {
            return Response.status(Response.Status.CONFLICT)
                    .entity(Map.of(
                            "error",
                            "compute instance " + name
                                    + " is driven by another provisioner instance (the owner of its partition): ask that one; "
                                    + "./ebbtide status shows which"))
                    .build();
        }
        InstanceOutcome o = instances.request(name, event).orElseThrow(() -> notFound(name));
        if (o.refusal() != null) {
            return Response.status(Response.Status.CONFLICT)
                    .entity(Map.of("error", o.refusal()))
                    .build();
        }
        return Response.ok(instances
                        .view(name)
                        .map(Object.class::cast)
                        .orElse(Map.of("name", name, "state", o.instance().state())))
                .build();
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("no compute instance '" + name + "'");
    }
}
