package dev.ebbtide.submitter.rest;

import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.BlobPaths;
import dev.ebbtide.datastore.CodeSnapshot;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.DatastoreDefinition;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.submitter.config.DatastoreConfig;
import dev.ebbtide.submitter.service.DatastoreService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The datastores: their definitions (without secrets), new named ones (CLI v2 YAML), and uploads of a file or a
 * folder ({@code ?archive=tar.gz}) to a path in one.
 */
@Path("/datastores")
@Produces(MediaType.APPLICATION_JSON)
public class DatastoreResource {
    private static final Logger LOG = Logger.getLogger(DatastoreResource.class);
    /** {@code LocalUpload/<sha256>/<name>}: content-addressed uploads, checked against their content. */
    private static final Pattern CONTENT_ADDRESSED = Pattern.compile("LocalUpload/([0-9a-f]{64})/([^/]+)/?");

    @Inject
    DatastoreService datastores;

    @Inject
    DatastoreConfig config;

    /** What an upload answers: where it is, and what was written ({@code files} 0 when it was already there). */
    public record Uploaded(String uri, int files, long bytes) {}

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Response list() {
        return DataErrors.guard(
                () -> Response.ok(datastores.registry().describe()).build());
    }

    @POST
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    @RolesAllowed(Roles.OPERATOR)
    public Response create(String yaml) {
        return DataErrors.guard(() -> {
            DatastoreDefinition def = datastores.create(yaml);
            return Response.status(201)
                    .entity(def.describe())
                    .header("Location", "/datastores/" + def.name())
                    .build();
        });
    }

    /** 200 if the blob exists, or if the path is a folder holding blobs; else 404. */
    @HEAD
    @Path("/{name}/paths/{path: .+}")
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    public Response exists(@PathParam("name") String name, @PathParam("path") String path) {
        return DataErrors.guard(() -> {
            Datastore store = datastores.get(name);
            String blob = BlobPaths.check(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
            boolean found = (!path.endsWith("/") && store.exists(blob))
                    || !store.list(blob + "/").isEmpty();
            return Response.status(found ? 200 : 404).build();
        });
    }

    /**
     * One file to {@code path}, or with {@code archive=tar.gz} a folder's archive unpacked under {@code path}.
     * {@code LocalUpload/<sha256>/<name>} must hold what its digest names (a file's sha256, a folder's tree digest)
     * and is never overwritten; {@code azureml/} of the default datastore is Ebbtide's (outputs, data assets).
     */
    @PUT
    @Path("/{name}/paths/{path: .+}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed({Roles.SUBMITTER, Roles.OPERATOR})
    public Response upload(
            @PathParam("name") String name,
            @PathParam("path") String path,
            @QueryParam("archive") String archive,
            InputStream body) {
        return DataErrors.guard(() -> {
            if (archive != null && !archive.equals("tar.gz")) {
                return DataErrors.error(
                        Response.Status.BAD_REQUEST,
                        "archive=" + archive + " is not supported: send a folder as archive=tar.gz");
            }
            boolean folder = archive != null;
            String blob = BlobPaths.check(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
            Datastore store = datastores.get(name);
            if (store.name().equals(DataUri.DEFAULT_DATASTORE) && (blob + "/").startsWith("azureml/")) {
                return DataErrors.error(
                        Response.Status.FORBIDDEN,
                        "azureml/ in " + DataUri.DEFAULT_DATASTORE + " holds jobs' outputs and data assets, written "
                                + "by Ebbtide only; upload to another path");
            }
            String uri = new DataUri.Datastore(store.name(), blob + (folder ? "/" : "")).toString();
            Matcher addressed = CONTENT_ADDRESSED.matcher(blob);
            if (addressed.matches() && present(store, blob, folder)) {
                body.close();
                return Response.ok(new Uploaded(uri, 0, 0)).build(); // the same content: nothing to write
            }
            java.nio.file.Path temp =
                    DataErrors.receive(body, config.maxUploadSize().asLongValue());
            try {
                if (addressed.matches()) {
                    String actual = folder ? treeDigest(temp) : "sha256:" + sha256(temp);
                    if (!actual.equals("sha256:" + addressed.group(1))) {
                        return DataErrors.error(
                                Response.Status.BAD_REQUEST,
                                "LocalUpload/<sha256>/ holds content by its digest, but this "
                                        + (folder ? "folder" : "file") + " is " + actual);
                    }
                }
                Datastore.TreeCopy copy = folder ? unpackAndUpload(temp, store, blob) : uploadFile(temp, store, blob);
                LOG.infof("uploaded %d file(s), %d bytes to %s", copy.files(), copy.bytes(), uri);
                return Response.status(201)
                        .entity(new Uploaded(uri, copy.files(), copy.bytes()))
                        .build();
            } finally {
                Files.deleteIfExists(temp);
            }
        });
    }

    private static boolean present(Datastore store, String blob, boolean folder) throws IOException {
        return folder ? !store.list(blob + "/").isEmpty() : store.exists(blob);
    }

    private static Datastore.TreeCopy uploadFile(java.nio.file.Path temp, Datastore store, String blob)
            throws IOException {
        store.upload(temp, blob);
        return new Datastore.TreeCopy(1, Files.size(temp));
    }

    private static Datastore.TreeCopy unpackAndUpload(java.nio.file.Path archive, Datastore store, String blob)
            throws IOException {
        java.nio.file.Path dir = Files.createTempDirectory("ebbtide-upload-");
        try {
            try (InputStream in = Files.newInputStream(archive)) {
                CodeSnapshot.unpack(in, dir);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        e.getMessage() != null && e.getMessage().startsWith("the code archive")
                                ? e.getMessage().replace("the code archive", "the archive")
                                : "the body is not a tar.gz archive of a folder");
            }
            return store.uploadTree(dir, blob);
        } finally {
            try (var walk = Files.walk(dir)) {
                for (java.nio.file.Path p :
                        walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String treeDigest(java.nio.file.Path archive) {
        try (InputStream in = Files.newInputStream(archive)) {
            return CodeSnapshot.digestOfArchive(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not a tar.gz archive of a folder");
        }
    }

    static String sha256(java.nio.file.Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
