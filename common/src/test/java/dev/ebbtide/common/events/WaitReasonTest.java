package dev.ebbtide.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The typed wait: its JSON (a {@code kind} per reason), its one sentence, and v1 records read as it. */
class WaitReasonTest {
    private static final Instant AT = Instant.parse("2026-11-26T21:00:00Z");
    private static final Instant NEXT = Instant.parse("2026-11-26T21:00:30Z");

    @Test
    void eachKindRoundTripsWithItsDiscriminator() {
        WaitReason[] all = {
            new WaitReason.CloudError(ErrorClass.CAPACITY_UNAVAILABLE, "capacity unavailable: no NC6s_v3", NEXT),
            new WaitReason.Quota("standardNCSv3Family", 18, 24, NEXT),
            new WaitReason.Approval("NDv2", "standardNDSv2Family", NEXT),
            new WaitReason.InstanceStopped("my-ci", "Stopped", "stopped by ./ebbtide compute stop"),
            new WaitReason.GangDeadline("job-1", 3, 4, 600L, NEXT),
            new WaitReason.Quota("standardNCSv3Family", 6, 24, NEXT, 4, 3)
        };
        String[] kinds = {"cloudError", "quota", "approval", "instanceStopped", "gangDeadline", "quota"};
        for (int i = 0; i < all.length; i++) {
            ClusterBackoffChangedV2 e = new ClusterBackoffChangedV2("c", all[i], AT);
            String json = EventJson.write(e);
            assertEquals(e, EventJson.read(json, ClusterBackoffChangedV2.class), json);
            assertEquals(
                    kinds[i],
                    EventJson.mapper().valueToTree(e).get("waiting").get("kind").asText(),
                    json);
        }
        assertEquals(
                "{\"cluster\":\"my-ci\",\"waiting\":{\"kind\":\"instanceStopped\",\"instance\":\"my-ci\"},"
                        + "\"at\":\"2026-11-26T21:00:00Z\"}",
                EventJson.write(
                        new ClusterBackoffChangedV2("my-ci", new WaitReason.InstanceStopped("my-ci", null, null), AT)),
                "a stopped instance has no until: no sentinel date");
        assertEquals(
                "{\"cluster\":\"c\",\"at\":\"2026-11-26T21:00:00Z\"}",
                EventJson.write(ClusterBackoffChangedV2.ended("c", AT)));
    }

    @Test
    void aGangDeadlineTravelsAsV3AndSaysWhatTheJobGot() {
        WaitReason.GangDeadline gang = new WaitReason.GangDeadline("job-1", 3, 4, 20L, NEXT);
        assertEquals(
                "waiting: job job-1 got 3 of 4 node(s) within 20 s (max_gang_provision_time); the nodes were given "
                        + "back; retry after 2026-11-26T21:00:30Z",
                gang.sentence());
        assertEquals(EventTypes.CLUSTER_BACKOFF_CHANGED_V3, new ClusterBackoffChangedV2("c", gang, AT).ceType());
        assertEquals(
                EventTypes.CLUSTER_BACKOFF_CHANGED_V2,
                new ClusterBackoffChangedV2("c", new WaitReason.Quota("cores", 1, 2, NEXT), AT).ceType(),
                "kinds v2 readers know stay v2");
        assertEquals(
                EventTypes.CLUSTER_BACKOFF_CHANGED_V2,
                ClusterBackoffChangedV2.ended("c", AT).ceType());
        assertEquals(
                "waiting for quota: standardNCSv3Family uses 6 of 24 cores; a gang of 4 nodes must fit whole, room "
                        + "for 3",
                new WaitReason.Quota("standardNCSv3Family", 6, 24, NEXT, 4, 3).sentence());
    }

