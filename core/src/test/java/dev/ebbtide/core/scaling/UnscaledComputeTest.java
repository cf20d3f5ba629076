package dev.ebbtide.core.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UnscaledComputeTest {

    @Test
    void keepsWhatIsThereAndSaysWhyEvenWithAQueueAndLongIdleNodes() {
        ClusterSnapshot s = Snapshots.cluster()
                .name("lab")
                .idleTime(1)
                .queued(3)
                .idle("lab-0", 0)
                .idle("lab-1", 0)
                .build();
        ScalingDecision d = UnscaledCompute.decide(s, "attached compute");
        assertTrue(d.isNoop(s), "nothing added, nothing removed: " + d);
        assertTrue(d.removeNodes().isEmpty());
        assertEquals(ReasonCode.NOT_SCALED, d.reasons().get(0).code());
        assertEquals(
                "lab is attached compute: Ebbtide never adds or removes its nodes; 3 queued node(s) wait for "
                        + "machines to join or free up (2 idle)",
                d.reasons().get(0).message());
    }

    @Test
    void anEmptyPoolStaysEmpty() {
        ClusterSnapshot s = Snapshots.cluster().name("lab").min(0).queued(2).build();
        ScalingDecision d = UnscaledCompute.decide(s, "attached compute");
        assertEquals(0, d.targetCount());
        assertTrue(d.isNoop(s));
    }
}
