package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.PolicyChanged;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.ScalingDecisionRecorded;
import dev.ebbtide.messaging.KafkaMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** What policy governance publishes: policy histories (compacted), the audit trail, and decisions with their inputs. */
@ApplicationScoped
public class GovernanceEvents {
    @Inject
    @Channel("policies-out")
    Emitter<String> policies;

    @Inject
    @Channel("policies-audit")
    Emitter<String> audit;

    @Inject
    @Channel("scaling-decisions")
    Emitter<String> decisions;

    public void history(PolicyHistory history) {
        policies.send(KafkaMessages.keyed(history.cluster(), EventJson.write(history)));
    }

    public void changed(PolicyChanged changed) {
        audit.send(KafkaMessages.keyed(changed.cluster(), EventJson.write(changed)));
    }

    public void decision(ScalingDecisionRecorded decision) {
        decisions.send(KafkaMessages.keyed(decision.cluster(), EventJson.write(decision)));
    }
}