    @Test
    void aKindThisVersionDoesNotKnowIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> EventJson.read(
                        "{\"cluster\":\"c\",\"waiting\":{\"kind\":\"budget\"},\"at\":\"2026-11-26T21:00:00Z\"}",
                        ClusterBackoffChangedV2.class));
    }

    @Test
    void eachKindSaysOneSentence() {
        assertEquals(
                "waiting for capacity: unavailable in the region (capacity unavailable: no NC6s_v3; retry after "
                        + "2026-11-26T21:00:30Z)",
                new WaitReason.CloudError(ErrorClass.CAPACITY_UNAVAILABLE, "capacity unavailable: no NC6s_v3", NEXT)
                        .sentence());
        assertEquals(
                "waiting for quota (waiting for quota: exceeding approved cores; retry after 2026-11-26T21:00:30Z)",
                new WaitReason.CloudError(
                                ErrorClass.QUOTA_EXCEEDED, "waiting for quota: exceeding approved cores", NEXT)
                        .sentence());
        assertEquals(
                "waiting: the cloud is throttling requests (THROTTLED; retry after 2026-11-26T21:00:30Z)",
                new WaitReason.CloudError(ErrorClass.THROTTLED, null, NEXT).sentence());
        assertEquals(
                "waiting: the cloud refused nodes (TRANSIENT) (the cloud failed transiently; retry after "
                        + "2026-11-26T21:00:30Z)",
                new WaitReason.CloudError(ErrorClass.TRANSIENT, "the cloud failed transiently", NEXT).sentence());
        assertEquals(
                "waiting for quota: standardNCSv3Family uses 18 of 24 cores",
                new WaitReason.Quota("standardNCSv3Family", 18, 24, NEXT).sentence());
        assertEquals(
                "waiting for approval of NDv2 (quota standardNDSv2Family has no approved cores; request a quota "
                        + "increase for the series)",
                new WaitReason.Approval("NDv2", "standardNDSv2Family", NEXT).sentence());
        assertEquals(
                "waiting: compute instance my-ci is Stopped (stopped by ./ebbtide compute stop); start it with "
                        + "./ebbtide compute start my-ci",
                new WaitReason.InstanceStopped("my-ci", "Stopped", "stopped by ./ebbtide compute stop").sentence());
    }

    /** Saved v1 records, as the provisioner published them before v2, and what each reads as. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            cloud-quota-exceeded | cloudError      | 2026-11-26T21:00:30Z | waiting for quota (Operation could not be completed as it results in exceeding approved standardNCSv3Family Cores quota; retry after 2026-11-26T21:00:30Z)
            cloud-capacity       | cloudError      | 2026-11-26T21:01:00Z | waiting for capacity: unavailable in the region (capacity unavailable: Allocation failed. We do not have sufficient capacity for the requested VM size in this region.; retry after 2026-11-26T21:01:00Z)
            cloud-unknown-class  | cloudError      | 2026-11-26T21:00:30Z | waiting: the cloud refused nodes (UNKNOWN) (the cloud refused the request; retry after 2026-11-26T21:00:30Z)
            quota-wait           | quota           | 2026-11-26T21:00:30Z | waiting for quota
            approval-wait        | approval        | 2026-11-26T21:00:30Z | waiting for approval
            instance-stopped     | instanceStopped |                      | waiting: compute instance my-ci is stopped; start it with ./ebbtide compute start my-ci
            ended                |                 |                      |
            instance-running     |                 |                      |
            """)
    void aSavedVersionOneRecordReadsAsTheTypedWait(String sample, String kind, Instant until, String sentence)
            throws IOException {
        ClusterBackoffChanged v1 = EventJson.read(sample(sample), ClusterBackoffChanged.class);
        ClusterBackoffChangedV2 v2 = v1.toV2();
        assertEquals(v1.cluster(), v2.cluster());
        assertEquals(v1.at(), v2.at());
        if (kind == null) {
            assertNull(v2.waiting(), "no until: the wait ended");
            return;
        }
        assertEquals(
                kind, EventJson.mapper().valueToTree(v2.waiting()).get("kind").asText());
        assertEquals(until, v2.waiting().until(), "a stopped instance loses v1's ten-year sentinel");
        assertEquals(sentence, v2.waiting().sentence());
        assertEquals(v2, EventJson.read(EventJson.write(v2), ClusterBackoffChangedV2.class), "and is a valid v2");
    }

    private static String sample(String name) throws IOException {
        try (InputStream in = WaitReasonTest.class.getResourceAsStream("/events/backoff-v1/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
