package dev.ebbtide.autoscaler.messaging;

import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.messaging.KafkaMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** What the autoscaler publishes: scale requests, and cluster definitions (it owns the compacted clusters topic). */
@ApplicationScoped
public class AutoscalerEvents {
    @Inject
    @Channel("scale-requests")
    Emitter<String> scaleRequests;
    @Inject
    @Channel("clusters-out")
    Emitter<String> clusters;

    public void scaleRequested(ScaleRequested event) {
        send(scaleRequests, event.cluster(), EventJson.write(event));
    }

    public void clusterDefined(ClusterDefined event) {
        send(clusters, event.spec().name(), EventJson.write(event));
    }

    private static void send(Emitter<String> emitter, String key, String json) {
        emitter.send(KafkaMessages.keyed(key, json));
    }
}
