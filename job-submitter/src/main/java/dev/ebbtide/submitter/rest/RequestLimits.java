package dev.ebbtide.submitter.rest;

import dev.ebbtide.messaging.StrictText;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The request edge's own refusals, each a one-sentence JSON error: a body that is not UTF-8 (400), a media type the
 * endpoint does not take (415). The body size limit ({@code quarkus.http.limits.max-body-size}) answers 413, see
 * {@link BodyTooLarge}.
 */
public final class RequestLimits {
    private RequestLimits() {}

    static Response error(Response.Status status, String sentence) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(new JobResource.ErrorBody(sentence))
                .build();
    }

    /**
     * Reads text bodies as bytes first and refuses anything that is not UTF-8 or contains NUL (Quarkus would replace
     * bad bytes with U+FFFD); the body is then decoded as UTF-8 whatever charset the request declared.
     */
    @Provider
    public static class Utf8Body implements ReaderInterceptor {
        @org.eclipse.microprofile.config.inject.ConfigProperty(
                name = "ebbtide.submitter.max-body-size",
                defaultValue = "512K")
        io.quarkus.runtime.configuration.MemorySize limit;

        @Override
        public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
            if (context.getType() != String.class) {
                return context.proceed();
            }
            MediaType type = context.getMediaType();
            // the bytes decide, not the declared charset (many clients declare ISO-8859-1 by default for text)
            long max = limit.asLongValue();
            byte[] body = context.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (body.length > max) { // a chunked body (no Content-Length for BodyTooLarge to check)
                throw new WebApplicationException(error(
                        Response.Status.REQUEST_ENTITY_TOO_LARGE,
                        "the request body is larger than the limit of " + max + " bytes"));
            }
            Optional<String> problem = StrictText.problem(body);
            if (problem.isPresent()) {
                throw new WebApplicationException(
                        error(Response.Status.BAD_REQUEST, "the request body " + problem.get()));
            }
            context.setInputStream(new ByteArrayInputStream(body));
            context.setMediaType(
                    type == null
                            ? MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")
                            : type.withCharset(StandardCharsets.UTF_8.name()));
            return context.proceed();
        }
    }

    /** 415 with a sentence naming what is accepted. */
    @Provider
    public static class UnsupportedMediaType implements ExceptionMapper<NotSupportedException> {
        @Context
        HttpHeaders headers;

        @Override
        public Response toResponse(NotSupportedException e) {
            MediaType sent = headers == null ? null : headers.getMediaType();
            return error(
                    Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "content type " + (sent == null ? "(none)" : sent.getType() + "/" + sent.getSubtype())
                            + " is not accepted; send application/yaml, application/json or text/plain");
        }
    }
}
