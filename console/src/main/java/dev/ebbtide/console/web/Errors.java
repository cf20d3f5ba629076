package dev.ebbtide.console.web;

import dev.ebbtide.console.api.Services.ApiException;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** How failures look: no token → the login page; an API's refusal → its own sentence on a page. */
public class Errors {
    @Inject
    @Location("error.html")
    Template error;

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response toLogin() {
        return Response.seeOther(URI.create("/login")).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return page(403, "Your role may not do this.");
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.status() == 401) {
            return toLogin();
        }
        return page(e.status() >= 400 && e.status() < 600 ? e.status() : 502, e.getMessage());
    }

    private Response page(int status, String message) {
        return Response.status(status)
                .type(MediaType.TEXT_HTML_TYPE)
                .entity(error.data("status", status).data("message", message).render())
                .build();
    }
}
