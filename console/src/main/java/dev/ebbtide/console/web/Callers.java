package dev.ebbtide.console.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The current request's {@link Caller}, from the verified token in the {@value LoginResource#COOKIE} cookie. */
@RequestScoped
public class Callers {
    @Inject
    JsonWebToken jwt;

    public Caller current() {
        Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
        return new Caller(jwt.getName(), Set.copyOf(groups), jwt.getRawToken());
    }
}
