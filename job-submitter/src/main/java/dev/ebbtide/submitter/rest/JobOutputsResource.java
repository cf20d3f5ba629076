package dev.ebbtide.submitter.rest;

import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.BlobPaths;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.OutputsManifest;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.submitter.service.DatastoreService;
import dev.ebbtide.submitter.service.Schedulers;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job's outputs and artifacts, as its nodes' agents recorded them in {@code azureml/<job>/outputs.json}
 * ({@link OutputsManifest}): listed with their files, and downloaded one file at a time. Who may see them is who may
 * see the job: the scheduler answers that ({@code GET /jobs/{id}} with the caller's token).
 */
@Path("/jobs/{id}/outputs")
@Produces(MediaType.APPLICATION_JSON)
public class JobOutputsResource {
    @Inject
    DatastoreService datastores;

    @Inject
    Schedulers scheduler;

    /** One blob of an output, its path relative to the output's folder. */
    public record FileView(String path, long size) {}

    /** One output (or the artifacts): where it is and what it holds. */
    public record OutputView(String uri, int files, long bytes, List<FileView> items) {}

    /** What {@code GET /jobs/{id}/outputs} answers; {@code outputs} includes {@code artifacts} when there are some. */
    public record OutputsView(String jobId, Map<String, OutputView> outputs) {}

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Uni<Response> list(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        return visible(id, authorization)
                .chain(refused -> refused.isPresent()
                        ? Uni.createFrom().item(refused.get())
                        : blocking(() -> DataErrors.guard(() -> {
                            OutputsManifest m = manifest(id);
                            Map<String, OutputView> views = new LinkedHashMap<>();
                            for (Map.Entry<String, String> e : folders(m).entrySet()) {
                                views.put(e.getKey(), view(e.getValue()));
                            }
                            return Response.ok(new OutputsView(id, views)).build();
                        })));
    }

    /** One file of an output ({@code name}: an output's name or {@code artifacts}), streamed. */
    @GET
    @Path("/{name}/{path: .+}")
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    @RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
    public Uni<Response> download(
            @PathParam("id") String id,
            @PathParam("name") String name,
            @PathParam("path") String path,
            @HeaderParam("Authorization") String authorization) {
        return visible(id, authorization)
                .chain(refused -> refused.isPresent()
                        ? Uni.createFrom().item(refused.get())
                        : blocking(() -> DataErrors.guard(() -> {
                            String relative = BlobPaths.check(path);
                            String uri = folders(manifest(id)).get(name);
                            if (uri == null) {
                                return DataErrors.error(
                                        Response.Status.NOT_FOUND,
                                        "job '" + id + "' has no output named '" + name + "'");
                            }
                            Datastores.Location at = datastores.registry().resolve(DataUri.parse(uri));
                            String blob = BlobPaths.folder(at.path()) + relative;
                            InputStream in = at.datastore().open(blob); // missing: NoSuchFileException → 404
                            StreamingOutput body = out -> {
                                try (InputStream s = in) {
                                    s.transferTo(out);
                                }
                            };
                            return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                                    .header(
                                            "Content-Disposition",
                                            "attachment; filename=\"" + fileName(relative) + "\"")
                                    .build();
                        })));
    }

    /** Empty when the caller may see the job; else the answer to give (403, 404, the scheduler's failure). */
    private Uni<Optional<Response>> visible(String id, String authorization) {
        return scheduler
                .call(c -> c.job(id, authorization))
                .onFailure()
                .recoverWithItem(e -> e instanceof jakarta.ws.rs.WebApplicationException w
                        ? w.getResponse()
                        : Response.status(Response.Status.BAD_GATEWAY).build())
                .map(r -> {
                    int status = r.getStatus();
                    if (status == 200) {
                        return Optional.empty();
                    }
                    if (status == 404) {
                        return Optional.of(DataErrors.error(Response.Status.NOT_FOUND, "no job '" + id + "'"));
                    }
                    if (status == 403) {
                        return Optional.of(DataErrors.error(
                                Response.Status.FORBIDDEN, "job '" + id + "' was submitted by someone else"));
                    }
                    return Optional.of(DataErrors.error(
                            Response.Status.BAD_GATEWAY,
                            "the scheduler could not say who may see job '" + id + "' (HTTP " + status + ")"));
                });
    }

    private OutputsManifest manifest(String id) throws IOException {
        return OutputsManifest.read(datastores.defaultStore(), id)
                .orElseThrow(() -> DataErrors.refused(
                        Response.Status.NOT_FOUND,
                        "job '" + id + "' has no outputs yet: its nodes record them when their uploads end"));
    }

    private static Map<String, String> folders(OutputsManifest m) {
        Map<String, String> all = new LinkedHashMap<>(m.outputs());
        if (m.artifacts() != null) {
            all.put(OutputsManifest.ARTIFACTS, m.artifacts());
        }
        return all;
    }

    private OutputView view(String uri) throws IOException {
        Datastores.Location at = datastores.registry().resolve(DataUri.parse(uri));
        String folder = BlobPaths.folder(at.path());
        List<FileView> items = new ArrayList<>();
        long bytes = 0;
        for (Datastore.Entry e : at.datastore().list(folder)) {
            items.add(new FileView(e.path().substring(folder.length()), e.size()));
            bytes += e.size();
        }
        return new OutputView(uri, items.size(), bytes, items);
    }

    private static String fileName(String relative) {
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static Uni<Response> blocking(java.util.function.Supplier<Response> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
