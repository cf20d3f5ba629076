package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.autoscaler.messaging.ClusterTopicReader;
import dev.ebbtide.autoscaler.messaging.KafkaClientSettings;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.ClusterDefined;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Defines clusters: at start-up from every {@code *.yml}/{@code *.yaml} in {@code ebbtide.clusters.dir}, and later
 * through REST. As in Azure ML, a file creates its cluster; once the cluster exists (on the compacted clusters
 * topic), the min, max, idle time and policy changed at runtime are kept across restarts. A definition is applied here at once and published on the compacted clusters topic for the others.
 * The built-in {@code local} cluster (one node at most, for {@code compute: local}) exists unless a file defines it.
 */
@ApplicationScoped
public class ClusterLoader {
    private static final Logger LOG = Logger.getLogger(ClusterLoader.class);

    @Inject
    Autoscaler autoscaler;
    @Inject
    AutoscalerEvents events;
    @Inject
    Clock clock;
    @ConfigProperty(name = "ebbtide.clusters.dir", defaultValue = "clusters")
    Path clustersDir;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    void onStart(@Observes StartupEvent ignored) {
        Map<String, ClusterDefined> existing = ClusterTopicReader.readAll(KafkaClientSettings.connection(kafkaConfig),
                Duration.ofSeconds(10));
        boolean localDefined = false;
        for (ClusterSpec spec : readDirectory()) {
            ClusterDefined known = existing.get(spec.name());
            if (known == null) {
                define(spec, null);
            } else {
                // Azure ML semantics: the file creates the cluster; later changes (REST, runtime) are kept
                ClusterSpec kept = spec.withScaleSettings(known.spec().minInstances(), known.spec().maxInstances(),
                        known.spec().idleTimeBeforeScaleDown());
                if (!kept.equals(spec)) {
                    LOG.infof("cluster %s exists with runtime changes (min %d, max %d, idle %d s): kept; the file's "
                            + "scale settings are not applied", spec.name(), kept.minInstances(), kept.maxInstances(),
                            kept.idleTimeBeforeScaleDown());
                }
                define(kept, known.policy());
            }
            localDefined |= spec.name().equals("local");
        }
        if (!localDefined && !existing.containsKey("local")) {
            // compute: local = this machine, through the one node agent the local stack starts (no boot, no scaling)
            define(ClusterSpec.attachedPool("local", 1, null), null);
        }
    }

    public void define(ClusterSpec spec, String policy) {
        ClusterDefined event = new ClusterDefined(spec, policy, clock.instant());
        autoscaler.onClusterDefined(event);
        events.clusterDefined(event);
    }

    List<ClusterSpec> readDirectory() {
        if (!Files.isDirectory(clustersDir)) {
            LOG.warnf("no cluster directory at %s: only the built-in 'local' cluster is defined", clustersDir.toAbsolutePath());
            return List.of();
        }
        try (Stream<Path> files = Files.list(clustersDir)) {
            return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted()
                    .flatMap(f -> parse(f).stream()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read cluster directory " + clustersDir, e);
        }
    }

    private static List<ClusterSpec> parse(Path file) {
        try {
            ClusterSpec spec = AzureMlYaml.parseCluster(Files.readString(file));
            LOG.infof("loaded cluster %s from %s", spec.name(), file);
            return List.of(spec);
        } catch (InvalidSpecException | IOException e) {
            LOG.errorf("skipping cluster file %s: %s", file, e.getMessage());
            return List.of();
        }
    }
}
