package dev.ebbtide.scheduler.usage;

import dev.ebbtide.core.budget.BudgetRule;
import dev.ebbtide.core.usage.UsageFold;
import dev.ebbtide.core.usage.UsageReport;
import dev.ebbtide.core.usage.UsageSegment;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the spend budgets read (call inside a session): each team's estimated cost over a window, counted like
 * {@code GET /usage?by=team} (closed segments and the running ones cut at {@code now}, priced from vm-prices.csv), and
 * the budgets operators raised at runtime ({@code team_budget}).
 */
@ApplicationScoped
public class TeamSpend {
    @Inject
    UsageRates rates;

    /** The price table's currency. */
    public String currency() {
        return rates.currency();
    }

    /** Each of {@code teams}' estimated cost in {@code [from, now)} (a team without usage is absent). */
    public Uni<Map<String, Double>> since(Instant from, Instant now, Set<String> teams) {
        if (teams.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Uni<List<UsageSegmentEntity>> closed = UsageSegmentEntity.list("endAt > ?1 and team in ?2", from, teams);
        Uni<List<UsageNodeEntity>> open = UsageNodeEntity.list("gone = false and team in ?1", teams);
        return closed.chain(c -> open.map(o -> {
            List<UsageSegment> all = new ArrayList<>(c.size() + o.size());
            c.forEach(s -> all.add(s.segment()));
            o.forEach(n -> {
                UsageSegment s = UsageFold.sofar(n.usage(), now);
                if (s != null) {
                    all.add(s);
                }
            });
            Map<String, Double> spent = new HashMap<>();
            UsageReport.rows(all, from, now, UsageReport.By.TEAM, rates)
                    .forEach(r -> spent.put(r.key(), r.estimatedCost()));
            return spent;
        }));
    }

    /** The budgets operators set at runtime, by team, each with {@code softLimit}. */
    public Uni<Map<String, BudgetRule.Budget>> raises(double softLimit) {
        return TeamBudgetEntity.<TeamBudgetEntity>listAll().map(rows -> {
            Map<String, BudgetRule.Budget> raised = new TreeMap<>();
            rows.forEach(r -> raised.put(r.team, new BudgetRule.Budget(r.monthly, softLimit)));
            return raised;
        });
    }
}
