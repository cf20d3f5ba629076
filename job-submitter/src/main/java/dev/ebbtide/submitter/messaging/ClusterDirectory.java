package dev.ebbtide.submitter.messaging;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** The clusters that exist, read from the compacted clusters topic (from the start at every start-up). */
@ApplicationScoped
public class ClusterDirectory {
    private static final Logger LOG = Logger.getLogger(ClusterDirectory.class);
    private final Map<String, ClusterSpec> clusters = new ConcurrentHashMap<>();

    @Incoming("clusters-in")
    public void onClusterDefined(String value) {
        try {
            ClusterSpec spec = EventJson.read(value, ClusterDefined.class).spec();
            clusters.put(spec.name(), spec);
        } catch (RuntimeException e) {
            LOG.errorf("skipping a bad cluster definition: %s", e.getMessage());
        }
    }

    public Optional<ClusterSpec> find(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(clusters.keySet());
    }
}
