package dev.ebbtide.scheduler.usage;

import dev.ebbtide.core.usage.Holder;
import dev.ebbtide.core.usage.Machine;
import dev.ebbtide.core.usage.UsageSegment;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/** A closed stretch of a node's time counted to one job (or, {@code jobId} null, idle): {@link UsageSegment}. */
@Entity
@Table(name = "usage_segment")
public class UsageSegmentEntity extends PanacheEntityBase {
    @Id
    @SequenceGenerator(name = "usage_segment_seq", sequenceName = "usage_segment_seq", allocationSize = 50)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "usage_segment_seq")
    public Long id;

    public String cluster;
    public String node;
    public String size;
    public String tier;
    public String region;
    public String jobId;
    public String team;

    public String submittedBy;

    public Instant startAt;
    public Instant endAt;

    static UsageSegmentEntity of(UsageSegment s) {
        UsageSegmentEntity e = new UsageSegmentEntity();
        e.cluster = s.cluster();
        e.node = s.node();
        e.size = s.machine().size();
        e.tier = s.machine().tier();
        e.region = s.machine().region();
        e.jobId = s.holder().jobId();
        e.team = s.holder().team();
        e.submittedBy = s.holder().user();
        e.startAt = s.start();
        e.endAt = s.end();
        return e;
    }

    UsageSegment segment() {
        return new UsageSegment(
                cluster, node, new Machine(size, tier, region), new Holder(jobId, team, submittedBy), startAt, endAt);
    }
}
