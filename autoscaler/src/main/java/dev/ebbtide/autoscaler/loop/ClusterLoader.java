package dev.ebbtide.autoscaler.loop;

import dev.ebbtide.autoscaler.config.AutoscalerConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.autoscaler.messaging.ClusterTopicReader;
import dev.ebbtide.autoscaler.messaging.KafkaClientSettings;
import dev.ebbtide.autoscaler.policy.ClusterFiles;
import dev.ebbtide.autoscaler.policy.PolicyBook;
import dev.ebbtide.autoscaler.policy.PolicyVersions;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.PolicyVersion;
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
import org.jboss.logging.Logger;

/**
 * Defines clusters: at start-up from every {@code *.yml}/{@code *.yaml} in {@code ebbtide.clusters.dir}, and later
 * through REST. As in Azure ML, a file creates its cluster; once the cluster exists (on the compacted clusters
 * topic), the min, max, idle time and policy changed at runtime are kept across restarts, unless the file itself was
 * edited since it was last read (then the file's settings become a new policy version by {@code file}). Every change
 * is a policy version ({@link PolicyBook}). A definition is applied here at once and published on the compacted
 * clusters topic for the others.
 * The built-in {@code local} cluster (one node at most, for {@code compute: local}) exists unless a file defines it.
 */
@ApplicationScoped
public class ClusterLoader {
    private static final Logger LOG = Logger.getLogger(ClusterLoader.class);
    /** The principal of versions made by a cluster file. */
    public static final String FILE = "file";

    @Inject
    Autoscaler autoscaler;

    @Inject
    AutoscalerEvents events;

    @Inject
    Clock clock;

    @Inject
    PolicyBook book;

    @Inject
    AutoscalerConfig config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    void onStart(@Observes StartupEvent ignored) {
        start(ClusterTopicReader.readAll(KafkaClientSettings.connection(kafkaConfig), Duration.ofSeconds(10)));
    }

    /** @param existing the definitions on the compacted clusters topic, by cluster */
    void start(Map<String, ClusterDefined> existing) {
        book.load();
        boolean localDefined = false;
        for (ClusterSpec spec : readDirectory()) {
            ClusterFiles.Definition d = ClusterFiles.define(
                    spec,
                    existing.get(spec.name()),
                    book.fileSettings(spec.name()).orElse(null));
            if (d.keepsRuntimeChanges()) {
                LOG.infof(
                        "cluster %s exists with runtime changes (min %d, max %d, idle %d s): kept; the file's "
                                + "scale settings are not applied (edit the file to apply them)",
                        spec.name(),
                        d.spec().minInstances(),
                        d.spec().maxInstances(),
                        d.spec().idleTimeBeforeScaleDown());
            }
            defineAtStart(d.spec(), d.policy(), FILE, d.reason(), existing.get(spec.name()));
            book.fileRead(spec.name(), ClusterFiles.settings(spec));
            localDefined |= spec.name().equals("local");
        }
        if (!localDefined && !existing.containsKey("local")) {
            // compute: local = this machine, through the one node agent the local stack starts (no boot, no scaling)
            defineAtStart(ClusterSpec.attachedPool("local", 1, null), null, "default", "built-in attached pool", null);
        }
    }

    /**
     * At start-up a cluster is defined even when its version cannot be recorded: it must scale. The definition is
     * published only if it differs from the one on the topic ({@code known}), so instances starting with the same
     * unchanged files add nothing.
     */
    private void defineAtStart(ClusterSpec spec, String policy, String principal, String reason, ClusterDefined known) {
        String effective = effectivePolicy(spec.name(), policy);
        try {
            book.change(spec.name(), PolicyVersions.settings(spec, effective), principal, reason);
        } catch (PolicyBook.HistoryUnavailable e) {
            LOG.warnf("cluster %s defined without a policy version: %s", spec.name(), e.getMessage());
        }
        ClusterDefined event = new ClusterDefined(spec, effective, clock.instant());
        autoscaler.onClusterDefined(event);
        if (ClusterFiles.unchanged(known, spec, effective)) {
            LOG.debugf("cluster %s: definition as on %s, not published again", spec.name(), "ebbtide.clusters");
        } else {
            events.clusterDefined(event);
        }
    }

    private String effectivePolicy(String cluster, String policy) {
        return policy != null
                ? policy
                : autoscaler.cluster(cluster).map(ClusterState::policy).orElse(autoscaler.defaultPolicy());
    }

    /**
     * Defines or changes a cluster: a new policy version by {@code principal} (none when the settings are those in
     * force), applied here at once and published on the compacted clusters topic for the others.
     *
     * @param policy the policy name, or null to keep the cluster's (the default one for a new cluster)
     */
    public synchronized void define(ClusterSpec spec, String policy, String principal, String reason) {
        String effective = effectivePolicy(spec.name(), policy);
        book.change(spec.name(), PolicyVersions.settings(spec, effective), principal, reason);
        publish(spec, effective);
    }

    /** Restores version {@code version} of a cluster's settings as a new version. */
    public synchronized PolicyVersion rollback(ClusterSpec spec, int version, String principal, String reason) {
        PolicyVersion v = book.rollback(spec.name(), version, principal, reason);
        publish(PolicyVersions.apply(spec, v.settings()), v.settings().policy());
        return v;
    }

    private void publish(ClusterSpec spec, String policy) {
        ClusterDefined event = new ClusterDefined(spec, policy, clock.instant());
        autoscaler.onClusterDefined(event);
        events.clusterDefined(event);
    }

    List<ClusterSpec> readDirectory() {
        Path clustersDir = config.clusters().dir();
        if (!Files.isDirectory(clustersDir)) {
            LOG.warnf(
                    "no cluster directory at %s: only the built-in 'local' cluster is defined",
                    clustersDir.toAbsolutePath());
            return List.of();
        }
        try (Stream<Path> files = Files.list(clustersDir)) {
            return files.filter(
                            f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                    .sorted()
                    .flatMap(f -> parse(f).stream())
                    .toList();
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
