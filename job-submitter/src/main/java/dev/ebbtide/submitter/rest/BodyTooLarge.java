package dev.ebbtide.submitter.rest;

import dev.ebbtide.submitter.config.DatastoreConfig;
import dev.ebbtide.submitter.config.SubmitterConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.regex.Pattern;

/**
 * A request whose Content-Length exceeds its limit is answered 413 with a JSON sentence, before Quarkus's own check
 * (which answers 413 with no body): uploads ({@code /snapshots/…}, {@code /datastores/<name>/paths/…}) may be up to
 * {@code ebbtide.datastore.max-upload-size}, every other body (jobs, data assets, datastore definitions) up to
 * {@code ebbtide.submitter.max-body-size}. {@code quarkus.http.limits.max-body-size} is the upload limit, so that
 * Quarkus cuts off a chunked upload that grows past it; chunked documents are counted by {@link RequestLimits.Utf8Body}
 * and uploads by the endpoints themselves.
 */
@ApplicationScoped
public class BodyTooLarge {
    /** Just before Quarkus's upload limit route (order -2). */
    static final int ORDER = -3;

    private static final Pattern UPLOAD = Pattern.compile("/snapshots/.*|/datastores/[^/]+/paths/.*");

    @Inject
    SubmitterConfig config;

    @Inject
    DatastoreConfig datastore;

    /** True for the paths that take uploads (a larger limit). */
    static boolean isUpload(String path) {
        return path != null && UPLOAD.matcher(path).matches();
    }

    void install(@Observes Router router) {
        long documents = config.submitter().maxBodySize().asLongValue();
        long uploads = datastore.maxUploadSize().asLongValue();
        router.route().order(ORDER).handler(ctx -> {
            long max = isUpload(ctx.normalizedPath()) ? uploads : documents;
            String length = ctx.request().getHeader("Content-Length");
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > max) {
                ctx.response()
                        .setStatusCode(413)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .end(new JsonObject()
                                .put(
                                        "error",
                                        "the request body is " + declared + " bytes, larger than the limit of " + max
                                                + " bytes")
                                .encode());
                return;
            }
            ctx.next();
        });
    }
}
