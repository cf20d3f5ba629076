package dev.ebbtide.scheduler.usage;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A team's monthly budget as an operator set it at runtime ({@code PUT /teams/{team}/budget}): over the configured one. */
@Entity
@Table(name = "team_budget")
public class TeamBudgetEntity extends PanacheEntityBase {
    @Id
    public String team;

    /** The budget per calendar month (UTC), in the price table's currency. */
    public double monthly;

    /** Who set it (the operator's principal). */
    public String setBy;

    public Instant setAt;
}
