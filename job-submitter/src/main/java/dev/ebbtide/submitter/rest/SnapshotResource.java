package dev.ebbtide.submitter.rest;

import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.CodeSnapshot;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.submitter.config.DatastoreConfig;
import dev.ebbtide.submitter.service.DatastoreService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Code snapshots ({@code code:} folders), content-addressed by their tree digest ({@link CodeSnapshot}): {@code HEAD}
 * says whether the default datastore has one, {@code PUT} stores a {@code tar.gz} after checking it holds the tree
 * its name says.
 */
@Path("/snapshots")
@Produces(MediaType.APPLICATION_JSON)
public class SnapshotResource {
    private static final Logger LOG = Logger.getLogger(SnapshotResource.class);
    static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    @Inject
    DatastoreService datastores;

    @Inject
    DatastoreConfig config;

    /** What {@code PUT /snapshots/{hex}} answers: the {@code code:} value to write in the job, and its digest. */
    public record Stored(String uri, String digest, boolean uploaded) {}

    @HEAD
    @Path("/{hex}")
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    public Response exists(@PathParam("hex") String hex) {
        return DataErrors.guard(() -> {
            checkHex(hex);
            return Response.status(datastores.defaultStore().exists(blobPath(hex)) ? 200 : 404)
                    .build();
        });
    }

    @PUT
    @Path("/{hex}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    public Response store(@PathParam("hex") String hex, InputStream body) {
        return DataErrors.guard(() -> {
            checkHex(hex);
            java.nio.file.Path temp =
                    DataErrors.receive(body, config.maxUploadSize().asLongValue());
            try {
                String actual;
                try (InputStream in = Files.newInputStream(temp)) {
                    actual = CodeSnapshot.digestOfArchive(in);
                } catch (IOException e) {
                    String why = e.getMessage() != null && e.getMessage().startsWith("the code archive")
                            ? e.getMessage()
                            : "the body is not a tar.gz archive of a code folder";
                    return DataErrors.error(Response.Status.BAD_REQUEST, why);
                }
                if (!actual.equals("sha256:" + hex)) {
                    return DataErrors.error(
                            Response.Status.BAD_REQUEST,
                            "the archive holds the tree " + actual + ", not sha256:" + hex
                                    + "; name a snapshot by the digest of the folder it holds");
                }
                Datastore store = datastores.defaultStore();
                String path = blobPath(hex);
                boolean uploaded = !store.exists(path);
                if (uploaded) {
                    store.upload(temp, path);
                    LOG.infof("code snapshot %s stored (%d bytes)", hex, Files.size(temp));
                }
                String uri = new DataUri.Datastore(store.name(), path).toString();
                return Response.status(uploaded ? 201 : 200)
                        .entity(new Stored(uri, actual, uploaded))
                        .build();
            } finally {
                Files.deleteIfExists(temp);
            }
        });
    }

    static String blobPath(String hex) {
        return "LocalUpload/" + hex + "/" + CodeSnapshot.ARCHIVE_NAME;
    }

    private static void checkHex(String hex) {
        if (!HEX.matcher(hex).matches()) {
            throw DataErrors.refused(
                    Response.Status.BAD_REQUEST,
                    "'" + (hex.length() > 80 ? hex.substring(0, 80) + "…" : hex)
                            + "' is not a snapshot digest: give the 64 lowercase hex digits of its sha256");
        }
    }
}
