package dev.ebbtide.console.web;

import dev.ebbtide.console.config.ConsoleConfig;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The local token login: a pasted token ({@code ./ebbtide token --role …}) is checked with the same key as the APIs
 * and kept in an HttpOnly, SameSite=Strict cookie, from which every page reads it. In production an OIDC
 * authorization-code flow replaces this page (docs/operations.md, "The web console").
 */
@Path("/")
@PermitAll
public class LoginResource {
    /** The cookie that holds the bearer token. */
    public static final String COOKIE = "ebbtide_token";

    @Inject
    @Location("login.html")
    Template login;

    @Inject
    JWTParser parser;

    @Inject
    ConsoleConfig config;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response root() {
        return Response.seeOther(URI.create("/clusters")).build();
    }

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page() {
        return login.data("error", null);
    }

    @POST
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public Response signIn(@FormParam("token") String token) {
        String t = token == null ? "" : token.strip();
        if (t.isEmpty()) {
            return Response.status(400)
                    .entity(login.data("error", "Paste a token, e.g. the output of ./ebbtide token --role viewer."))
                    .build();
        }
        try {
            parser.parse(t);
        } catch (ParseException e) {
            return Response.status(401)
                    .entity(login.data(
                            "error",
                            "This token was not accepted (wrong key, issuer or audience, or expired): make a new one"
                                    + " with ./ebbtide token."))
                    .build();
        }
        return Response.seeOther(URI.create("/clusters")).cookie(cookie(t, -1)).build();
    }

    @POST
    @Path("logout")
    public Response signOut() {
        return Response.seeOther(URI.create("/login")).cookie(cookie("", 0)).build();
    }

    private NewCookie cookie(String value, int maxAge) {
        return new NewCookie.Builder(COOKIE)
                .value(value)
                .path("/")
                .httpOnly(true)
                .secure(config.secureCookie())
                .sameSite(NewCookie.SameSite.STRICT)
                .maxAge(maxAge)
                .build();
    }
}
