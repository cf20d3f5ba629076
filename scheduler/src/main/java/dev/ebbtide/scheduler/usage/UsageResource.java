package dev.ebbtide.scheduler.usage;

import dev.ebbtide.core.usage.UsageFold;
import dev.ebbtide.core.usage.UsageReport;
import dev.ebbtide.core.usage.UsageSegment;
import dev.ebbtide.messaging.auth.Roles;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Usage totals since a time, grouped by team, user, cluster or job (docs/usage.md). The same roles as job reads:
 * operators and viewers see every row (idle time included); a submitter sees the usage of the jobs it submitted.
 */
@Path("/usage")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
public class UsageResource {
    static final String NOTE =
            "estimated cost: list prices per node-hour from vm-prices.csv (size, region, tier), not a "
                    + "bill; node time counts from a node's first state to its deletion";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([dhms])");

    @Inject
    Clock clock;

    @Inject
    CurrentIdentityAssociation identities;

    @Inject
    UsageRates rates;

    /** The answer: the window, the grouping, and one row per group, the largest first. */
    public record UsageView(
            String by, Instant since, Instant until, String currency, String note, List<UsageReport.Row> rows) {}

    @GET
    public Uni<UsageView> usage(@QueryParam("by") String by, @QueryParam("since") String since) {
        String groupBy = by == null || by.isBlank() ? "team" : by;
        UsageReport.By grouping = UsageReport.By.parse(groupBy);
        if (grouping == null) {
            throw new BadRequestException("by must be team, user, cluster or job, not '" + by + "'");
        }
        Instant now = clock.instant();
        Instant from = since(since, now);
        return identities.getDeferredIdentity().chain(who -> {
            String only = who.hasRole(Roles.OPERATOR) || who.hasRole(Roles.VIEWER) ? null : Roles.principal(who);
            return Panache.withSession(() -> segments(from, now, only))
                    .map(segments -> new UsageView(
                            groupBy,
                            from,
                            now,
                            rates.currency(),
                            NOTE,
                            UsageReport.rows(segments, from, now, grouping, rates)));
        });
    }

    /** Closed segments that end after {@code from}, and the running ones cut at {@code now}; only a user's if given. */
    private static Uni<List<UsageSegment>> segments(Instant from, Instant now, String only) {
        Uni<List<UsageSegmentEntity>> closed = only == null
                ? UsageSegmentEntity.list("endAt > ?1", from)
                : UsageSegmentEntity.list("endAt > ?1 and submittedBy = ?2", from, only);
        Uni<List<UsageNodeEntity>> open = only == null
                ? UsageNodeEntity.list("gone = false")
                : UsageNodeEntity.list("gone = false and submittedBy = ?1", only);
        return closed.chain(c -> open.map(o -> {
            List<UsageSegment> all = new ArrayList<>(c.size() + o.size());
            c.forEach(s -> all.add(s.segment()));
            o.forEach(n -> {
                UsageSegment s = UsageFold.sofar(n.usage(), now);
                if (s != null) {
                    all.add(s);
                }
            });
            return all;
        }));
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 3600s} before now, or an ISO-8601 instant; default 30 days. */
    static Instant since(String since, Instant now) {
        if (since == null || since.isBlank()) {
            return now.minus(Duration.ofDays(30));
        }
        Matcher m = DURATION.matcher(since);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return now.minus(
                    switch (m.group(2)) {
                        case "d" -> Duration.ofDays(n);
                        case "h" -> Duration.ofHours(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofSeconds(n);
                    });
        }
        try {
            Instant at = Instant.parse(since);
            if (at.isAfter(now)) {
                throw new BadRequestException("since must not be in the future, not '" + since + "'");
            }
            return at;
        } catch (DateTimeParseException e) {
            throw new BadRequestException("since must be a time back from now such as 30d, 12h or 90m, or an ISO-8601"
                    + " instant such as 2026-01-01T00:00:00Z, not '" + since + "'");
        }
    }
}
