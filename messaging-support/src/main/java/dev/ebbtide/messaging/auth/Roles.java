package dev.ebbtide.messaging.auth;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * The three roles of Ebbtide's HTTP API, as they appear in a token's {@code groups} claim (or the claim named by
 * {@code smallrye.jwt.path.groups}, e.g. {@code roles} for Microsoft Entra ID).
 */
public final class Roles {
    /** Submits jobs; reads and cancels its own. */
    public static final String SUBMITTER = "submitter";
    /** Defines clusters, changes policies, reads and cancels any job. */
    public static final String OPERATOR = "operator";
    /** Reads everything, changes nothing. */
    public static final String VIEWER = "viewer";

    private Roles() {}

    /** True if the caller may see every job, not only its own. */
    public static boolean seesAllJobs(SecurityIdentity who) {
        return who.hasRole(OPERATOR) || who.hasRole(VIEWER);
    }

    /** The name recorded on what the caller submits (upn, else preferred_username, else sub). */
    public static String principal(SecurityIdentity who) {
        return who.getPrincipal().getName();
    }
}
