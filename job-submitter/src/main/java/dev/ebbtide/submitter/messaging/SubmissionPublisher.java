package dev.ebbtide.submitter.messaging;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.messaging.KafkaMessages;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes submissions keyed by cluster; the returned Uni completes when the broker has the record. */
@ApplicationScoped
public class SubmissionPublisher {
    @Inject
    @Channel("submissions")
    MutinyEmitter<String> submissions;

    public Uni<Void> publish(JobSubmitted event) {
        return submissions.sendMessage(KafkaMessages.keyed(event.cluster(), EventJson.write(event)));
    }
}
