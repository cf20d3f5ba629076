package dev.ebbtide.console.web;

import io.quarkus.qute.TemplateData;
import java.util.Set;

/**
 * Who is looking: the token's principal and roles, and the token itself (forwarded to the APIs). The roles only
 * decide which controls a page shows; the APIs decide what is allowed.
 *
 * @param name  the token's principal (upn, else preferred_username, else sub)
 * @param token the raw bearer token; never rendered into a page or a log
 */
@TemplateData
public record Caller(String name, Set<String> roles, String token) {
    public static final String VIEWER = "viewer";
    public static final String SUBMITTER = "submitter";
    public static final String OPERATOR = "operator";

    /** Submits jobs (submitter or operator). */
    public boolean canSubmit() {
        return roles.contains(SUBMITTER) || roles.contains(OPERATOR);
    }

    /** Changes policies and cancels any job. */
    public boolean operates() {
        return roles.contains(OPERATOR);
    }

    /** Replays the cluster's recorded jobs (what-if): viewers and operators; a submitter may not read others' jobs. */
    public boolean mayWhatIf() {
        return roles.contains(VIEWER) || roles.contains(OPERATOR);
    }

    /** Whether a cancel button for a job by {@code submittedBy} makes sense for this caller. */
    public boolean mayCancel(String submittedBy) {
        return operates() || (roles.contains(SUBMITTER) && name.equals(submittedBy));
    }

    /** The roles as one comma-separated line, for the header. */
    public String roleList() {
        return String.join(", ", roles.stream().sorted().toList());
    }

    @Override
    public String toString() {
        return "Caller[" + name + ", " + roles + "]"; // never the token
    }
}
