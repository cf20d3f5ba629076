package dev.ebbtide.submitter.rest;

import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.DataAssets;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.submitter.service.DatastoreService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/** Versioned data assets ({@code azureml:<name>@latest}, {@code azureml:<name>:<version>}), as {@link DataAssets}. */
@Path("/data")
@Produces(MediaType.APPLICATION_JSON)
public class DataResource {
    @Inject
    DatastoreService datastores;

    /** {@code POST /data}: {@code path} is a datastore URI ({@code ./ebbtide data create} uploads local files first). */
    public record NewAsset(String name, String version, String type, String path, String description) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    public Response create(NewAsset body) {
        return DataErrors.guard(() -> {
            if (body == null || body.name() == null || body.path() == null) {
                throw new IllegalArgumentException("a data asset needs name, type and path");
            }
            if (DataUri.isUri(body.path()) && DataUri.parse(body.path()) instanceof DataUri.Datastore ds) {
                datastores.get(ds.datastore()); // an unknown datastore is named now, not when a job reads it
            }
            DataAssets assets = datastores.assets();
            if (body.version() != null && exists(assets, body.name(), body.version())) {
                throw new FileAlreadyExistsException("data asset " + body.name() + " version " + body.version()
                        + " already exists; versions are never overwritten: give another version or none");
            }
            DataAssets.DataAsset created =
                    assets.create(body.name(), body.version(), body.type(), body.path(), body.description());
            return Response.status(201)
                    .entity(created)
                    .header("Location", "/data/" + created.name() + "/versions/" + created.version())
                    .build();
        });
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Response list(@QueryParam("name") String name) {
        return DataErrors.guard(
                () -> Response.ok(datastores.assets().list(name)).build());
    }

    /** Every version of one asset, oldest first; 404 when there is none. */
    @GET
    @Path("/{name}")
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Response versions(@PathParam("name") String name) {
        return DataErrors.guard(() -> {
            List<DataAssets.DataAsset> all = datastores.assets().list(name);
            if (all.isEmpty()) {
                throw new NoSuchFileException("azureml:" + name, null, "no data asset named " + name);
            }
            return Response.ok(all).build();
        });
    }

    /** One version; {@code latest} is the most recently created one. */
    @GET
    @Path("/{name}/versions/{version}")
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Response version(@PathParam("name") String name, @PathParam("version") String version) {
        return DataErrors.guard(() -> Response.ok(
                        datastores.assets().get(name, version.equals("latest") ? null : version))
                .build());
    }

    private static boolean exists(DataAssets assets, String name, String version) throws java.io.IOException {
        try {
            assets.get(name, version);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
