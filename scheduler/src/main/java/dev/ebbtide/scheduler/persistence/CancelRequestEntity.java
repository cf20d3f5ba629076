package dev.ebbtide.scheduler.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A cancel asked of a scheduler instance that does not own the job's cluster: stored here until the owner applies it
 * ({@code Cancels}), so only the owner changes a cluster's queue and the request survives either one's crash.
 */
@Entity
@Table(name = "cancel_request")
public class CancelRequestEntity extends PanacheEntityBase {
    @Id
    public String jobId;

    public String cluster;

    @Column(length = 2000)
    public String reason;
    /** The instance that took the request. */
    public String takenBy;

    public Instant requestedAt;
}
