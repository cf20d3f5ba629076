package dev.ebbtide.devsupport;

import dev.ebbtide.common.events.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: a real Kafka broker and a real PostgreSQL, started once per test JVM and shared by every
 * {@code @QuarkusTest} that names this resource. Tests isolate themselves with their own cluster names.
 */
public class RealInfraTestResource implements QuarkusTestResourceLifecycleManager {
    private static EmbeddedKafka kafka;
    private static EmbeddedPostgresServer postgres;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (kafka == null) {
                kafka = EmbeddedKafka.start(0, null);
                kafka.createTopics(Topics.ALL, Topics.COMPACTED);
                postgres = EmbeddedPostgresServer.start(0, null);
                Runtime.getRuntime().addShutdownHook(new Thread(RealInfraTestResource::stopAll, "stop-test-infra"));
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test Kafka broker / PostgreSQL", e);
        }
        return Map.of(
                "kafka.bootstrap.servers",
                kafka.bootstrapServers(),
                "quarkus.datasource.reactive.url",
                postgres.reactiveUrl(),
                "quarkus.datasource.username",
                "postgres",
                "quarkus.datasource.password",
                "");
    }

    @Override
    public void stop() {
        // shared across test classes of this JVM; stopped by the shutdown hook
    }

    public static String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    private static synchronized void stopAll() {
        try {
            kafka.close();
            postgres.close();
        } catch (Exception ignored) {
            // the JVM is going away
        }
    }
}
