package dev.ebbtide.submitter.rest;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request whose Content-Length exceeds {@code quarkus.http.limits.max-body-size} is answered 413 with a JSON
 * sentence, before Quarkus's own check (which answers 413 with no body). A chunked body without Content-Length that
 * grows past the limit is still cut off by Quarkus (413, no body).
 */
@ApplicationScoped
public class BodyTooLarge {
    /** Just before Quarkus's upload limit route (order -2). */
    static final int ORDER = -3;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> limit;

    void install(@Observes Router router) {
        if (limit.isEmpty()) {
            return;
        }
        long max = limit.get().asLongValue();
        router.route().order(ORDER).handler(ctx -> {
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
