package dev.ebbtide.common.events;

/** Kafka topic names. Every event is keyed by its cluster name so one cluster's events stay ordered. */
public final class Topics {
    public static final String JOBS_SUBMITTED = "ebbtide.jobs.submitted";
    public static final String JOBS_SUBMITTED_DLQ = "ebbtide.jobs.submitted.dlq";
    /**
     * A Kafka producer principal's own submissions topic is this prefix + the principal's name
     * ({@link #submissionsOf}): only that principal may write it, so the topic a record arrives on says who wrote it,
     * and the scheduler takes the job's team from the principal (docs/teams.md). {@link #JOBS_SUBMITTED} is the
     * job-submitter's, which carries its REST callers' teams.
     */
    public static final String PRODUCER_SUBMISSIONS_PREFIX = "ebbtide.jobs.submitted.by.";
    /** The submissions topic of the local stack's job producer principal {@code ebbtide-producer}. */
    public static final String PRODUCER_SUBMISSIONS = PRODUCER_SUBMISSIONS_PREFIX + "ebbtide-producer";
    /** Records of Ebbtide's own topics that could not be handled, with the reason in a header. */
    public static final String INTERNAL_DLQ = "ebbtide.internal.dlq";

    public static final String JOBS_STATE = "ebbtide.jobs.state";
    public static final String JOBS_ASSIGNMENTS = "ebbtide.jobs.assignments";
    public static final String JOBS_RUNS = "ebbtide.jobs.runs";
    public static final String JOBS_STOPS = "ebbtide.jobs.stops";
    public static final String CLUSTERS = "ebbtide.clusters";
    public static final String CLUSTERS_DEMAND = "ebbtide.clusters.demand";
    public static final String CLUSTERS_BACKOFF = "ebbtide.clusters.backoff";
    public static final String SCALE_REQUESTS = "ebbtide.scale.requests";
    public static final String NODES_STATE = "ebbtide.nodes.state";
    /** Node agents' announcements and heartbeats ({@link NodeAgentStatus}). */
    public static final String NODES_AGENTS = "ebbtide.nodes.agents";
    /** Job output, chunk by chunk ({@link JobLogChunk}). */
    public static final String JOBS_LOGS = "ebbtide.jobs.logs";
    /** Each cluster's policy versions ({@link PolicyHistory}), compacted: the latest record is the history. */
    public static final String POLICIES = "ebbtide.policies";
    /** Every policy change ({@link PolicyChanged}), kept for the topic's retention (the audit trail). */
    public static final String POLICIES_AUDIT = "ebbtide.policies.audit";
    /** Scaling decisions with their inputs ({@link ScalingDecisionRecorded}). */
    public static final String SCALING_DECISIONS = "ebbtide.scaling.decisions";
    /**
     * The provisioner's durable memory per cluster (node table, recently applied scale requests, backoff), compacted:
     * the instance that takes a cluster over reads the latest record and goes on from there.
     */
    public static final String PROVISIONER_STATE = "ebbtide.provisioner.state";

    /** All topics, for brokers that pre-create them. */
    public static final java.util.List<String> ALL = java.util.List.of(
            JOBS_SUBMITTED,
            PRODUCER_SUBMISSIONS,
            JOBS_SUBMITTED_DLQ,
            INTERNAL_DLQ,
            JOBS_STATE,
            JOBS_ASSIGNMENTS,
            JOBS_RUNS,
            JOBS_STOPS,
            CLUSTERS,
            CLUSTERS_DEMAND,
            CLUSTERS_BACKOFF,
            SCALE_REQUESTS,
            NODES_STATE,
            NODES_AGENTS,
            JOBS_LOGS,
            POLICIES,
            POLICIES_AUDIT,
            SCALING_DECISIONS,
            PROVISIONER_STATE);

    /**
     * Topics keyed by cluster name (every topic but the dead-letter ones): they get {@link #DEFAULT_PARTITIONS}
     * partitions unless configured otherwise, so one cluster's traffic never queues behind another's in a consumer and
     * the services can run as several instances. The dead-letter topics have one partition.
     */
    public static final java.util.List<String> CLUSTER_KEYED = ALL.stream()
            .filter(t -> !t.equals(JOBS_SUBMITTED_DLQ) && !t.equals(INTERNAL_DLQ))
            .toList();

    /** Partitions of each cluster-keyed topic when nothing else is configured ({@code EBBTIDE_PARTITIONS}). */
    public static final int DEFAULT_PARTITIONS = 6;

    /** The partitions {@code topic} gets when cluster-keyed topics get {@code clusterKeyed}. */
    public static int partitions(String topic, int clusterKeyed) {
        return CLUSTER_KEYED.contains(topic) ? clusterKeyed : 1;
    }

    /** Topics that keep only the latest record per key (cleanup.policy=compact). */
    public static final java.util.Set<String> COMPACTED = java.util.Set.of(CLUSTERS, POLICIES, PROVISIONER_STATE);

    /** Bad submissions go to {@link #JOBS_SUBMITTED_DLQ}; bad records of internal topics to {@link #INTERNAL_DLQ}. */
    public static String deadLetterTopicFor(String sourceTopic) {
        return isSubmissions(sourceTopic) ? JOBS_SUBMITTED_DLQ : INTERNAL_DLQ;
    }

    /** The submissions topic of Kafka producer principal {@code principal}. */
    public static String submissionsOf(String principal) {
        return PRODUCER_SUBMISSIONS_PREFIX + principal;
    }

    /** True for {@link #JOBS_SUBMITTED} and every producer's own submissions topic. */
    public static boolean isSubmissions(String topic) {
        return JOBS_SUBMITTED.equals(topic) || producerOf(topic) != null;
    }

    /** The producer principal whose submissions topic this is; null for any other topic (the job-submitter's too). */
    public static String producerOf(String topic) {
        if (topic == null || !topic.startsWith(PRODUCER_SUBMISSIONS_PREFIX)) {
            return null;
        }
        String principal = topic.substring(PRODUCER_SUBMISSIONS_PREFIX.length());
        return principal.isEmpty() || principal.equals("dlq") ? null : principal;
    }

    private Topics() {}
}
