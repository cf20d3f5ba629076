package dev.ebbtide.devsupport;

import dev.ebbtide.common.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on Ebbtide's Kafka: one principal per service, one for node agents, one for job producers, and the
 * super users. The single source of the ACLs a secured broker gets ({@link #aclBindings()}) and of the table in
 * docs/operations.md; {@code KafkaAccessMatchesServicesTest} checks it against the services' settings.
 */
public final class KafkaAccess {
    /** The broker's own principal (inter-broker and controller listeners). Super user. */
    public static final String BROKER = "ebbtide-broker";
    /** For operators, tools and tests. Super user. */
    public static final String ADMIN = "ebbtide-admin";
    /**
     * Job producers outside Ebbtide: may only write their own {@link Topics#PRODUCER_SUBMISSIONS}
     * ({@code ebbtide.jobs.submitted.by.ebbtide-producer}), so the scheduler knows who wrote a submission and gives it
     * the principal's team ({@code ebbtide.teams.producers}, docs/teams.md). {@link Topics#JOBS_SUBMITTED} is the
     * job-submitter's alone: it carries its REST callers' teams.
     */
    public static final String PRODUCER = "ebbtide-producer";

    public static final String AGENT = "ebbtide-agent";

    /**
     * What one principal may do. Reading a topic grants READ (and so DESCRIBE) on it; writing grants WRITE (an
     * idempotent producer needs nothing more since Kafka 3.0, KIP-679). Consumer groups: READ on every group whose
     * id starts with {@code groupPrefix} (null = may not consume with a group).
     */
    public record Grant(String principal, Set<String> reads, Set<String> writes, String groupPrefix) {}

    /** The service name ({@code LocalStack.SERVICES}, or {@code node-agent}, {@code producer}) → its grant. */
    public static final Map<String, Grant> GRANTS = grants();

    private static Map<String, Grant> grants() {
        Map<String, Grant> g = new TreeMap<>();
        g.put(
                "job-submitter",
                new Grant(
                        "ebbtide-submitter",
                        Set.of(Topics.CLUSTERS),
                        Set.of(Topics.JOBS_SUBMITTED, Topics.INTERNAL_DLQ),
                        "ebbtide-submitter")); // bad cluster records
        g.put(
                "scheduler",
                new Grant(
                        "ebbtide-scheduler",
                        Set.of(
                                Topics.CLUSTERS,
                                Topics.JOBS_SUBMITTED,
                                Topics.PRODUCER_SUBMISSIONS,
                                Topics.NODES_STATE,
                                Topics.JOBS_RUNS,
                                Topics.CLUSTERS_BACKOFF,
                                Topics.JOBS_LOGS),
                        Set.of(
                                Topics.JOBS_STATE,
                                Topics.JOBS_ASSIGNMENTS,
                                Topics.CLUSTERS_DEMAND,
                                Topics.JOBS_STOPS,
                                Topics.JOBS_SUBMITTED_DLQ,
                                Topics.INTERNAL_DLQ),
                        "ebbtide-scheduler"));
        g.put(
                "autoscaler",
                new Grant(
                        "ebbtide-autoscaler",
                        Set.of(
                                Topics.CLUSTERS,
                                Topics.CLUSTERS_DEMAND,
                                Topics.NODES_STATE,
                                Topics.CLUSTERS_BACKOFF,
                                Topics.POLICIES),
                        Set.of(
                                Topics.SCALE_REQUESTS,
                                Topics.CLUSTERS,
                                Topics.INTERNAL_DLQ,
                                Topics.POLICIES,
                                Topics.POLICIES_AUDIT,
                                Topics.SCALING_DECISIONS),
                        "ebbtide-autoscaler"));
        g.put(
                "provisioner",
                new Grant(
                        "ebbtide-provisioner",
                        Set.of(
                                Topics.CLUSTERS,
                                Topics.SCALE_REQUESTS,
                                Topics.JOBS_ASSIGNMENTS,
                                Topics.JOBS_STOPS,
                                Topics.NODES_AGENTS,
                                Topics.PROVISIONER_STATE),
                        Set.of(
                                Topics.NODES_STATE,
                                Topics.JOBS_RUNS,
                                Topics.CLUSTERS_BACKOFF,
                                Topics.INTERNAL_DLQ,
                                Topics.PROVISIONER_STATE),
                        "ebbtide-provisioner"));
        g.put(
                "node-agent",
                new Grant(
                        AGENT,
                        Set.of(Topics.JOBS_ASSIGNMENTS, Topics.JOBS_STOPS),
                        Set.of(
                                Topics.JOBS_RUNS,
                                Topics.NODES_AGENTS,
                                Topics.JOBS_LOGS,
                                Topics.INTERNAL_DLQ), // bad records
                        "ebbtide-agent-"));
        g.put("producer", new Grant(PRODUCER, Set.of(), Set.of(Topics.submissionsOf(PRODUCER)), null));
        return Map.copyOf(g);
    }

    /** Every principal that gets a SCRAM credential: the grants' principals and the two super users. */
    public static List<String> principals() {
        List<String> all = new ArrayList<>(List.of(BROKER, ADMIN));
        GRANTS.values().stream().map(Grant::principal).sorted().forEach(all::add);
        return List.copyOf(all);
    }

    /** {@code super.users} for the broker. */
    public static String superUsers() {
        return "User:" + BROKER + ";User:" + ADMIN;
    }

    /** The ACLs that implement {@link #GRANTS} (allow rules only; everything else is denied). */
    public static List<AclBinding> aclBindings() {
        List<AclBinding> acls = new ArrayList<>();
        for (Grant grant : GRANTS.values()) {
            String user = "User:" + grant.principal();
            for (String topic : grant.reads()) {
                acls.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, user, AclOperation.READ));
            }
            for (String topic : grant.writes()) {
                acls.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, user, AclOperation.WRITE));
            }
            if (grant.groupPrefix() != null) {
                acls.add(allow(ResourceType.GROUP, grant.groupPrefix(), PatternType.PREFIXED, user, AclOperation.READ));
            }
        }
        return acls;
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern, String user, AclOperation op) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry(user, "*", op, AclPermissionType.ALLOW));
    }

    private KafkaAccess() {}
}
