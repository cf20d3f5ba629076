package dev.ebbtide.messaging.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/**
 * 401 and 403 answers as one-sentence JSON errors like the rest of the API. Needs
 * {@code quarkus.http.auth.proactive=false} so that token failures reach these mappers. Never echoes the token.
 */
public final class AuthErrorMapper {
    static final String NO_TOKEN = "this request needs a bearer token (Authorization: Bearer <token>); "
            + "locally: ./ebbtide token --role viewer";
    static final String BAD_TOKEN = "the bearer token was refused: its signature, issuer, audience or expiry "
            + "does not match this service's settings";
    static final String FORBIDDEN = "the token's roles do not allow this request";

    private AuthErrorMapper() {}

    static Response error(int status, String sentence) {
        Response.ResponseBuilder r =
                Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", sentence));
        return status == 401 ? r.header("WWW-Authenticate", "Bearer").build() : r.build();
    }

    /** No token on a protected endpoint. */
    @Provider
    @Priority(Priorities.AUTHENTICATION)
    public static class Missing implements ExceptionMapper<UnauthorizedException> {
        @Override
        public Response toResponse(UnauthorizedException e) {
            return error(401, NO_TOKEN);
        }
    }

    /** A token that does not verify (signature, issuer, audience, expiry). */
    @Provider
    @Priority(Priorities.AUTHENTICATION)
    public static class Refused implements ExceptionMapper<AuthenticationFailedException> {
        @Override
        public Response toResponse(AuthenticationFailedException e) {
            return error(401, BAD_TOKEN);
        }
    }

    /** A valid token without a role that allows the request; ownership checks give their own sentence. */
    @Provider
    @Priority(Priorities.AUTHORIZATION)
    public static class Forbidden implements ExceptionMapper<ForbiddenException> {
        @Override
        public Response toResponse(ForbiddenException e) {
            String sentence = e.getMessage();
            return error(403, sentence == null || sentence.isBlank() ? FORBIDDEN : sentence);
        }
    }
}
