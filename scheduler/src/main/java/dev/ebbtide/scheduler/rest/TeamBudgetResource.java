package dev.ebbtide.scheduler.rest;

import dev.ebbtide.common.teams.Teams;
import dev.ebbtide.core.budget.BudgetRule;
import dev.ebbtide.messaging.auth.Roles;
import dev.ebbtide.scheduler.service.TeamBudgets;
import dev.ebbtide.scheduler.usage.TeamBudgetEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Teams' spend budgets (docs/teams.md#spend-budgets): where each budgeted team stands this month, and an operator's
 * raise (or cut) of a team's monthly budget, stored in PostgreSQL over {@code ebbtide.teams.budgets} and applied at once
 * here (by the other scheduler instances at their next check). Blocking methods: they run on worker threads.
 */
@Path("/teams")
@Produces(MediaType.APPLICATION_JSON)
public class TeamBudgetResource {
    private static final Logger LOG = Logger.getLogger(TeamBudgetResource.class);

    @Inject
    TeamBudgets budgets;

    @Inject
    SecurityIdentity identity;

    @Inject
    Clock clock;

    /** A budget to set. */
    public record BudgetChange(Double monthly) {}

    /** Where a team stands: its budget, what it spent this month, and the rule's level and sentence. */
    public record BudgetView(
            String team,
            double monthly,
            double softLimit,
            double spent,
            double ratio,
            String level,
            String period,
            String reason) {
        static BudgetView of(BudgetRule.Verdict v) {
            return new BudgetView(
                    v.team(),
                    v.budget().monthly(),
                    v.budget().softLimit(),
                    Math.round(v.spent() * 100) / 100.0,
                    Double.isInfinite(v.ratio()) ? 999 : Math.round(v.ratio() * 10_000) / 10_000.0,
                    v.level().name(),
                    v.period().toString(),
                    v.reason());
        }
    }

    /** Every budgeted team as of the latest check. */
    @GET
    @Path("/budgets")
    @RolesAllowed({Roles.VIEWER, Roles.OPERATOR})
    public List<BudgetView> list() {
        return budgets.verdicts().values().stream()
                .filter(v -> v.budget() != null)
                .map(BudgetView::of)
                .toList();
    }

    /** Sets a team's monthly budget (operators): a raise lets its waiting jobs start at once. */
    @PUT
    @Path("/{team}/budget")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    public BudgetView set(@PathParam("team") String team, BudgetChange change) throws Throwable {
        Teams.nameProblem("team", team).ifPresent(problem -> {
            throw new BadRequestException(problem);
        });
        if (change == null
                || change.monthly() == null
                || !(change.monthly() >= 0)
                || change.monthly().isInfinite()) {
            throw new BadRequestException("monthly must be an amount of at least 0 in the price table's currency,"
                    + " e.g. {\"monthly\": 3000}");
        }
        String by = Roles.principal(identity);
        Instant now = clock.instant();
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() ->
                TeamBudgetEntity.<TeamBudgetEntity>findById(team).chain(found -> {
                    TeamBudgetEntity e = found != null ? found : new TeamBudgetEntity();
                    e.team = team;
                    e.monthly = change.monthly();
                    e.setBy = by;
                    e.setAt = now;
                    return e.persist();
                })));
        LOG.infof("team %s's monthly budget set to %.2f by %s", team, change.monthly(), by);
        budgets.check();
        return BudgetView.of(budgets.verdicts().get(team));
    }
}
