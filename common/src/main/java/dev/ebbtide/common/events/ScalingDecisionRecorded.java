package dev.ebbtide.common.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A scaling decision with everything it was made from, on {@link Topics#SCALING_DECISIONS}, so that
 * {@code ebbtide decisions replay} can recompute it with the same core classes.
 *
 * @param id            unique id of this record
 * @param cluster       the cluster
 * @param at            the decision time ({@code now} given to the policy)
 * @param policy        the policy's name
 * @param policyVersion the cluster's policy version in force (0 when the cluster has no recorded version)
 * @param nodeBootTimeS the node boot time the policy was created with (adaptive policies' horizon), in seconds
 * @param changed       true if the decision changed something (a scale request followed)
 * @param requestId     the scale request's id when {@code changed}, else {@code null}
 * @param snapshot      the core {@code ClusterSnapshot}, as JSON: every field of the record, so fields it gains later
 *                      come along
 * @param decision      the core {@code ScalingDecision}, as JSON
 */
public record ScalingDecisionRecorded(
        String id,
        String cluster,
        Instant at,
        String policy,
        int policyVersion,
        long nodeBootTimeS,
        boolean changed,
        String requestId,
        JsonNode snapshot,
        JsonNode decision) {}
