package dev.ebbtide.autoscaler.policy;

import dev.ebbtide.autoscaler.messaging.GovernanceEvents;
import dev.ebbtide.autoscaler.messaging.KafkaClientSettings;
import dev.ebbtide.autoscaler.messaging.LatestPerKey;
import dev.ebbtide.common.events.PolicyChanged;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.PolicySettings;
import dev.ebbtide.common.events.PolicyVersion;
import dev.ebbtide.common.events.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Each cluster's policy versions: read back from the compacted {@link Topics#POLICIES} topic at start-up and kept
 * current from it ({@code policies-in}: every instance sees the versions the others record), and every new version
 * published there (the whole bounded history, keyed by cluster) and on the audit topic
 * {@link Topics#POLICIES_AUDIT}. The version logic is {@link PolicyVersions} (pure).
 */
@ApplicationScoped
public class PolicyBook {
    private static final Logger LOG = Logger.getLogger(PolicyBook.class);

    @Inject
    GovernanceEvents events;

    @Inject
    Clock clock;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /** How long one attempt to read the versions back may take. */
    Duration loadTimeout = Duration.ofSeconds(30);

    private final Map<String, PolicyHistory> histories = new ConcurrentHashMap<>();
    private boolean loaded;

    /**
     * Reads the kept histories once. If Kafka cannot be read, the autoscaler still starts and scales; no version is
     * recorded (and changes are refused) until a later attempt reads them: numbering again from 1 would overwrite
     * the history on the compacted topic.
     */
    public synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            LatestPerKey.read(
                            KafkaClientSettings.connection(kafkaConfig),
                            Topics.POLICIES,
                            PolicyHistory.class,
                            PolicyHistory::cluster,
                            loadTimeout)
                    .values()
                    .forEach(this::observed);
            loaded = true;
            LOG.infof("policy versions read back for %d clusters", histories.size());
        } catch (RuntimeException e) {
            LOG.errorf(
                    "cannot read the policy versions from %s (%s): policy changes are refused until it can be read",
                    Topics.POLICIES, e.getMessage());
        }
    }

    private void ensureLoaded() {
        load();
        if (!loaded) {
            throw new HistoryUnavailable("the policy history cannot be read from Kafka (" + Topics.POLICIES
                    + "), so no new version can be numbered; try again when Kafka is reachable");
        }
    }

    /** The versions cannot be read back from Kafka yet. */
    public static final class HistoryUnavailable extends IllegalStateException {
        HistoryUnavailable(String message) {
            super(message);
        }
    }

    public Optional<PolicyHistory> history(String cluster) {
        return Optional.ofNullable(histories.get(cluster));
    }

    /** The version in force for a cluster, 0 if it has none. */
    public int currentVersion(String cluster) {
        return PolicyVersions.current(histories.get(cluster))
                .map(PolicyVersion::version)
                .orElse(0);
    }

    /** Records a change as a new version (none when nothing changes); returns the version in force afterwards. */
    public synchronized Optional<PolicyVersion> change(
            String cluster, PolicySettings to, String principal, String reason) {
        ensureLoaded();
        Optional<PolicyHistory> next =
                PolicyVersions.change(histories.get(cluster), cluster, to, principal, reason, clock.instant());
        next.ifPresent(this::publish);
        return PolicyVersions.current(histories.get(cluster));
    }

    /** Records a rollback to {@code version} as a new version; throws IllegalArgumentException for an unknown one. */
    public synchronized PolicyVersion rollback(String cluster, int version, String principal, String reason) {
        ensureLoaded();
        PolicyHistory next =
                PolicyVersions.rollback(histories.get(cluster), cluster, version, principal, reason, clock.instant());
        publish(next);
        return PolicyVersions.current(next).orElseThrow();
    }

    /**
     * A history read back from the topic (at start-up, and as other instances publish it: any instance accepts policy
     * changes). Kept unless this book already holds a later version (its own write, not yet read back).
     */
    public synchronized void observed(PolicyHistory history) {
        histories.merge(history.cluster(), history, (held, read) -> version(read) >= version(held) ? read : held);
    }

    private static int version(PolicyHistory h) {
        return PolicyVersions.current(h).map(PolicyVersion::version).orElse(0);
    }

    /** The cluster file's settings as last read, if recorded. */
    public Optional<PolicySettings> fileSettings(String cluster) {
        return history(cluster).map(PolicyHistory::fileSettings);
    }

    /** Remembers what the cluster file said, so that an edited file is recognised at the next start. */
    public synchronized void fileRead(String cluster, PolicySettings file) {
        if (!loaded) {
            return;
        }
        if (!file.equals(fileSettings(cluster).orElse(null))) {
            PolicyHistory next =
                    PolicyVersions.withFileSettings(histories.get(cluster), cluster, file, clock.instant());
            histories.put(cluster, next);
            events.history(next);
        }
    }

    private void publish(PolicyHistory next) {
        histories.put(next.cluster(), next);
        PolicyVersion version = PolicyVersions.current(next).orElseThrow();
        events.history(next);
        events.changed(new PolicyChanged(next.cluster(), version));
        LOG.infof(
                "cluster %s: policy version %d by %s: %s%s",
                next.cluster(),
                version.version(),
                version.principal(),
                version.changes().stream()
                        .map(c -> c.field() + " " + c.from() + " -> " + c.to())
                        .toList(),
                version.reason() == null ? "" : " (" + version.reason() + ")");
    }
}
