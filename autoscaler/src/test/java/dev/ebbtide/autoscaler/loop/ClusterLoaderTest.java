package dev.ebbtide.autoscaler.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.autoscaler.config.TestConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.autoscaler.policy.PolicyBook;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.devsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Instances starting with the same cluster files publish a definition only when the topic does not hold it yet. */
class ClusterLoaderTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    Autoscaler lastStarted;

    @Test
    void anUnchangedFileIsNotPublishedAgainByTheNextInstance() throws Exception {
        Files.writeString(dir.resolve("gpu.yml"), """
                $schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json
                name: gpu
                type: amlcompute
                size: Standard_NC6s_v3
                min_instances: 0
                max_instances: 4
                idle_time_before_scale_down: 120
                """);
        Map<String, ClusterDefined> topic = new HashMap<>();

        List<ClusterDefined> first = start(topic);
        assertEquals(
                List.of("gpu", "local"),
                first.stream().map(d -> d.spec().name()).toList(),
                "the first instance publishes what the topic lacks");
        first.forEach(d -> topic.put(d.spec().name(), d));

        assertEquals(List.of(), start(topic), "a second instance (or a restart) with the same file adds nothing");

        // ops changed max and policy at runtime (on any instance): a start with the unchanged file keeps them
        topic.put("gpu", new ClusterDefined(topic.get("gpu").spec().withScaleSettings(0, 6, 120), "adaptive", T0));
        assertEquals(List.of(), start(topic), "runtime changes on the topic are kept, not published over");
        assertEquals(6, lastStarted.cluster("gpu").orElseThrow().spec().maxInstances());
        assertEquals("adaptive", lastStarted.cluster("gpu").orElseThrow().policy());
    }

    /** One instance's start-up over the given topic content; returns what it published. */
    private List<ClusterDefined> start(Map<String, ClusterDefined> topic) {
        List<ClusterDefined> published = new ArrayList<>();
        Autoscaler autoscaler = new Autoscaler();
        autoscaler.clock = new MutableClock(T0);
        autoscaler.registry = new SimpleMeterRegistry();
        autoscaler.config = TestConfig.autoscaler();
        ClusterLoader loader = new ClusterLoader();
        loader.autoscaler = autoscaler;
        loader.clock = new MutableClock(T0);
        loader.config = TestConfig.autoscaler("ebbtide.clusters.dir", dir.toString());
        loader.book = new PolicyBook() {
            @Override
            public synchronized void load() {
                // no Kafka here: versions are not recorded, definitions still are
            }
        };
        loader.events = new AutoscalerEvents() {
            @Override
            public void clusterDefined(ClusterDefined event) {
                published.add(event);
            }
        };
        autoscaler.events = loader.events;
        loader.start(topic);
        assertTrue(autoscaler.cluster("gpu").isPresent(), "defined here either way");
        lastStarted = autoscaler;
        return published;
    }
}
