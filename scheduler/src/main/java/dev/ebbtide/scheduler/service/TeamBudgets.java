package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.JobState;
import dev.ebbtide.core.budget.BudgetRule;
import dev.ebbtide.scheduler.config.TeamsConfig;
import dev.ebbtide.scheduler.messaging.Outbox;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.usage.TeamSpend;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Spend budgets per team ({@link BudgetRule}, docs/teams.md#spend-budgets): every
 * {@code ebbtide.teams.budget-check-interval} each budgeted team's estimated cost this calendar month (UTC) is counted
 * from usage ({@link TeamSpend}) and checked against its budget ({@code ebbtide.teams.budgets}, or an operator's raise
 * through {@code PUT /teams/{team}/budget}). A team at its hard limit is {@link #held()}: placement starts none of its
 * queued jobs and leaves them out of the demand event; its jobs already running go on. A team at its soft limit gets a
 * warning in the log and the metric. When a team's hold starts or ends, the clusters where it has jobs queued are
 * placed again (their demand event published again), so the autoscaler stops growing a cluster for held jobs, and
 * held jobs start as soon as the month turns or the budget is raised.
 */
@ApplicationScoped
public class TeamBudgets {
    private static final Logger LOG = Logger.getLogger(TeamBudgets.class);

    @Inject
    Clock clock;

    @Inject
    TeamSpend spend;

    @Inject
    QueueIndex index;

    @Inject
    Placement placement;

    @Inject
    ClusterOwnership ownership;

    @Inject
    Outbox outbox;

    private final TeamsConfig config;
    private final MeterRegistry registry;
    private final Map<String, BudgetRule.Budget> configured;

    /** By team: the latest verdict of each team with a budget. */
    private volatile Map<String, BudgetRule.Verdict> verdicts = Map.of();
    /** The teams at their hard limit (their queued jobs wait). */
    private volatile Set<String> held = java.util.Collections.emptySet(); // contains(null) is false, never throws
    /** By team: spend / budget, what the gauge shows (kept here: a gauge holds its object weakly). */
    private final Map<String, double[]> ratios = new ConcurrentHashMap<>();

    private volatile Instant nextCheck = Instant.MIN;

    TeamBudgets(TeamsConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        try {
            this.configured = BudgetRule.parseBudgets(config.budgets().orElse(""), config.budgetSoftLimit());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ebbtide.teams.budgets: " + e.getMessage(), e);
        }
    }

    /** The teams at their budget's hard limit as of the latest check: their queued jobs neither start nor count. */
    public Set<String> held() {
        return held;
    }

    /** The latest verdict of each team with a budget, by team. */
    public Map<String, BudgetRule.Verdict> verdicts() {
        return verdicts;
    }

    /** Why a queued job of a team at its hard limit waits, e.g. {@code waiting: team vision spent …}; else null. */
    public String reason(JobEntity job) {
        // a job stored before teams existed has no team (Set.contains(null) throws): no budget holds it
        if (job.state != JobState.Queued || job.team == null || !held.contains(job.team)) {
            return null;
        }
        BudgetRule.Verdict v = verdicts.get(job.team);
        return v == null ? null : v.reason();
    }

    /** Checks every {@code ebbtide.teams.budget-check-interval} (on a worker thread: the reads block). */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return;
        }
        nextCheck = now.plus(config.budgetCheckInterval());
        try {
            check();
        } catch (Throwable e) {
            LOG.warnf("checking the teams' budgets failed, will retry: %s", e.toString());
        }
    }

    /**
     * Counts each budgeted team's spend this month, decides, and places again the clusters of the teams whose hold
     * started or ended. Blocks: call on a worker thread.
     */
    public synchronized void check() throws Throwable {
        Instant now = clock.instant();
        Map<String, BudgetRule.Budget> budgets = new TreeMap<>(configured);
        budgets.putAll(VertxContextSupport.subscribeAndAwait(
                () -> Panache.withSession(() -> spend.raises(config.budgetSoftLimit()))));
        if (budgets.isEmpty() && verdicts.isEmpty()) {
            return; // no budgets, now or before: nothing to count
        }
        Map<String, Double> spent = VertxContextSupport.subscribeAndAwait(
                () -> Panache.withSession(() -> spend.since(BudgetRule.periodStart(now), now, budgets.keySet())));
        Map<String, BudgetRule.Verdict> next = new TreeMap<>();
        Set<String> nextHeld = new LinkedHashSet<>();
        budgets.forEach((team, budget) -> {
            BudgetRule.Verdict v = BudgetRule.check(team, spent.getOrDefault(team, 0.0), budget, spend.currency(), now);
            next.put(team, v);
            if (v.level() == BudgetRule.Level.HARD) {
                nextHeld.add(team);
            }
            gauge(team)[0] = v.ratio();
        });
        Map<String, BudgetRule.Verdict> before = verdicts;
        Set<String> changed = new LinkedHashSet<>();
        next.forEach((team, v) -> {
            BudgetRule.Verdict was = before.get(team);
            BudgetRule.Level wasLevel = was == null ? BudgetRule.Level.OK : was.level();
            if (v.level() != wasLevel) {
                if (v.level() == BudgetRule.Level.OK) {
                    LOG.infof("team %s is within its budget again: %s", team, v.reason());
                } else {
                    LOG.warnf("team %s: %s", team, v.reason());
                }
            }
            if ((v.level() == BudgetRule.Level.HARD) != (wasLevel == BudgetRule.Level.HARD)) {
                changed.add(team);
            }
        });
        before.keySet().stream()
                .filter(t -> !next.containsKey(t) && held.contains(t))
                .forEach(changed::add); // a budget removed
        verdicts = Map.copyOf(next);
        held = java.util.Collections.unmodifiableSet(new java.util.HashSet<>(nextHeld));
        if (!changed.isEmpty()) {
            placeAgain(changed);
        }
    }

    /** Places again the owned clusters where {@code teams} have jobs queued, publishing their demand. */
    private void placeAgain(Set<String> teams) throws Throwable {
        Outgoing out = new Outgoing();
        VertxContextSupport.subscribeAndAwait(() -> ownership
                .acting(() -> Panache.withTransaction(() -> index.ready()
                                .chain(() -> {
                                    for (String team : teams) {
                                        index.clustersWith(team).stream()
                                                .filter(index::actsFor)
                                                .forEach(out.touched::add);
                                    }
                                    return placement.placeTouched(out);
                                })
                                .chain(() -> out.storeIn(outbox)))
                        .onFailure()
                        .invoke(e -> out.undo()))
                .chain(outbox::relay));
    }

    /** The value the team's gauge shows (registered on first use). */
    private double[] gauge(String team) {
        return ratios.computeIfAbsent(team, t -> {
            double[] h = {0};
            Gauge.builder("ebbtide_team_budget_spent_ratio", h, a -> a[0])
                    .description("A team's estimated spend this calendar month (UTC) over its monthly budget (tags:"
                            + " team); 1 or more: its new jobs wait")
                    .tag("team", t)
                    .register(registry);
            return h;
        });
    }
}
