package dev.ebbtide.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Properties of the decode step: arbitrary input is never more than poison, valid events always pass. */
class RecordDecoderPropertiesTest {

    @Property(tries = 2000)
    void arbitraryBytesAreAnEventOrPoisonNeverAnException(@ForAll @Size(max = 300) byte[] value) {
        Decoded<NodeStateChanged> d =
                RecordDecoder.decode(Topics.NODES_STATE, null, value, null, NodeStateChanged.class);
        assertNotNull(d);
    }

    @Property(tries = 1000)
    void mutatedValidJsonIsAnEventOrPoison(
            @ForAll("submissions") JobSubmitted job,
            @ForAll @IntRange(min = 0, max = 10_000) int at,
            @ForAll byte replacement) {
        byte[] bytes = EventJson.write(job).getBytes(StandardCharsets.UTF_8);
        bytes[at % bytes.length] = replacement;
        Decoded<JobSubmitted> d = RecordDecoder.decode(Topics.JOBS_SUBMITTED, null, bytes, null, JobSubmitted.class);
        assertNotNull(d);
        if (d instanceof Decoded.Event<JobSubmitted> e) {
            assertNotNull(e.value().spec(), "an accepted event has what consumers rely on");
        }
    }

    @Property(tries = 500)
    void arbitraryCloudEventHeadersNeverThrow(
            @ForAll @Size(max = 40) byte[] id,
            @ForAll @Size(max = 40) byte[] time,
            @ForAll @Size(max = 40) byte[] type) {
        RecordHeaders h = new RecordHeaders();
        h.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        h.add("ce_id", id);
        h.add("ce_source", "/x".getBytes(StandardCharsets.UTF_8));
        h.add("ce_type", type);
        h.add("ce_time", time);
        assertNotNull(RecordDecoder.decode(
                Topics.NODES_STATE, id, BadRecords.bytes(BadRecords.GOOD_NODE), h, NodeStateChanged.class));
    }

    @Property(tries = 500)
    void validSubmissionsAlwaysPassAndRoundTrip(@ForAll("submissions") JobSubmitted job) {
        byte[] bytes = EventJson.write(job).getBytes(StandardCharsets.UTF_8);
        Decoded<JobSubmitted> d = RecordDecoder.decode(
                Topics.JOBS_SUBMITTED,
                job.cluster().getBytes(StandardCharsets.UTF_8),
                bytes,
                submittedHeaders(job.jobId()),
                JobSubmitted.class);
        Decoded.Event<JobSubmitted> event = assertInstanceOf(Decoded.Event.class, d, () -> d.toString());
        assertEquals(job, event.value());
    }

    @Property(tries = 300)
    void validDemandAndNodeStatesAlwaysPass(@ForAll("demands") ClusterDemandChanged demand, @ForAll NodeState state) {
        assertInstanceOf(
                Decoded.Event.class,
                RecordDecoder.decode(
                        Topics.CLUSTERS_DEMAND,
                        null,
                        EventJson.write(demand).getBytes(StandardCharsets.UTF_8),
                        null,
                        ClusterDemandChanged.class));
        NodeStateChanged node = new NodeStateChanged(
                demand.cluster(),
                demand.cluster() + "-0",
                state,
                null,
                null,
                null,
                Instant.parse("2026-11-26T20:42:36Z"));
        assertInstanceOf(
                Decoded.Event.class,
                RecordDecoder.decode(
                        Topics.NODES_STATE,
                        null,
                        EventJson.write(node).getBytes(StandardCharsets.UTF_8),
                        null,
                        NodeStateChanged.class));
    }

    private static RecordHeaders submittedHeaders(String id) {
        RecordHeaders h = BadRecords.ce(id, "2026-11-26T20:42:28.512Z");
        h.remove("ce_type");
        h.add("ce_type", "dev.ebbtide.job.submitted.v1".getBytes(StandardCharsets.UTF_8));
        return h;
    }

    @Provide
    Arbitrary<JobSubmitted> submissions() {
        Arbitrary<String> cluster = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
                .ofMinLength(1)
                .ofMaxLength(31)
                .map(s -> "c" + s);
        Arbitrary<String> command = Arbitraries.strings()
                .excludeChars('\0')
                .ofMinLength(1)
                .ofMaxLength(200)
                .filter(s -> !s.isBlank());
        Arbitrary<Map<String, String>> env = Arbitraries.maps(
                        Arbitraries.strings()
                                .withChars("ABCXYZ_abc019")
                                .ofMinLength(1)
                                .ofMaxLength(20)
                                .filter(n -> !Character.isDigit(n.charAt(0))),
                        Arbitraries.strings().excludeChars('\0').ofMaxLength(50))
                .ofMaxSize(5);
        Arbitrary<JobSpec> spec = Combinators.combine(
                        command,
                        Arbitraries.integers().between(1, 1000),
                        env,
                        Arbitraries.of("low", "medium", "high"),
                        Arbitraries.longs().between(1, 86_400).injectNull(0.3))
                .as((c, n, e, p, t) -> new JobSpec(c, n, e, null, null, p, t));
        return Combinators.combine(
                        Arbitraries.create(() -> java.util.UUID.randomUUID().toString()), cluster, spec)
                .as((id, c, s) -> new JobSubmitted(id, c, s, Instant.parse("2026-11-26T20:42:28.512Z")));
    }

    @Provide
    Arbitrary<ClusterDemandChanged> demands() {
        Arbitrary<QueuedJob> job = Combinators.combine(
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(36),
                        Arbitraries.integers().between(1, 100),
                        Arbitraries.of("low", "medium", "high"))
                .as((id, n, p) -> new QueuedJob(id, n, p, Instant.parse("2026-11-26T20:42:28Z")));
        return Combinators.combine(
                        Arbitraries.strings()
                                .withChars("abc-0")
                                .ofMinLength(1)
                                .ofMaxLength(20)
                                .map(s -> "c" + s),
                        job.list().ofMaxSize(10),
                        Arbitraries.strings()
                                .alpha()
                                .ofMinLength(1)
                                .ofMaxLength(10)
                                .list()
                                .ofMaxSize(5))
                .as((c, q, busy) -> new ClusterDemandChanged(
                        c,
                        q,
                        q.stream().mapToInt(QueuedJob::instanceCount).sum(),
                        busy,
                        Instant.parse("2026-11-26T20:42:28Z")));
    }
}
